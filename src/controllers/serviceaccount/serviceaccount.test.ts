import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ServedResources } from '../../apiserver/served.js';
import { objectKey } from '../../registry/keys.js';
import type { Store } from '../../registry/store.js';
import type { StrategyContext } from '../../registry/strategy.js';
import { SqliteBackend } from '../../storage/sqlite/sqlite.js';
import { waitFor } from '../../storage/testing/wait.js';
import { logger } from '../../util/log.js';
import { configureNamespaceStore } from '../namespace/namespace.js';
import { missingServiceAccounts, namespaceActive, ServiceAccountsController } from './serviceaccount.js';

const log = logger.child({ component: 'test' });
log.level = 'silent';
const clock = { now: () => new Date('2026-11-29T08:00:00Z') };

describe('missingServiceAccounts', () => {
  const ns = { metadata: { name: 'a' }, status: { phase: 'Active' } };

  it('names the managed accounts an active namespace lacks', () => {
    expect(missingServiceAccounts(ns, () => false)).toEqual(['default']);
    expect(missingServiceAccounts(ns, (n) => n === 'default')).toEqual([]);
    expect(missingServiceAccounts(ns, () => false, ['default', 'builder'])).toEqual(['default', 'builder']);
  });

  it('names none for a missing or terminating namespace', () => {
    expect(missingServiceAccounts(undefined, () => false)).toEqual([]);
    expect(missingServiceAccounts({ ...ns, status: { phase: 'Terminating' } }, () => false)).toEqual([]);
    expect(
      missingServiceAccounts(
        { metadata: { name: 'a', deletionTimestamp: '2026-11-29T08:00:00Z' } },
        () => false,
      ),
    ).toEqual([]);
    expect(namespaceActive(ns)).toBe(true);
  });
});

describe('ServiceAccountsController', () => {
  let dir: string;
  let backend: SqliteBackend;
  let served: ServedResources;
  let controller: ServiceAccountsController;

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
  const hasDefault = (ns: string): boolean => {
    const cache = served.cache('', 'serviceaccounts');
    return cache?.get(objectKey(cache.prefix, ns, 'default')) !== undefined;
  };
  const accounts = (): string[] =>
    [...(served.cache('', 'serviceaccounts')?.values() ?? [])].map((c) => `${c.namespace}/${c.name}`).sort();
  const createNamespace = (name: string) =>
    store('namespaces').create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, ctx(''), {
      dryRun: false,
    });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k8ts-sa-controller-'));
    backend = new SqliteBackend({ path: join(dir, 'state.db'), synchronous: 'NORMAL', logger: log });
    await backend.start();
    served = new ServedResources({ backend, clock, log, virtuals: {}, printerFor: () => undefined });
    configureNamespaceStore(store('namespaces'));
    await served.caches.start();
    await createNamespace('existing');
    controller = new ServiceAccountsController(served, clock, log);
    controller.start();
  });

  afterEach(async () => {
    controller.stop();
    served.caches.stop();
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates `default` in namespaces that exist at start and in new ones', async () => {
    await waitFor(
      () => hasDefault('existing'),
      () => `default in existing; saw ${accounts().join(', ')}`,
    );
    await createNamespace('fresh');
    await waitFor(
      () => hasDefault('fresh'),
      () => `default in fresh; saw ${accounts().join(', ')}`,
    );
    const sa = (await store('serviceaccounts').get('fresh', 'default', '')).object;
    expect(sa).toMatchObject({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
  });

  it('recreates `default` after it is deleted, with a new uid', async () => {
    await waitFor(
      () => hasDefault('existing'),
      () => accounts().join(', '),
    );
    const before = (await store('serviceaccounts').get('existing', 'default', '')).object.metadata.uid;
    await store('serviceaccounts').delete('default', ctx('existing'), { dryRun: false });
    await waitFor(
      () => {
        const cache = served.cache('', 'serviceaccounts');
        const c = cache?.get(objectKey(cache.prefix, 'existing', 'default'));
        return c !== undefined && c.object.metadata.uid !== before;
      },
      () => `a new default in existing; saw ${accounts().join(', ')}`,
    );
  });

  it('does not create accounts in a namespace being deleted', async () => {
    await waitFor(
      () => hasDefault('existing'),
      () => accounts().join(', '),
    );
    // A finalizer keeps the namespace Terminating (no namespace controller runs here).
    await createNamespace('leaving');
    await waitFor(
      () => hasDefault('leaving'),
      () => accounts().join(', '),
    );
    await store('namespaces').delete('leaving', ctx(''), { dryRun: false });
    const leaving = (await store('namespaces').get('', 'leaving', '')).object;
    expect(leaving.metadata.deletionTimestamp).toBeDefined();
    await store('serviceaccounts').delete('default', ctx('leaving'), { dryRun: false });
    await waitFor(
      () => !hasDefault('leaving'),
      () => accounts().join(', '),
    );
    await controller.sync('leaving');
    expect(hasDefault('leaving')).toBe(false);
  });
});
