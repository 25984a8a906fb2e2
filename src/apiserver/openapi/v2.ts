/**
 * The OpenAPI v2 (Swagger 2.0) document served at `/openapi/v2`: every definition and every path
 * in one document. kubectl reads it (as protobuf) for `explain --output=plaintext-openapiv2`,
 * strategic-merge-patch metadata in client-side apply, and to check for `fieldValidation` support.
 */
import { createHash } from 'node:crypto';
import type { DefinitionRegistry } from '../../api/schema/registry.js';
import { definitions } from '../../api/types/index.js';
import { VERSION } from '../../version.js';
import type { Param } from './params.js';
import { apiPaths, RESPONSE_TEXT, splitParams, type Operation, type PathEntry } from './paths.js';
import { refTo, renderDefinition, type Json } from './schemas.js';

/** The security scheme every Kubernetes document declares: a bearer token in the Authorization header. */
export const BEARER_TOKEN = {
  description: 'A bearer token in the Authorization header.',
  in: 'header',
  name: 'authorization',
  type: 'apiKey',
} as const;

function renderParam(p: Param): Json {
  if (p.in === 'body')
    return { in: 'body', name: 'body', required: p.required, schema: { $ref: refTo('v2', p.ref) } };
  const out: Json = { description: p.description, in: p.in, name: p.name };
  if (p.required) out['required'] = true;
  out['type'] = p.type;
  return out;
}

function renderOperation(o: Operation, params: Param[]): Json {
  const responses: Json = {};
  for (const r of o.responses) {
    const resp: Json = { description: RESPONSE_TEXT[r.code] };
    if (r.body) resp['schema'] = 'ref' in r.body ? { $ref: refTo('v2', r.body.ref) } : { type: 'string' };
    responses[String(r.code)] = resp;
  }
  const out: Json = { consumes: [...o.consumes], description: o.description, operationId: o.operationId };
  if (params.length) out['parameters'] = params.map(renderParam);
  out['produces'] = [...o.produces];
  out['responses'] = responses;
  out['schemes'] = ['https'];
  out['tags'] = [o.tag];
  if (o.action) out['x-kubernetes-action'] = o.action;
  if (o.gvk)
    out['x-kubernetes-group-version-kind'] = { group: o.gvk.group, kind: o.gvk.kind, version: o.gvk.version };
  return out;
}

/** A path item: operations and shared parameters, keys in sorted order. */
function renderPath(entry: PathEntry): Json {
  const { shared, perOperation } = splitParams(entry);
  const items: [string, unknown][] = entry.operations.map((o, i) => [
    o.method,
    renderOperation(o, perOperation[i] ?? []),
  ]);
  if (shared.length) items.push(['parameters', shared.map(renderParam)]);
  items.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(items);
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 8);
}

/**
 * Moves parameters used more than once into the document's `parameters` section and refers to them
 * as `#/parameters/<name>-<hash>`, as upstream does to keep the document small.
 */
function shareParameters(paths: Json): Json {
  const lists: Json[][] = [];
  for (const item of Object.values(paths) as Json[]) {
    for (const [key, value] of Object.entries(item)) {
      if (key === 'parameters') lists.push(value as Json[]);
      else if ((value as Json)['parameters']) lists.push((value as Json)['parameters'] as Json[]);
    }
  }
  const counts = new Map<string, number>();
  for (const list of lists)
    for (const p of list) {
      const k = JSON.stringify(p);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  const names = new Map<string, string>();
  const section: [string, Json][] = [];
  for (const [k, n] of counts) {
    if (n < 2) continue;
    const p = JSON.parse(k) as Json;
    const name = `${String(p['name'])}-${shortHash(k)}`;
    names.set(k, name);
    section.push([name, p]);
  }
  for (const list of lists)
    for (let i = 0; i < list.length; i++) {
      const name = names.get(JSON.stringify(list[i]));
      if (name) list[i] = { $ref: `#/parameters/${name}` };
    }
  section.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(section);
}

/** The definitions, sorted by name, each rendered only when the iteration reaches it. */
export function* v2Definitions(registry: DefinitionRegistry = definitions): Generator<[string, Json]> {
  const sorted = [...registry.all()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const d of sorted) yield [d.name, renderDefinition('v2', d)];
}

/** The rendered paths, with parameters used more than once moved to the shared `parameters` section. */
export function v2Paths(paths: readonly PathEntry[] = apiPaths()): { paths: Json; parameters: Json } {
  const rendered: Json = {};
  for (const e of paths) rendered[e.path] = renderPath(e);
  const parameters = shareParameters(rendered);
  return { paths: rendered, parameters };
}

/** The small top-level fields: info, security and the Swagger version. */
export function v2Head(): Json {
  return {
    info: { title: 'Kubernetes', version: VERSION.gitVersion },
    security: [{ BearerToken: [] }],
    securityDefinitions: { BearerToken: { ...BEARER_TOKEN } },
    swagger: '2.0',
  };
}

/** Builds the OpenAPI v2 document (a plain JSON value). */
export function buildV2Document(
  registry: DefinitionRegistry = definitions,
  paths: readonly PathEntry[] = apiPaths(),
): Json {
  const { paths: renderedPaths, parameters } = v2Paths(paths);
  const head = v2Head();
  return {
    definitions: Object.fromEntries(v2Definitions(registry)),
    info: head['info'],
    parameters,
    paths: renderedPaths,
    security: head['security'],
    securityDefinitions: head['securityDefinitions'],
    swagger: head['swagger'],
  };
}

/**
 * The document serialised as compact JSON, identical to `JSON.stringify(buildV2Document())` but
 * written one definition at a time, so the whole object tree never exists at once.
 */
export function serializeV2Json(
  registry: DefinitionRegistry = definitions,
  paths: readonly PathEntry[] = apiPaths(),
): Buffer {
  const parts: string[] = ['{"definitions":{'];
  let first = true;
  for (const [name, def] of v2Definitions(registry)) {
    parts.push(`${first ? '' : ','}${JSON.stringify(name)}:${JSON.stringify(def)}`);
    first = false;
  }
  const rest = v2Paths(paths);
  const head = v2Head();
  parts.push(
    `},"info":${JSON.stringify(head['info'])},"parameters":${JSON.stringify(rest.parameters)}`,
    `,"paths":${JSON.stringify(rest.paths)},"security":${JSON.stringify(head['security'])}`,
    `,"securityDefinitions":${JSON.stringify(head['securityDefinitions'])},"swagger":${JSON.stringify(head['swagger'])}}`,
  );
  return Buffer.from(parts.join(''));
}
