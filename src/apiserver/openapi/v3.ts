/**
 * The OpenAPI v3 documents served under `/openapi/v3/<key>`: one per group version (`api/v1`,
 * `apis/apps/v1`), one per group (`apis/apps`) and one each for `api`, `apis` and `version`. Each
 * holds its own paths and exactly the schemas those paths reach. kubectl reads them for `explain`,
 * for patch metadata, and to see whether PATCH accepts `fieldValidation`.
 */
import type { DefinitionRegistry } from '../../api/schema/registry.js';
import { definitions } from '../../api/types/index.js';
import type { Param } from './params.js';
import {
  apiPaths,
  referencedDefinitions,
  RESPONSE_TEXT,
  splitParams,
  type Operation,
  type PathEntry,
} from './paths.js';
import { closure, refTo, renderDefinition, type Json } from './schemas.js';
import { BEARER_TOKEN } from './v2.js';

function renderParam(p: Exclude<Param, { in: 'body' }>): Json {
  const out: Json = { description: p.description, in: p.in, name: p.name };
  if (p.required) out['required'] = true;
  out['schema'] = { type: p.type };
  return out;
}

function simpleParams(params: readonly Param[]): Json[] {
  const out: Json[] = [];
  for (const p of params) if (p.in !== 'body') out.push(renderParam(p));
  return out;
}

function content(types: readonly string[], schema: Json): Json {
  const out: Json = {};
  for (const t of [...types].sort()) out[t] = { schema };
  return out;
}

function renderOperation(o: Operation, params: readonly Param[]): Json {
  const out: Json = { description: o.description, operationId: o.operationId };
  const simple = simpleParams(params);
  if (simple.length) out['parameters'] = simple;
  const body = params.find((p) => p.in === 'body');
  if (body) {
    const rb: Json = { content: content(o.consumes, { $ref: refTo('v3', body.ref) }) };
    if (body.required) rb['required'] = true;
    out['requestBody'] = rb;
  }
  const responses: Json = {};
  for (const r of o.responses) {
    const resp: Json = {};
    if (r.body)
      resp['content'] = content(
        o.produces,
        'ref' in r.body ? { $ref: refTo('v3', r.body.ref) } : { type: 'string' },
      );
    resp['description'] = RESPONSE_TEXT[r.code];
    responses[String(r.code)] = resp;
  }
  out['responses'] = responses;
  out['tags'] = [o.tag];
  if (o.action) out['x-kubernetes-action'] = o.action;
  if (o.gvk)
    out['x-kubernetes-group-version-kind'] = { group: o.gvk.group, kind: o.gvk.kind, version: o.gvk.version };
  return out;
}

function renderPath(entry: PathEntry): Json {
  const { shared, perOperation } = splitParams(entry);
  const items: [string, unknown][] = entry.operations.map((o, i) => [
    o.method,
    renderOperation(o, perOperation[i] ?? []),
  ]);
  const sharedJson = simpleParams(shared);
  if (sharedJson.length) items.push(['parameters', sharedJson]);
  items.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(items);
}

/** Builds one OpenAPI v3 document from its paths. */
export function buildV3Document(registry: DefinitionRegistry, paths: readonly PathEntry[]): Json {
  const schemas: Json = {};
  for (const d of closure(registry, referencedDefinitions(paths)))
    schemas[d.name] = renderDefinition('v3', d);
  const renderedPaths: Json = {};
  for (const e of [...paths].sort((a, b) => (a.path < b.path ? -1 : 1)))
    renderedPaths[e.path] = renderPath(e);
  return {
    components: { schemas, securitySchemes: { BearerToken: { ...BEARER_TOKEN } } },
    info: { title: 'Kubernetes', version: 'unversioned' },
    openapi: '3.0.0',
    paths: renderedPaths,
  };
}

/** The paths of each v3 document, by document key in sorted order. */
export function groupPathsByDocument(paths: readonly PathEntry[] = apiPaths()): Map<string, PathEntry[]> {
  const byKey = new Map<string, PathEntry[]>();
  for (const p of paths) {
    const list = byKey.get(p.docKey);
    if (list) list.push(p);
    else byKey.set(p.docKey, [p]);
  }
  return new Map([...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Builds every OpenAPI v3 document, by key. */
export function buildV3Documents(
  registry: DefinitionRegistry = definitions,
  paths: readonly PathEntry[] = apiPaths(),
): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const [key, list] of groupPathsByDocument(paths)) out.set(key, buildV3Document(registry, list));
  return out;
}
