/**
 * Server-side printing: turns objects into meta.k8s.io Tables with each kind's columns, for
 * `kubectl get`.
 */
import type { KubeObject } from '../api/meta.js';
import type { ColumnDefinition, TablePrinter } from '../api/printers/types.js';

/** The default columns of kinds without a printer: NAME and AGE, as upstream. */
export const defaultPrinter: TablePrinter = {
  columns: [
    { name: 'Name', type: 'string', format: 'name', description: 'Name of the object.', priority: 0 },
    {
      name: 'Created At',
      type: 'date',
      format: '',
      description: 'When the object was created.',
      priority: 0,
    },
  ],
  cells: (obj) => [obj.metadata?.name ?? '', obj.metadata?.creationTimestamp ?? null],
};

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** PartialObjectMetadata of an object, as Table rows and `as=PartialObjectMetadata` carry it. */
export function partialMetadata(obj: KubeObject, asVersion = 'v1'): Record<string, unknown> {
  return {
    kind: 'PartialObjectMetadata',
    apiVersion: `meta.k8s.io/${asVersion}`,
    metadata: obj.metadata ?? {},
  };
}

export interface TableOptions {
  includeObject: IncludeObject;
  noHeaders: boolean;
  now: Date;
  asVersion: string;
}

/** Builds a Table (as a plain value) from objects. */
export function buildTable(
  printer: TablePrinter,
  objects: readonly KubeObject[],
  listMeta: Record<string, unknown>,
  opts: TableOptions,
): Record<string, unknown> {
  const columns: ColumnDefinition[] = opts.noHeaders ? [] : [...printer.columns];
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.asVersion}`,
    metadata: listMeta,
    columnDefinitions: columns,
    rows: objects.map((o) => {
      const row: Record<string, unknown> = { cells: printer.cells(o, opts.now) };
      if (opts.includeObject === 'Metadata') row['object'] = partialMetadata(o, opts.asVersion);
      else if (opts.includeObject === 'Object') row['object'] = o;
      return row;
    }),
  };
}
