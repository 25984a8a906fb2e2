import { describe, expect, it } from 'vitest';
import { deleteBody, listQuery, resourcePath, watchQuery, withQuery, writeQuery } from './paths.js';
import { DEPLOYMENTS, LEASES, NODES, PODS } from './resources.js';

describe('resource paths', () => {
  it('builds core and group paths, namespaced or not', () => {
    expect(resourcePath(PODS)).toBe('/api/v1/pods');
    expect(resourcePath(PODS, { namespace: 'default' })).toBe('/api/v1/namespaces/default/pods');
    expect(resourcePath(PODS, { namespace: 'default', name: 'web-0', subresource: 'status' })).toBe(
      '/api/v1/namespaces/default/pods/web-0/status',
    );
    expect(resourcePath(NODES, { namespace: 'ignored', name: 'n1' })).toBe('/api/v1/nodes/n1');
    expect(resourcePath(DEPLOYMENTS, { namespace: 'a', name: 'd' })).toBe(
      '/apis/apps/v1/namespaces/a/deployments/d',
    );
    expect(resourcePath(LEASES, { namespace: 'kube-node-lease', name: 'n1' })).toBe(
      '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1',
    );
  });

  it('escapes names and refuses an empty name or a subresource without one', () => {
    expect(resourcePath(NODES, { name: 'a b/c' })).toBe('/api/v1/nodes/a%20b%2Fc');
    expect(() => resourcePath(NODES, { name: '' })).toThrow('a Node name is required');
    expect(() => resourcePath(NODES, { subresource: 'status' })).toThrow(/needs an object name/);
  });

  it('builds LIST, WATCH and write queries', () => {
    expect(withQuery('/api/v1/pods', listQuery({}))).toBe('/api/v1/pods');
    expect(
      withQuery(
        '/api/v1/pods',
        listQuery({
          labelSelector: 'app=web,tier!=db',
          fieldSelector: 'spec.nodeName=n1',
          limit: 500,
          continue: 'tok',
        }),
      ),
    ).toBe(
      '/api/v1/pods?labelSelector=app%3Dweb%2Ctier%21%3Ddb&fieldSelector=spec.nodeName%3Dn1&limit=500&continue=tok',
    );
    expect(withQuery('/p', listQuery({ resourceVersion: '0', resourceVersionMatch: 'NotOlderThan' }))).toBe(
      '/p?resourceVersion=0&resourceVersionMatch=NotOlderThan',
    );
    expect(
      withQuery('/p', watchQuery({ resourceVersion: '42', allowWatchBookmarks: true, timeoutSeconds: 300 })),
    ).toBe('/p?watch=true&resourceVersion=42&allowWatchBookmarks=true&timeoutSeconds=300');
    expect(withQuery('/p', watchQuery({}))).toBe('/p?watch=true');
    expect(
      withQuery('/p', writeQuery({ dryRun: true, fieldManager: 'kubelet', fieldValidation: 'Strict' })),
    ).toBe('/p?dryRun=All&fieldManager=kubelet&fieldValidation=Strict');
    expect(withQuery('/p', writeQuery({ dryRun: false }))).toBe('/p');
  });

  it('builds DeleteOptions bodies', () => {
    expect(deleteBody()).toEqual({ kind: 'DeleteOptions', apiVersion: 'v1' });
    expect(
      deleteBody({
        gracePeriodSeconds: 0,
        propagationPolicy: 'Background',
        preconditions: { uid: 'u' },
        dryRun: true,
      }),
    ).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      gracePeriodSeconds: 0,
      propagationPolicy: 'Background',
      preconditions: { uid: 'u' },
      dryRun: ['All'],
    });
  });
});
