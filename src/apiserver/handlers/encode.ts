/**
 * Presenting stored objects in the served version and the negotiated form: JSON or YAML objects,
 * Lists, Tables and PartialObjectMetadata. Serialisation of cached objects is done once and shared.
 */
import type { KubeObject, StoredObject } from '../../api/meta.js';
import type { CachedObject } from '../../registry/cache/types.js';
import { writeJSONText, writeValue, type OutputFormat, type RequestContext } from '../http.js';
import type { ServedResource } from '../served.js';
import { buildTable, partialMetadata, type IncludeObject } from '../table.js';

/** The object in the served version (the stored object itself when no conversion applies). */
export function present(served: ServedResource, obj: StoredObject | KubeObject): KubeObject {
  return served.converter ? served.converter.fromStorage(obj) : obj;
}

/** The served-version JSON of a cached object. */
export function cachedJSON(served: ServedResource, c: CachedObject): string {
  return served.converter ? JSON.stringify(served.converter.fromStorage(c.object)) : c.json();
}

export function listKind(served: ServedResource): { apiVersion: string; kind: string } {
  const t = served.type;
  return { apiVersion: t.group ? `${t.group}/${t.version}` : t.version, kind: `${t.kind}List` };
}

function includeObject(ctx: RequestContext): IncludeObject {
  const v = ctx.query.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

/** Writes one object as the client asked (object, Table, PartialObjectMetadata). */
export function writeObject(
  ctx: RequestContext,
  served: ServedResource,
  code: number,
  obj: KubeObject,
  out: OutputFormat,
  now: Date,
): void {
  if (out.as === 'Table') {
    const table = buildTable(
      served.printer,
      [obj],
      { resourceVersion: obj.metadata?.resourceVersion ?? '' },
      {
        includeObject: includeObject(ctx),
        noHeaders: false,
        now,
        asVersion: out.asVersion ?? 'v1',
      },
    );
    writeValue(ctx, code, table, out);
    return;
  }
  if (out.as === 'PartialObjectMetadata') {
    writeValue(ctx, code, partialMetadata(obj, out.asVersion), out);
    return;
  }
  writeValue(ctx, code, obj, out);
}

/**
 * Writes an object a store has just written (the result of a create, update, patch or delete) in the
 * served version, reusing the text the store wrote for plain JSON rather than serialising again.
 */
export function writeWritten(
  ctx: RequestContext,
  served: ServedResource,
  code: number,
  obj: StoredObject,
  out: OutputFormat,
  now: Date,
): void {
  if (!served.converter && !out.as && out.mediaType === 'json') {
    const json = served.store?.writtenJSON(obj);
    if (json !== undefined) {
      writeJSONText(ctx, code, json);
      return;
    }
  }
  writeObject(ctx, served, code, present(served, obj), out, now);
}

/** Writes a cached object, reusing its serialisation for plain JSON. */
export function writeCached(
  ctx: RequestContext,
  served: ServedResource,
  c: CachedObject,
  out: OutputFormat,
  now: Date,
): void {
  if (!out.as && out.mediaType === 'json') {
    writeJSONText(ctx, 200, cachedJSON(served, c));
    return;
  }
  writeObject(ctx, served, 200, present(served, c.object), out, now);
}

export interface ListMeta {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** Writes a list of cached objects as a List, a Table or a PartialObjectMetadataList. */
export function writeList(
  ctx: RequestContext,
  served: ServedResource,
  items: readonly CachedObject[],
  meta: ListMeta,
  out: OutputFormat,
  now: Date,
): void {
  const listMeta: Record<string, unknown> = { resourceVersion: meta.resourceVersion };
  if (meta.continue) listMeta['continue'] = meta.continue;
  if (meta.remainingItemCount !== undefined) listMeta['remainingItemCount'] = meta.remainingItemCount;
  if (out.as === 'Table') {
    const table = buildTable(
      served.printer,
      items.map((c) => present(served, c.object)),
      listMeta,
      { includeObject: includeObject(ctx), noHeaders: false, now, asVersion: out.asVersion ?? 'v1' },
    );
    writeValue(ctx, 200, table, out);
    return;
  }
  if (out.as === 'PartialObjectMetadataList') {
    writeValue(
      ctx,
      200,
      {
        kind: 'PartialObjectMetadataList',
        apiVersion: `meta.k8s.io/${out.asVersion ?? 'v1'}`,
        metadata: listMeta,
        items: items.map((c) => partialMetadata(c.object, out.asVersion)),
      },
      out,
    );
    return;
  }
  const { apiVersion, kind } = listKind(served);
  if (out.mediaType === 'yaml') {
    writeValue(
      ctx,
      200,
      { apiVersion, items: items.map((c) => present(served, c.object)), kind, metadata: listMeta },
      out,
    );
    return;
  }
  // Plain JSON: splice the cached serialisations rather than re-encoding every object.
  let body = `{"apiVersion":${JSON.stringify(apiVersion)},"items":[`;
  for (let i = 0; i < items.length; i++) {
    const c = items[i];
    if (!c) continue;
    if (i > 0) body += ',';
    body += cachedJSON(served, c);
  }
  body += `],"kind":${JSON.stringify(kind)},"metadata":${JSON.stringify(listMeta)}}`;
  writeJSONText(ctx, 200, body);
}
