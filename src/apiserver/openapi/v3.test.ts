import { describe, expect, it } from 'vitest';
import type { Json } from './schemas.js';
import { allRefs, at, isJson, operationsOf, refHolders } from './testing.js';
import { buildV3Documents } from './v3.js';

const docs = buildV3Documents();

function doc(key: string): Json {
  const d = docs.get(key);
  if (!d) throw new Error(`no v3 document ${key}`);
  return d;
}

const PREFIX = '#/components/schemas/';

/** The schema names a document needs: those its paths refer to, and everything they refer to. */
function reachable(d: Json): Set<string> {
  const schemas = at(d, 'components', 'schemas');
  const out = new Set<string>();
  const stack = allRefs(d['paths']).map((r) => r.slice(PREFIX.length));
  while (stack.length) {
    const name = stack.pop()!;
    if (out.has(name)) continue;
    out.add(name);
    stack.push(...allRefs(schemas[name]).map((r) => r.slice(PREFIX.length)));
  }
  return out;
}

describe('OpenAPI v3 documents', () => {
  it('has one document per group version, per group, and for api, apis and version', () => {
    const keys = [...docs.keys()];
    for (const k of [
      'api',
      'api/v1',
      'apis',
      'apis/apps',
      'apis/apps/v1',
      'apis/autoscaling/v1',
      'apis/autoscaling/v2',
      'version',
    ])
      expect(keys).toContain(k);
    expect(keys.some((k) => k.includes('openid') || k === 'logs')).toBe(false);
  });

  it('holds exactly the schemas its paths reach, no more, no fewer', () => {
    for (const [key, d] of docs) {
      const names = Object.keys(at(d, 'components', 'schemas')).sort();
      expect(names, key).toEqual([...reachable(d)].sort());
    }
    const apps = Object.keys(at(doc('apis/apps/v1'), 'components', 'schemas'));
    expect(apps).toContain('io.k8s.api.apps.v1.Deployment');
    expect(apps).toContain('io.k8s.api.core.v1.PodSpec');
    expect(apps).toContain('io.k8s.api.autoscaling.v1.Scale');
    expect(apps).toContain('io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions');
    expect(apps).not.toContain('io.k8s.api.core.v1.Pod');
    expect(apps).not.toContain('io.k8s.api.batch.v1.Job');
    expect(Object.keys(at(doc('version'), 'components', 'schemas'))).toEqual([
      'io.k8s.apimachinery.pkg.version.Info',
    ]);
  });

  it('has only paths of its own group version', () => {
    for (const p of Object.keys(at(doc('apis/apps/v1'), 'paths')))
      expect(p.startsWith('/apis/apps/v1/')).toBe(true);
    expect(Object.keys(at(doc('apis/apps'), 'paths'))).toEqual(['/apis/apps/']);
  });

  it('wraps references that carry a description in allOf, and leaves bare references bare', () => {
    for (const [key, d] of docs)
      for (const holder of refHolders(d)) expect(Object.keys(holder), key).toEqual(['$ref']);
    const deployment = at(doc('apis/apps/v1'), 'components', 'schemas', 'io.k8s.api.apps.v1.Deployment');
    expect(at(deployment, 'properties', 'metadata')).toEqual({
      allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }],
      description: expect.any(String),
    });
    expect(deployment['x-kubernetes-group-version-kind']).toEqual([
      { group: 'apps', kind: 'Deployment', version: 'v1' },
    ]);
  });

  it('renders Quantity and IntOrString as one of their wire types', () => {
    const schemas = at(doc('api/v1'), 'components', 'schemas');
    expect(at(schemas, 'io.k8s.apimachinery.pkg.api.resource.Quantity')).toEqual({
      description: expect.any(String),
      oneOf: [{ type: 'string' }, { type: 'number' }],
    });
    expect(at(schemas, 'io.k8s.apimachinery.pkg.util.intstr.IntOrString')).toEqual({
      description: expect.any(String),
      format: 'int-or-string',
      oneOf: [{ type: 'integer' }, { type: 'string' }],
    });
    expect(at(schemas, 'io.k8s.apimachinery.pkg.apis.meta.v1.Time')).toMatchObject({
      format: 'date-time',
      type: 'string',
    });
  });

  it('keeps patch metadata on list fields', () => {
    const containers = at(
      doc('api/v1'),
      'components',
      'schemas',
      'io.k8s.api.core.v1.PodSpec',
      'properties',
      'containers',
    );
    expect(containers).toMatchObject({
      items: { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' },
      type: 'array',
      'x-kubernetes-list-map-keys': ['name'],
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
    });
  });

  it('describes the pod operations with parameters, request bodies and responses', () => {
    const item = at(doc('api/v1'), 'paths', '/api/v1/namespaces/{namespace}/pods/{name}');
    expect((item['parameters'] as Json[]).map((p) => [p['name'], p['in'], p['required'] ?? false])).toEqual([
      ['name', 'path', true],
      ['namespace', 'path', true],
      ['pretty', 'query', false],
    ]);
    const patch = at(item, 'patch');
    expect(patch).toMatchObject({
      operationId: 'patchCoreV1NamespacedPod',
      'x-kubernetes-action': 'patch',
      'x-kubernetes-group-version-kind': { group: '', kind: 'Pod', version: 'v1' },
    });
    expect((patch['parameters'] as Json[]).map((p) => p['name'])).toEqual([
      'dryRun',
      'fieldManager',
      'fieldValidation',
      'force',
    ]);
    expect((patch['parameters'] as Json[])[2]).toMatchObject({ in: 'query', schema: { type: 'string' } });
    expect(at(patch, 'requestBody', 'content', 'application/strategic-merge-patch+json', 'schema')).toEqual({
      $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
    });
    expect(at(patch, 'requestBody')['required']).toBe(true);
    expect(at(patch, 'responses', '200', 'content', 'application/json', 'schema')).toEqual({
      $ref: '#/components/schemas/io.k8s.api.core.v1.Pod',
    });
    expect(at(patch, 'responses', '401')).toEqual({ description: 'Unauthorized' });
    const list = at(doc('api/v1'), 'paths', '/api/v1/namespaces/{namespace}/pods', 'get');
    expect(Object.keys(at(list, 'responses', '200', 'content'))).toContain('application/json;stream=watch');
  });

  it('lists fieldValidation on every object PATCH operation of every document', () => {
    for (const [key, d] of docs)
      for (const [path, item] of Object.entries(at(d, 'paths'))) {
        for (const [method, op] of operationsOf(item as Json)) {
          if (method !== 'patch' || op['x-kubernetes-action'] === 'connect') continue;
          const names = ((op['parameters'] as Json[] | undefined) ?? []).map((p) => p['name']);
          expect(names, `${key} ${path}`).toContain('fieldValidation');
        }
      }
  });

  it('describes deployments/scale in apps/v1', () => {
    const item = at(
      doc('apis/apps/v1'),
      'paths',
      '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale',
    );
    expect(operationsOf(item).map(([, o]) => o['operationId'])).toEqual([
      'readAppsV1NamespacedDeploymentScale',
      'replaceAppsV1NamespacedDeploymentScale',
      'patchAppsV1NamespacedDeploymentScale',
    ]);
    expect(at(item, 'put', 'requestBody', 'content', '*/*', 'schema')).toEqual({
      $ref: '#/components/schemas/io.k8s.api.autoscaling.v1.Scale',
    });
    expect(isJson(at(item, 'patch'))).toBe(true);
  });

  it('declares OpenAPI 3.0 and the bearer token scheme', () => {
    expect(doc('api/v1')).toMatchObject({
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: 'unversioned' },
      components: {
        securitySchemes: { BearerToken: { in: 'header', name: 'authorization', type: 'apiKey' } },
      },
    });
  });
});
