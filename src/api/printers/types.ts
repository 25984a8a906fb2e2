/**
 * Server-side printing: each kind has a table printer with upstream's columns, so `kubectl get`
 * (which asks for `as=Table`) shows what it shows against any cluster.
 */
import type { KubeObject } from '../meta.js';

/** meta.k8s.io/v1 TableColumnDefinition. */
export interface ColumnDefinition {
  name: string;
  /** OpenAPI type: string, integer, number, boolean, date. */
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  /** `name` for the NAME column; otherwise usually empty. */
  format: string;
  description: string;
  /** 0 for default columns; higher ones appear with `-o wide`. */
  priority: number;
}

/** Cell values: strings, numbers, booleans, or null for an empty cell. */
export type Cell = string | number | boolean | null;

export interface TablePrinter {
  columns: readonly ColumnDefinition[];
  /** One row's cells, in column order. `now` is injected for AGE-like columns. */
  cells(obj: KubeObject, now: Date): Cell[];
}
