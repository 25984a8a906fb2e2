import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta.js';
import { ServedResources } from '../../apiserver/served.js';
import { objectKey } from '../../registry/keys.js';
import type { Store } from '../../registry/store.js';
import type { StrategyContext } from '../../registry/strategy.js';
import { SqliteBackend } from '../../storage/sqlite/sqlite.js';
import { waitFor } from '../../storage/testing/wait.js';
import { logger } from '../../util/log.js';
import { DESCRIPTION_ANNOTATION, ROOT_CA_DESCRIPTION, RootCaPublisher, rootCaAction } from './publisher.js';

const log = logger.child({ component: 'test' });
log.level = 'silent';
const clock = { now: () => new Date('2026-11-29T08:00:00Z') };
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const active = { metadata: { name: 'a' }, status: { phase: 'Active' } };

describe('rootCaAction', () => {
  it('creates the ConfigMap in an active namespace, with the CA and the description', () => {
    const todo = rootCaAction('a', active, undefined, CA);
    expect(todo).toEqual({
      action: 'create',
      configMap: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'kube-root-ca.crt',
          namespace: 'a',
          annotations: { [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION },
        },
        data: { 'ca.crt': CA },
      },
    });
  });

  it('creates nothing in a missing or terminating namespace', () => {
    expect(rootCaAction('a', undefined, undefined, CA)).toEqual({ action: 'none' });
    expect(rootCaAction('a', { ...active, status: { phase: 'Terminating' } }, undefined, CA)).toEqual({
      action: 'none',
    });
  });

  it('leaves a correct ConfigMap alone and repairs a changed one, keeping other metadata', () => {
    const good: KubeObject = {
      metadata: { name: 'kube-root-ca.crt', annotations: { [DESCRIPTION_ANNOTATION]: 'x' } },
      data: { 'ca.crt': CA },
    };
    expect(rootCaAction('a', active, good, CA)).toEqual({ action: 'none' });
    const changed: KubeObject = {
      metadata: { name: 'kube-root-ca.crt', labels: { keep: 'me' } },
      data: { 'ca.crt': 'old', extra: '1' },
    };
    const todo = rootCaAction('a', active, changed, CA);
    if (todo.action !== 'update') throw new Error(`expected an update, got ${todo.action}`);
    expect(todo.apply(changed)).toEqual({
      metadata: {
        name: 'kube-root-ca.crt',
        labels: { keep: 'me' },
        annotations: { [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION },
      },
      data: { 'ca.crt': CA },
    });
    expect(changed['data']).toEqual({ 'ca.crt': 'old', extra: '1' });
  });
});

describe('RootCaPublisher', () => {
  let dir: string;
  let backend: SqliteBackend;
  let served: ServedResources;
  let publisher: RootCaPublisher;

  const ctx = (namespace: string): StrategyContext => ({
    user: { username: 'admin', groups: ['system:masters'] },
    namespace,
    now: () => clock.now(),
  });
  const store = (plural: string): Store => {
    const s = served.get('', 'v1', plural)?.store;
    if (!s) throw new Error(plural);
    return s;
  };
  const configMap = (ns: string): KubeObject | undefined => {
    const cache = served.cache('', 'configmaps');
    return cache?.get(objectKey(cache.prefix, ns, 'kube-root-ca.crt'))?.object;
  };
  const published = (ns: string): boolean =>
    (configMap(ns)?.['data'] as { 'ca.crt'?: string })?.['ca.crt'] === CA;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k8ts-rootca-'));
    backend = new SqliteBackend({ path: join(dir, 'state.db'), synchronous: 'NORMAL', logger: log });
    await backend.start();
    served = new ServedResources({ backend, clock, log, virtuals: {}, printerFor: () => undefined });
    await served.caches.start();
    await store('namespaces').create(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } },
      ctx(''),
      {
        dryRun: false,
      },
    );
    publisher = new RootCaPublisher(served, CA, clock, log);
    publisher.start();
  });

  afterEach(async () => {
    publisher.stop();
    served.caches.stop();
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes the CA in every namespace and puts back a deleted or edited ConfigMap', async () => {
    await waitFor(
      () => published('team'),
      () => `kube-root-ca.crt in team; saw ${JSON.stringify(configMap('team'))}`,
    );
    expect(configMap('team')?.metadata?.annotations?.[DESCRIPTION_ANNOTATION]).toBe(ROOT_CA_DESCRIPTION);

    await store('configmaps').mutate(
      'kube-root-ca.crt',
      ctx('team'),
      { dryRun: false, subresource: '' },
      (cm) => {
        cm['data'] = { 'ca.crt': 'tampered' };
        return cm;
      },
    );
    await waitFor(
      () => published('team'),
      () => `repaired CA; saw ${JSON.stringify(configMap('team'))}`,
    );

    await store('configmaps').delete('kube-root-ca.crt', ctx('team'), { dryRun: false });
    await waitFor(
      () => published('team'),
      () => `recreated CA; saw ${JSON.stringify(configMap('team'))}`,
    );
  });
});
