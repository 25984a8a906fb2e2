import { describe, expect, it } from 'vitest';
import { definitions } from '../../api/types/index.js';
import { allRefs, at, isJson, operationsOf } from './testing.js';
import type { Json } from './schemas.js';
import { buildV2Document } from './v2.js';

const doc = buildV2Document();
const defs = at(doc, 'definitions');
const paths = at(doc, 'paths');
const sharedParams = at(doc, 'parameters');

/** The parameters of an operation and its path, with `#/parameters/…` references resolved. */
function paramsOf(path: string, method: string): Json[] {
  const item = at(paths, path);
  const list = [
    ...((item['parameters'] as Json[] | undefined) ?? []),
    ...((at(item, method)['parameters'] as Json[] | undefined) ?? []),
  ];
  return list.map((p) =>
    typeof p['$ref'] === 'string' ? at(sharedParams, p['$ref'].slice('#/parameters/'.length)) : p,
  );
}

function opParamNames(path: string, method: string): string[] {
  const op = at(paths, path, method);
  return ((op['parameters'] as Json[] | undefined) ?? []).map((p) =>
    typeof p['$ref'] === 'string' ? String(at(sharedParams, p['$ref'].slice(13))['name']) : String(p['name']),
  );
}

describe('OpenAPI v2 definitions', () => {
  it('publishes every registered definition', () => {
    expect(Object.keys(defs).length).toBe([...definitions.all()].length);
  });

  it('renders the wire scalars as upstream does', () => {
    expect(at(defs, 'io.k8s.apimachinery.pkg.api.resource.Quantity')).toMatchObject({ type: 'string' });
    expect(at(defs, 'io.k8s.apimachinery.pkg.api.resource.Quantity')['format']).toBeUndefined();
    expect(at(defs, 'io.k8s.apimachinery.pkg.util.intstr.IntOrString')).toMatchObject({
      format: 'int-or-string',
      type: 'string',
    });
    expect(at(defs, 'io.k8s.apimachinery.pkg.apis.meta.v1.Time')).toMatchObject({
      format: 'date-time',
      type: 'string',
    });
    expect(at(defs, 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime')).toMatchObject({
      format: 'date-time',
      type: 'string',
    });
    expect(at(defs, 'io.k8s.apimachinery.pkg.runtime.RawExtension')).toMatchObject({ type: 'object' });
    expect(at(defs, 'io.k8s.apimachinery.pkg.runtime.RawExtension')['properties']).toBeUndefined();
  });

  it('tags kinds with their group/version/kind', () => {
    expect(at(defs, 'io.k8s.api.core.v1.Pod')['x-kubernetes-group-version-kind']).toEqual([
      { group: '', kind: 'Pod', version: 'v1' },
    ]);
    expect(at(defs, 'io.k8s.api.apps.v1.DeploymentList')['x-kubernetes-group-version-kind']).toEqual([
      { group: 'apps', kind: 'DeploymentList', version: 'v1' },
    ]);
    expect(at(defs, 'io.k8s.api.core.v1.PodSpec')['x-kubernetes-group-version-kind']).toBeUndefined();
  });

  it('carries merge keys and list semantics on list fields', () => {
    expect(at(defs, 'io.k8s.api.core.v1.PodSpec', 'properties', 'containers')).toEqual({
      description: expect.any(String),
      items: { $ref: '#/definitions/io.k8s.api.core.v1.Container' },
      type: 'array',
      'x-kubernetes-list-map-keys': ['name'],
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
    });
    expect(at(defs, 'io.k8s.api.core.v1.Container', 'properties', 'ports')).toMatchObject({
      'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
      'x-kubernetes-patch-merge-key': 'containerPort',
      'x-kubernetes-patch-strategy': 'merge',
    });
    expect(
      at(defs, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'properties', 'finalizers'),
    ).toMatchObject({
      items: { type: 'string' },
      'x-kubernetes-list-type': 'set',
      'x-kubernetes-patch-strategy': 'merge',
    });
    expect(at(defs, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector')['x-kubernetes-map-type']).toBe(
      'atomic',
    );
  });

  it('keeps descriptions beside references, renders maps, enums, defaults and required fields', () => {
    const pod = at(defs, 'io.k8s.api.core.v1.Pod', 'properties');
    expect(pod['metadata']).toEqual({
      $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
      description: expect.any(String),
    });
    expect(at(defs, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'properties', 'labels')).toMatchObject(
      {
        additionalProperties: { type: 'string' },
        type: 'object',
      },
    );
    expect(at(defs, 'io.k8s.api.core.v1.ContainerPort', 'properties', 'protocol')).toMatchObject({
      default: 'TCP',
      type: 'string',
    });
    expect(at(defs, 'io.k8s.api.core.v1.Container', 'properties', 'imagePullPolicy')['enum']).toEqual([
      'Always',
      'IfNotPresent',
      'Never',
    ]);
    expect(at(defs, 'io.k8s.api.core.v1.Container')['required']).toEqual(['name']);
    expect(at(defs, 'io.k8s.api.core.v1.ContainerPort', 'properties', 'containerPort')).toMatchObject({
      format: 'int32',
      type: 'integer',
    });
  });
});

describe('OpenAPI v2 paths', () => {
  it('resolves every reference', () => {
    for (const ref of allRefs(doc)) {
      const [, section, name] = /^#\/(definitions|parameters)\/(.+)$/.exec(ref) ?? [];
      expect(section, ref).toBeDefined();
      expect(isJson(at(doc, section!)[name!]), ref).toBe(true);
    }
  });

  it('gives every operation a unique upstream-style id', () => {
    const ids = Object.values(paths).flatMap((item) =>
      operationsOf(item as Json).map(([, o]) => String(o['operationId'])),
    );
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of [
      'listCoreV1NamespacedPod',
      'listCoreV1PodForAllNamespaces',
      'createCoreV1NamespacedPod',
      'deleteCoreV1CollectionNamespacedPod',
      'readCoreV1NamespacedPod',
      'patchCoreV1NamespacedPodStatus',
      'createCoreV1NamespacedPodBinding',
      'createCoreV1NamespacedPodEviction',
      'watchCoreV1NamespacedPodList',
      'replaceCoreV1NamespaceFinalize',
      'readAppsV1NamespacedDeploymentScale',
      'listRbacAuthorizationV1ClusterRole',
      'createAuthorizationV1SelfSubjectAccessReview',
      'getAppsAPIGroup',
      'getCoreV1APIResources',
    ])
      expect(ids).toContain(id);
  });

  it('describes the pod collection: list, create and delete-collection with their parameters', () => {
    const item = at(paths, '/api/v1/namespaces/{namespace}/pods');
    expect(operationsOf(item).map(([m]) => m)).toEqual(['get', 'post', 'delete']);
    const shared = paramsOf('/api/v1/namespaces/{namespace}/pods', 'get').slice(0, 2);
    expect(shared.map((p) => [p['name'], p['in']])).toEqual([
      ['namespace', 'path'],
      ['pretty', 'query'],
    ]);
    expect(opParamNames('/api/v1/namespaces/{namespace}/pods', 'get')).toEqual([
      'allowWatchBookmarks',
      'continue',
      'fieldSelector',
      'labelSelector',
      'limit',
      'resourceVersion',
      'resourceVersionMatch',
      'sendInitialEvents',
      'timeoutSeconds',
      'watch',
    ]);
    expect(opParamNames('/api/v1/namespaces/{namespace}/pods', 'post')).toEqual([
      'body',
      'dryRun',
      'fieldManager',
      'fieldValidation',
    ]);
    expect(opParamNames('/api/v1/namespaces/{namespace}/pods', 'delete')).toEqual(
      expect.arrayContaining([
        'body',
        'gracePeriodSeconds',
        'propagationPolicy',
        'orphanDependents',
        'labelSelector',
      ]),
    );
    const list = at(item, 'get');
    expect(list).toMatchObject({
      operationId: 'listCoreV1NamespacedPod',
      'x-kubernetes-action': 'list',
      'x-kubernetes-group-version-kind': { group: '', kind: 'Pod', version: 'v1' },
    });
    expect(at(list, 'responses', '200', 'schema')).toEqual({
      $ref: '#/definitions/io.k8s.api.core.v1.PodList',
    });
  });

  it('describes the named pod: path parameters on the path, write parameters on the operations', () => {
    const path = '/api/v1/namespaces/{namespace}/pods/{name}';
    expect(operationsOf(at(paths, path)).map(([m]) => m)).toEqual(['get', 'put', 'delete', 'patch']);
    const namedParams = paramsOf(path, 'patch');
    expect(namedParams.find((p) => p['name'] === 'name')).toMatchObject({
      in: 'path',
      required: true,
      type: 'string',
    });
    expect(opParamNames(path, 'patch')).toEqual([
      'body',
      'dryRun',
      'fieldManager',
      'fieldValidation',
      'force',
    ]);
    const patch = at(paths, path, 'patch');
    expect(patch['consumes']).toEqual(
      expect.arrayContaining(['application/strategic-merge-patch+json', 'application/merge-patch+json']),
    );
    const body = namedParams.find((p) => p['in'] === 'body');
    expect(body).toMatchObject({
      name: 'body',
      required: true,
      schema: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' },
    });
  });

  it('describes deployments/scale with the autoscaling/v1 Scale kind', () => {
    const path = '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale';
    const item = at(paths, path);
    expect(operationsOf(item).map(([m, o]) => [m, o['operationId']])).toEqual([
      ['get', 'readAppsV1NamespacedDeploymentScale'],
      ['put', 'replaceAppsV1NamespacedDeploymentScale'],
      ['patch', 'patchAppsV1NamespacedDeploymentScale'],
    ]);
    for (const [, o] of operationsOf(item)) {
      expect(o['x-kubernetes-group-version-kind']).toEqual({
        group: 'autoscaling',
        kind: 'Scale',
        version: 'v1',
      });
      expect(at(o, 'responses', '200', 'schema')).toEqual({
        $ref: '#/definitions/io.k8s.api.autoscaling.v1.Scale',
      });
    }
    expect(paramsOf(path, 'put').find((p) => p['in'] === 'body')).toMatchObject({
      schema: { $ref: '#/definitions/io.k8s.api.autoscaling.v1.Scale' },
    });
    expect(opParamNames(path, 'patch')).toContain('fieldValidation');
  });

  it('lists fieldValidation on every object PATCH operation itself (kubectl looks only there)', () => {
    let patches = 0;
    for (const [path, item] of Object.entries(paths)) {
      const patch = (item as Json)['patch'];
      // Proxy PATCHes are connections, tagged with the proxy options kind: they take no body fields.
      if (!isJson(patch) || patch['x-kubernetes-action'] === 'connect') continue;
      patches++;
      expect(opParamNames(path, 'patch'), path).toContain('fieldValidation');
      expect(patch['x-kubernetes-group-version-kind'], path).toBeDefined();
    }
    expect(patches).toBeGreaterThan(40);
  });

  it('serves watch paths and the discovery endpoints', () => {
    expect(at(paths, '/api/v1/watch/namespaces/{namespace}/pods', 'get')).toMatchObject({
      operationId: 'watchCoreV1NamespacedPodList',
      'x-kubernetes-action': 'watchlist',
    });
    expect(at(paths, '/apis/', 'get', 'responses', '200', 'schema')).toEqual({
      $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList',
    });
    expect(at(paths, '/version/', 'get')['operationId']).toBe('getCodeVersion');
    expect(Object.keys(paths).some((p) => p.includes('openid'))).toBe(false);
  });

  it('is small: well under a megabyte without indentation', () => {
    expect(JSON.stringify(doc).length).toBeLessThan(1_000_000);
  });
});
