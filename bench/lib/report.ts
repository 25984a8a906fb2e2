/** Printing tables and headlines, and writing results to bench/results/NAME-TIMESTAMP.json. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAverage } from './proc.js';

/** bench/results/ in the source tree. */
export const RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** A cell: numbers are rounded for display, strings printed as they are. */
export type Cell = string | number | undefined;

/** Formats a number with a sensible number of digits. */
export function fmt(v: Cell, digits?: number): string {
  if (v === undefined) return '-';
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  if (digits === undefined && Number.isInteger(v)) return String(v);
  const d = digits ?? (Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2);
  return v.toFixed(d);
}

/** Prints an aligned table (first column left-aligned, the rest right-aligned). */
export function printTable(title: string, header: string[], rows: Cell[][]): void {
  const cells = [header, ...rows.map((r) => r.map((c) => fmt(c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  process.stdout.write(`\n${title}\n`);
  process.stdout.write(`${line(header)}\n`);
  process.stdout.write(`${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const r of cells.slice(1)) process.stdout.write(`${line(r)}\n`);
}

/** One goal and whether this run met it. */
export interface Goal {
  goal: string;
  value: string;
  met: boolean;
}

/** Prints the goals as PASS/MISS lines. */
export function printGoals(goals: Goal[]): void {
  process.stdout.write('\nGoals\n');
  for (const g of goals) process.stdout.write(`  [${g.met ? 'met ' : 'MISS'}] ${g.goal}: ${g.value}\n`);
}

/** Facts about the machine and run that make the numbers readable later. */
export function environment(): Record<string, unknown> {
  return {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage1m: loadAverage(),
  };
}

/** Writes the result JSON and returns its path. */
export function writeResult(name: string, result: Record<string, unknown>): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(RESULTS_DIR, `${name}-${stamp}.json`);
  const body = { benchmark: name, date: new Date().toISOString(), environment: environment(), ...result };
  fs.writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  process.stdout.write(`\nresults: ${path.relative(process.cwd(), file)}\n`);
  return file;
}

/** Prints the headline; it must be the last line a benchmark prints. */
export function headline(text: string): void {
  process.stdout.write(`${text}\n`);
}
