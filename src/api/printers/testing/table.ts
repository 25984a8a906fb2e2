/** Test helpers for printers: a fixed clock and rows read by column name. */
import type { KubeObject } from '../../meta.js';
import type { Cell, TablePrinter } from '../types.js';

/** The injected "now" of every printer test. */
export const NOW = new Date('2026-03-01T12:00:00Z');

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

/** An RFC 3339 timestamp this long before NOW (`{ d: 2, h: 3 }`). */
export function ago(parts: { d?: number; h?: number; m?: number; s?: number }): string {
  const ms = (parts.d ?? 0) * D + (parts.h ?? 0) * H + (parts.m ?? 0) * M + (parts.s ?? 0) * S;
  return new Date(NOW.getTime() - ms).toISOString().replace(/\.000Z$/, 'Z');
}

/** One printed row as a map from column name to cell. */
export function row(printer: TablePrinter, obj: KubeObject, now: Date = NOW): Record<string, Cell> {
  const cells = printer.cells(obj, now);
  if (cells.length !== printer.columns.length) {
    throw new Error(`row has ${cells.length} cells for ${printer.columns.length} columns`);
  }
  return Object.fromEntries(printer.columns.map((c, i) => [c.name, cells[i] ?? null]));
}

/** Column names, with `*` after `-o wide` only ones: `['Name', 'Age', 'IP*']`. */
export function columnNames(printer: TablePrinter): string[] {
  return printer.columns.map((c) => (c.priority > 0 ? `${c.name}*` : c.name));
}
