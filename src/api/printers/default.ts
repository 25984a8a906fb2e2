/**
 * The table every kind without a printer of its own gets (Role, ClusterRole, LimitRange, custom
 * resources without printer columns …): NAME and CREATED AT, the creation time in RFC 3339 UTC, as
 * upstream's default table convertor prints it.
 */
import type { KubeObject } from '../meta.js';
import { NAME, column, nameOf, printer } from './columns.js';
import { parseTime } from './duration.js';

/** RFC 3339 in UTC with whole seconds; Go's zero time when the timestamp is missing. */
export function createdAt(obj: KubeObject): string {
  const ms = parseTime(obj.metadata?.creationTimestamp);
  if (ms === undefined) return '0001-01-01T00:00:00Z';
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** NAME and CREATED AT. */
export const defaultPrinter = printer(
  [NAME, column('Created At', 'date', 'When the object was created (RFC 3339, UTC).')],
  (obj) => [nameOf(obj), createdAt(obj)],
);
