/**
 * Building blocks shared by the printers: column definitions, and the cells almost every kind has
 * (NAME, AGE, container names and images).
 */
import type { Container } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../meta.js';
import { since } from './duration.js';
import type { Cell, ColumnDefinition, TablePrinter } from './types.js';

/** Options of a column: `priority` 1 for `-o wide` only columns, `format` `name` for NAME. */
export interface ColumnOptions {
  priority?: number;
  format?: string;
}

/** One column definition. */
export function column(
  name: string,
  type: ColumnDefinition['type'],
  description: string,
  opts: ColumnOptions = {},
): ColumnDefinition {
  return { name, type, format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

/** A `-o wide` only column. */
export function wide(name: string, type: ColumnDefinition['type'], description: string): ColumnDefinition {
  return column(name, type, description, { priority: 1 });
}

/** The NAME column every kind starts with. */
export const NAME = column(
  'Name',
  'string',
  'The object name, unique within its namespace (or the cluster).',
  {
    format: 'name',
  },
);

/** The AGE column: time since the object was created. */
export const AGE = column('Age', 'string', 'How long ago the object was created.');

/** Wide columns for workloads that embed a pod template. */
export const CONTAINERS = wide('Containers', 'string', 'Names of the containers in the pod template.');
export const IMAGES = wide('Images', 'string', 'Images of the containers in the pod template.');

/** Narrows an object to a typed view; fields stay optional, so every read must allow for absence. */
export function view<T>(obj: KubeObject): T {
  return obj as unknown as T;
}

/** The object's name. */
export function nameOf(obj: KubeObject): string {
  return obj.metadata?.name ?? '';
}

/** The object's AGE cell. */
export function ageOf(obj: KubeObject, now: Date): string {
  return since(obj.metadata?.creationTimestamp, now);
}

/** Container names and images, each joined with commas (the CONTAINERS and IMAGES cells). */
export function containerCells(containers: readonly Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(','), list.map((c) => c.image ?? '').join(',')];
}

/** `a,b,c + 2 more...` when a list was cut at `max` of `count` items; `<unset>` when empty. */
export function listWithMore(list: readonly string[], count: number, max: number): string {
  const text = list.join(',');
  if (count > max) return `${text} + ${count - max} more...`;
  return text === '' ? '<unset>' : text;
}

/** A printer from its columns and cell function. */
export function printer(
  columns: readonly ColumnDefinition[],
  cells: (obj: KubeObject, now: Date) => Cell[],
): TablePrinter {
  return { columns, cells };
}
