import { describe, expect, it } from 'vitest';
import { encodeGnostic, gnosticType } from './gnostic.js';
import type { Json } from './schemas.js';
import { isJson } from './testing.js';
import { OpenApiDocuments } from './documents.js';
import { buildV2Document, serializeV2Json } from './v2.js';

type Msg = Record<string, unknown>;

const m = (v: unknown): Msg => (isJson(v) ? v : {});
const list = (v: unknown): Msg[] => (Array.isArray(v) ? (v as Msg[]) : []);
const named = <T>(v: unknown, f: (x: Msg) => T): Record<string, T> =>
  Object.fromEntries(list(v).map((n) => [String(n['name']), f(m(n['value']))]));
const anyValue = (a: unknown): unknown => JSON.parse(String(m(a)['yaml'])) as unknown;

function extensions(msg: Msg, into: Json): Json {
  for (const e of list(msg['vendorExtension'])) into[String(e['name'])] = anyValue(e['value']);
  return into;
}

/** Reads a decoded gnostic Schema back as Swagger JSON. */
function schema(s: Msg): Json {
  const out: Json = {};
  if (s['ref']) out['$ref'] = s['ref'];
  for (const k of ['format', 'description', 'required'] as const) if (s[k] !== undefined) out[k] = s[k];
  if (s['default'] !== undefined) out['default'] = anyValue(s['default']);
  if (s['enum'] !== undefined) out['enum'] = list(s['enum']).map(anyValue);
  const ap = m(s['additionalProperties']);
  if (ap['schema']) out['additionalProperties'] = schema(m(ap['schema']));
  const types = list(m(s['type'])['value']);
  if (types.length) out['type'] = types.length === 1 ? types[0] : types;
  const items = list(m(s['items'])['schema']);
  if (items.length) out['items'] = schema(items[0]!);
  if (s['allOf']) out['allOf'] = list(s['allOf']).map(schema);
  if (s['properties']) out['properties'] = named(m(s['properties'])['additionalProperties'], schema);
  return extensions(s, out);
}

function parameter(p: Msg): Json {
  const b = m(p['bodyParameter']);
  if (p['bodyParameter']) {
    const out: Json = { in: 'body', name: b['name'], required: b['required'] === true };
    if (b['schema']) out['schema'] = schema(m(b['schema']));
    return out;
  }
  const nb = m(p['nonBodyParameter']);
  const sub = m(
    nb['queryParameterSubSchema'] ?? nb['pathParameterSubSchema'] ?? nb['headerParameterSubSchema'],
  );
  const out: Json = { description: sub['description'], in: sub['in'], name: sub['name'] };
  if (sub['required']) out['required'] = true;
  out['type'] = sub['type'];
  return out;
}

const parametersItem = (p: Msg): Json =>
  p['jsonReference'] ? { $ref: m(p['jsonReference'])['ref'] } : parameter(m(p['parameter']));

function operation(o: Msg): Json {
  const out: Json = {};
  for (const k of ['consumes', 'description', 'operationId', 'produces', 'schemes', 'tags'] as const)
    if (o[k] !== undefined) out[k] = o[k];
  if (o['parameters']) out['parameters'] = list(o['parameters']).map(parametersItem);
  out['responses'] = named(m(o['responses'])['responseCode'], (v) => {
    const r = m(v['response']);
    const resp: Json = { description: r['description'] };
    if (r['schema']) resp['schema'] = schema(m(m(r['schema'])['schema']));
    return resp;
  });
  return extensions(o, out);
}

function pathItem(p: Msg): Json {
  const out: Json = {};
  for (const k of ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'])
    if (p[k]) out[k] = operation(m(p[k]));
  if (p['parameters']) out['parameters'] = list(p['parameters']).map(parametersItem);
  return out;
}

/** The inverse of `toGnosticDocument`, written against the decoded message. */
function fromGnostic(d: Msg): Json {
  return {
    definitions: named(m(d['definitions'])['additionalProperties'], schema),
    info: d['info'],
    parameters: named(m(d['parameters'])['additionalProperties'], parameter),
    paths: named(m(d['paths'])['path'], pathItem),
    security: list(d['security']).map((r) => named(r['additionalProperties'], (v) => list(v['value']))),
    securityDefinitions: named(m(d['securityDefinitions'])['additionalProperties'], (v) => ({
      ...m(v['apiKeySecurity']),
    })),
    swagger: d['swagger'],
  };
}

describe('gnostic protobuf encoding of the OpenAPI v2 document', () => {
  const doc = buildV2Document();
  const bytes = encodeGnostic(doc);
  const type = gnosticType('Document');
  const decoded = type.toObject(type.decode(bytes), { arrays: false, defaults: false, oneofs: false });

  it('decodes back to the JSON document', () => {
    expect(fromGnostic(decoded)).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('puts kubectl’s lookups where client-go reads them', () => {
    const paths = list(m(decoded['paths'])['path']);
    const pod = paths.find((p) => p['name'] === '/api/v1/namespaces/{namespace}/pods/{name}');
    const patch = m(m(pod?.['value'])['patch']);
    const gvk = list(patch['vendorExtension']).find((e) => e['name'] === 'x-kubernetes-group-version-kind');
    expect(anyValue(gvk?.['value'])).toEqual({ group: '', kind: 'Pod', version: 'v1' });
    const globals = named(m(decoded['parameters'])['additionalProperties'], (v) => v);
    const names = list(patch['parameters']).map((p) => {
      const ref = String(m(p['jsonReference'])['ref'] ?? '');
      const param = ref ? globals[ref.slice('#/parameters/'.length)] : m(p['parameter']);
      return m(m(m(param)['nonBodyParameter'])['queryParameterSubSchema'])['name'];
    });
    expect(names).toContain('fieldValidation');
  });

  it('encodes the served document part by part to the same content as the served JSON', () => {
    const docs = new OpenApiDocuments();
    const served = type.toObject(type.decode(docs.v2Proto().bytes), {
      arrays: false,
      defaults: false,
      oneofs: false,
    });
    expect(fromGnostic(served)).toEqual(JSON.parse(docs.v2Json().bytes.toString('utf8')));
    expect(docs.v2Json().bytes.toString('utf8')).toBe(JSON.stringify(doc));
    expect(serializeV2Json().toString('utf8')).toBe(JSON.stringify(doc));
  });

  it('is compact', () => {
    expect(bytes.length).toBeLessThan(JSON.stringify(doc).length);
  });
});
