/**
 * Encodes the OpenAPI v2 JSON document as gnostic's `openapi.v2.Document` protobuf, the form
 * client-go's `OpenAPISchema()` asks for. Maps become ordered (name, value) lists; a parameter is a
 * one-of of reference, body parameter and query/path/header parameter; a vendor extension's value
 * (and a `default` or `enum` value) is carried as YAML text, for which we write JSON (valid YAML).
 */
import protobuf from 'protobufjs';
import { GNOSTIC_OPENAPI_V2 } from './gnostic-descriptor.js';
import type { Json } from './schemas.js';

let root: protobuf.Root | undefined;

/** The `openapi.v2` types, loaded once from the descriptor. */
export function gnosticType(name: string): protobuf.Type {
  root ??= protobuf.Root.fromJSON(GNOSTIC_OPENAPI_V2);
  return root.lookupType(`openapi.v2.${name}`);
}

type Msg = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Json => (isObj(v) ? v : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A gnostic `Any`: the value as YAML text. */
function any(value: unknown): Msg {
  return { yaml: `${JSON.stringify(value)}\n` };
}

/** The `x-…` keys of an object as gnostic `NamedAny` pairs. */
function vendorExtensions(o: Json): Msg[] {
  return Object.entries(o)
    .filter(([k]) => k.startsWith('x-'))
    .map(([name, value]) => ({ name, value: any(value) }));
}

function schema(s: Json): Msg {
  const out: Msg = {};
  const ref = str(s['$ref']);
  if (ref) out['ref'] = ref;
  if (s['format'] !== undefined) out['format'] = s['format'];
  if (s['description'] !== undefined) out['description'] = s['description'];
  if (s['default'] !== undefined) out['default'] = any(s['default']);
  if (Array.isArray(s['required'])) out['required'] = s['required'];
  if (Array.isArray(s['enum'])) out['enum'] = s['enum'].map(any);
  if (s['additionalProperties'] !== undefined)
    out['additionalProperties'] =
      typeof s['additionalProperties'] === 'boolean'
        ? { boolean: s['additionalProperties'] }
        : { schema: schema(obj(s['additionalProperties'])) };
  if (s['type'] !== undefined) out['type'] = { value: Array.isArray(s['type']) ? s['type'] : [s['type']] };
  if (s['items'] !== undefined)
    out['items'] = {
      schema: (Array.isArray(s['items']) ? s['items'] : [s['items']]).map((i) => schema(obj(i))),
    };
  if (Array.isArray(s['allOf'])) out['allOf'] = s['allOf'].map((i) => schema(obj(i)));
  if (s['properties'] !== undefined)
    out['properties'] = {
      additionalProperties: Object.entries(obj(s['properties'])).map(([name, v]) => ({
        name,
        value: schema(obj(v)),
      })),
    };
  const ext = vendorExtensions(s);
  if (ext.length) out['vendorExtension'] = ext;
  return out;
}

/** A parameter (body, query, path or header) as a gnostic `Parameter`. */
function parameter(p: Json): Msg {
  if (p['in'] === 'body') {
    const b: Msg = { name: p['name'], in: 'body', required: p['required'] === true };
    if (p['description'] !== undefined) b['description'] = p['description'];
    if (p['schema'] !== undefined) b['schema'] = schema(obj(p['schema']));
    return { bodyParameter: b };
  }
  const sub: Msg = { required: p['required'] === true, in: p['in'], name: p['name'] };
  if (p['description'] !== undefined) sub['description'] = p['description'];
  if (p['type'] !== undefined) sub['type'] = p['type'];
  if (p['format'] !== undefined) sub['format'] = p['format'];
  if (p['uniqueItems'] !== undefined) sub['uniqueItems'] = p['uniqueItems'];
  const key =
    p['in'] === 'path'
      ? 'pathParameterSubSchema'
      : p['in'] === 'header'
        ? 'headerParameterSubSchema'
        : 'queryParameterSubSchema';
  return { nonBodyParameter: { [key]: sub } };
}

function parametersItem(p: Json): Msg {
  const ref = str(p['$ref']);
  return ref ? { jsonReference: { ref } } : { parameter: parameter(p) };
}

function operation(o: Json): Msg {
  const out: Msg = {};
  for (const k of ['tags', 'produces', 'consumes', 'schemes'] as const)
    if (Array.isArray(o[k])) out[k] = o[k];
  if (o['summary'] !== undefined) out['summary'] = o['summary'];
  if (o['description'] !== undefined) out['description'] = o['description'];
  if (o['operationId'] !== undefined) out['operationId'] = o['operationId'];
  if (o['parameters'] !== undefined)
    out['parameters'] = arr(o['parameters']).map((p) => parametersItem(obj(p)));
  if (o['responses'] !== undefined)
    out['responses'] = {
      responseCode: Object.entries(obj(o['responses'])).map(([name, r]) => {
        const resp = obj(r);
        const m: Msg = { description: resp['description'] ?? '' };
        if (resp['schema'] !== undefined) m['schema'] = { schema: schema(obj(resp['schema'])) };
        return { name, value: { response: m } };
      }),
    };
  if (o['deprecated'] === true) out['deprecated'] = true;
  const ext = vendorExtensions(o);
  if (ext.length) out['vendorExtension'] = ext;
  return out;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

function pathItem(p: Json): Msg {
  const out: Msg = {};
  for (const m of METHODS) if (p[m] !== undefined) out[m] = operation(obj(p[m]));
  if (p['parameters'] !== undefined)
    out['parameters'] = arr(p['parameters']).map((x) => parametersItem(obj(x)));
  const ext = vendorExtensions(p);
  if (ext.length) out['vendorExtension'] = ext;
  return out;
}

/** The document's fields other than `paths` and `definitions`, as a message object. */
function headMessage(doc: Json): Msg {
  const info = obj(doc['info']);
  const out: Msg = {
    swagger: doc['swagger'],
    info: { title: info['title'] ?? '', version: info['version'] ?? '' },
  };
  if (doc['parameters'] !== undefined)
    out['parameters'] = {
      additionalProperties: Object.entries(obj(doc['parameters'])).map(([name, v]) => ({
        name,
        value: parameter(obj(v)),
      })),
    };
  if (Array.isArray(doc['security']))
    out['security'] = doc['security'].map((req) => ({
      additionalProperties: Object.entries(obj(req)).map(([name, v]) => ({ name, value: { value: arr(v) } })),
    }));
  if (doc['securityDefinitions'] !== undefined)
    out['securityDefinitions'] = {
      additionalProperties: Object.entries(obj(doc['securityDefinitions'])).map(([name, v]) => {
        const d = obj(v);
        const key: Msg = { type: d['type'], name: d['name'], in: d['in'] };
        if (d['description'] !== undefined) key['description'] = d['description'];
        return { name, value: { apiKeySecurity: key } };
      }),
    };
  return out;
}

/** Converts a Swagger 2.0 JSON document into a plain `openapi.v2.Document` message object. */
export function toGnosticDocument(doc: Json): Msg {
  return {
    ...headMessage(doc),
    paths: {
      path: Object.entries(obj(doc['paths'])).map(([name, v]) => ({ name, value: pathItem(obj(v)) })),
    },
    definitions: {
      additionalProperties: Object.entries(obj(doc['definitions'])).map(([name, v]) => ({
        name,
        value: schema(obj(v)),
      })),
    },
  };
}

/** A document given in parts, so that its paths and definitions can be produced one at a time. */
export interface GnosticParts {
  /** swagger, info, parameters, security, securityDefinitions. */
  head: Json;
  paths: Iterable<[string, Json]>;
  definitions: Iterable<[string, Json]>;
}

/** The wire tag of a length-delimited field. */
const lenTag = (field: number): number => (field << 3) | 2;

/**
 * Encodes a document part by part: each path item and each definition is converted and encoded on
 * its own and framed into the `paths` (field 8) and `definitions` (field 9) messages, so only one
 * of them exists as objects at a time.
 */
export function encodeGnosticParts(parts: GnosticParts): Uint8Array {
  const head = gnosticType('Document').encode(headMessage(parts.head)).finish();
  const namedPath = gnosticType('NamedPathItem');
  const namedSchema = gnosticType('NamedSchema');
  const w = protobuf.Writer.create();
  w.uint32(lenTag(8)).fork();
  for (const [name, item] of parts.paths)
    w.uint32(lenTag(2)).bytes(namedPath.encode({ name, value: pathItem(item) }).finish());
  w.ldelim();
  w.uint32(lenTag(9)).fork();
  for (const [name, def] of parts.definitions)
    w.uint32(lenTag(1)).bytes(namedSchema.encode({ name, value: schema(def) }).finish());
  w.ldelim();
  const body = w.finish();
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/** The OpenAPI v2 document as gnostic protobuf bytes. */
export function encodeGnostic(doc: Json): Uint8Array {
  return encodeGnosticParts({
    head: doc,
    paths: Object.entries(obj(doc['paths'])).map(([k, v]) => [k, obj(v)]),
    definitions: Object.entries(obj(doc['definitions'])).map(([k, v]) => [k, obj(v)]),
  });
}
