/**
 * Issue 2 acceptance, deleting with kubectl 1.32 and 1.27: `--cascade=orphan` keeps the dependent
 * and strips its ownerReference; the default (background) cascade removes the dependent; foreground
 * removes the dependent before the owner; namespace deletion empties the namespace and the namespace
 * goes; creating in a missing namespace is NotFound and in a terminating one Forbidden.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL_VERSIONS, kubectl, kubectlFails, kubectlOk } from '../support/kubectl.js';
import {
  configMap,
  deployment,
  pod,
  uniqueName,
  writeFile,
  yamlStream,
  type Obj,
} from '../support/manifests.js';
import { create, createNamespace, getPath } from '../support/objects.js';
import { pollUntil } from '../support/poll.js';
import { startServer, type TestServer } from '../support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

interface Owned {
  metadata: {
    name: string;
    uid: string;
    ownerReferences?: { uid: string; name: string }[];
    deletionTimestamp?: string;
    finalizers?: string[];
  };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

/** A ReplicaSet owned by the given Deployment, as a controller would create it. */
function dependentOf(ns: string, owner: { metadata: { name: string; uid: string } }, name: string): Obj {
  const rs = deployment(ns, name, 1);
  rs['kind'] = 'ReplicaSet';
  (rs['metadata'] as Obj)['ownerReferences'] = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: owner.metadata.name,
      uid: owner.metadata.uid,
      // Not the controller reference: the Deployment controller would release a ReplicaSet its
      // selector does not match. The garbage collector follows every ownerReference alike.
      controller: false,
      blockOwnerDeletion: true,
    },
  ];
  return rs;
}

describe.each(KUBECTL_VERSIONS)('kubectl %s', (version) => {
  const ns = uniqueName(`del-${version.replace('.', '')}`);
  const rsPath = (name: string): string => `/apis/apps/v1/namespaces/${ns}/replicasets/${name}`;
  const depPath = (name: string): string => `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;

  beforeAll(async () => {
    await createNamespace(server, ns);
  });

  it('--cascade=orphan deletes the owner and keeps the dependent without its ownerReference', async () => {
    const owner = await create<Owned>(server, deployment(ns, 'orphaner', 1));
    await create(server, dependentOf(ns, owner, 'orphaner-rs'));
    const out = await kubectlOk(server, ['-n', ns, 'delete', 'deployment', 'orphaner', '--cascade=orphan'], {
      version,
    });
    expect(out.trim()).toBe('deployment.apps "orphaner" deleted');
    await pollUntil(
      'the owner to be gone',
      () => getPath(server, depPath('orphaner')),
      (d) => d === undefined,
    );
    const rs = await pollUntil(
      'the dependent to lose its ownerReference',
      () => getPath<Owned>(server, rsPath('orphaner-rs')),
      (r) => r !== undefined && (r.metadata.ownerReferences ?? []).length === 0,
    );
    expect(rs?.metadata.deletionTimestamp).toBeUndefined();
  });

  it('the default (background) cascade deletes the dependent', async () => {
    const owner = await create<Owned>(server, deployment(ns, 'bg', 1));
    await create(server, dependentOf(ns, owner, 'bg-rs'));
    const out = await kubectlOk(server, ['-n', ns, 'delete', 'deployment', 'bg'], { version });
    expect(out.trim()).toBe('deployment.apps "bg" deleted');
    expect(await getPath(server, depPath('bg'))).toBeUndefined();
    await pollUntil(
      'the dependent to be deleted',
      () => getPath(server, rsPath('bg-rs')),
      (r) => r === undefined,
    );
  });

  it('--cascade=foreground deletes the dependent first, then the owner', async () => {
    const owner = await create<Owned>(server, deployment(ns, 'fg', 1));
    await create(server, dependentOf(ns, owner, 'fg-rs'));
    // kubectl waits for the owner to disappear, which needs the dependent gone first.
    await kubectlOk(
      server,
      ['-n', ns, 'delete', 'deployment', 'fg', '--cascade=foreground', '--timeout=30s'],
      {
        version,
      },
    );
    expect(await getPath(server, depPath('fg'))).toBeUndefined();
    expect(await getPath(server, rsPath('fg-rs'))).toBeUndefined();
  });

  it('deleting a namespace empties it, then the namespace goes', async () => {
    const doomed = uniqueName('doomed');
    await createNamespace(server, doomed);
    await create(server, configMap(doomed, 'c1'));
    await create(server, pod(doomed, 'p1'));
    await create(server, deployment(doomed, 'd1', 1));
    await create(server, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's1', namespace: doomed },
      stringData: { k: 'v' },
    });
    const out = await kubectlOk(server, ['delete', 'namespace', doomed, '--timeout=60s'], { version });
    expect(out.trim()).toBe(`namespace "${doomed}" deleted`);
    const gone = await kubectl(server, ['get', 'namespace', doomed], { version });
    expect(gone.code).toBe(1);
    expect(gone.stderr.trim()).toBe(`Error from server (NotFound): namespaces "${doomed}" not found`);
    for (const path of [
      `/api/v1/namespaces/${doomed}/configmaps`,
      `/api/v1/namespaces/${doomed}/pods`,
      `/api/v1/namespaces/${doomed}/secrets`,
      `/apis/apps/v1/namespaces/${doomed}/deployments`,
    ]) {
      const list = await getPath<{ items: unknown[] }>(server, path);
      expect(list?.items, path).toEqual([]);
    }
  });

  it('a namespace held by a finalizer reports why in its conditions', async () => {
    const held = uniqueName('held');
    await createNamespace(server, held);
    await create(server, {
      ...configMap(held, 'pinned'),
      metadata: { name: 'pinned', namespace: held, finalizers: ['e2e.k8ts.io/hold'] },
    });
    await kubectlOk(server, ['delete', 'namespace', held, '--wait=false'], { version });
    const ns = await pollUntil(
      'the namespace to report the remaining content and finalizer',
      () => getPath<Owned>(server, `/api/v1/namespaces/${held}`),
      // The default ServiceAccount and kube-root-ca.crt, made by controllers right after the
      // namespace, may still be counted in a first report: wait for the one that is held.
      (n) =>
        (n?.status?.conditions ?? []).some(
          (c) => c.type === 'NamespaceFinalizersRemaining' && c.status === 'True',
        ) &&
        (n?.status?.conditions ?? []).some(
          (c) =>
            c.type === 'NamespaceContentRemaining' &&
            c.message === 'Some resources are remaining: configmaps. has 1 resource instances',
        ),
      { timeoutMs: 20_000 },
    );
    const conditions = Object.fromEntries((ns?.status?.conditions ?? []).map((c) => [c.type, c]));
    expect(conditions['NamespaceContentRemaining']).toMatchObject({
      status: 'True',
      reason: 'SomeResourcesRemain',
      message: 'Some resources are remaining: configmaps. has 1 resource instances',
    });
    expect(conditions['NamespaceFinalizersRemaining']).toMatchObject({
      status: 'True',
      reason: 'SomeFinalizersRemain',
      message:
        'Some content in the namespace has finalizers remaining: e2e.k8ts.io/hold in 1 resource instances',
    });
    const described = await kubectlOk(server, ['describe', 'namespace', held], { version });
    expect(described).toMatch(/^Status:\s+Terminating$/m);
    await kubectlOk(
      server,
      [
        '-n',
        held,
        'patch',
        'configmap',
        'pinned',
        '--type',
        'merge',
        '-p',
        '{"metadata":{"finalizers":null}}',
      ],
      {
        version,
      },
    );
    await pollUntil(
      'the namespace to be gone',
      () => getPath(server, `/api/v1/namespaces/${held}`),
      (n) => n === undefined,
      {
        timeoutMs: 30_000,
      },
    );
  });

  it('creating in a missing namespace is NotFound', async () => {
    const missing = uniqueName('missing');
    const file = writeFile(server, `missing-${version}.yaml`, yamlStream([configMap(missing, 'c1')]));
    const r = await kubectlFails(server, ['create', '-f', file], { version });
    expect(r.stderr.trim()).toBe(
      `Error from server (NotFound): error when creating "${file}": namespaces "${missing}" not found`,
    );
  });

  it('creating in a terminating namespace is Forbidden; the namespace goes once the finalizer is removed', async () => {
    const slow = uniqueName('slow');
    await createNamespace(server, slow);
    await create(server, {
      ...configMap(slow, 'held'),
      metadata: { name: 'held', namespace: slow, finalizers: ['e2e.k8ts.io/hold'] },
    });
    await kubectlOk(server, ['delete', 'namespace', slow, '--wait=false'], { version });
    const terminating = await pollUntil(
      'the namespace to report Terminating',
      () => getPath<Owned>(server, `/api/v1/namespaces/${slow}`),
      (n) => n?.status?.phase === 'Terminating',
    );
    expect(terminating?.metadata.deletionTimestamp).toBeDefined();
    const table = await kubectlOk(server, ['get', 'namespace', slow], { version });
    expect(table).toMatch(new RegExp(`^${slow}\\s+Terminating\\s+`, 'm'));

    const file = writeFile(server, `terminating-${version}.yaml`, yamlStream([configMap(slow, 'late')]));
    const r = await kubectlFails(server, ['create', '-f', file], { version });
    expect(r.stderr.trim()).toBe(
      `Error from server (Forbidden): error when creating "${file}": configmaps "late" is forbidden: ` +
        `unable to create new content in namespace ${slow} because it is being terminated`,
    );

    await kubectlOk(
      server,
      [
        '-n',
        slow,
        'patch',
        'configmap',
        'held',
        '--type',
        'json',
        '-p',
        '[{"op":"remove","path":"/metadata/finalizers"}]',
      ],
      {
        version,
      },
    );
    await pollUntil(
      'the namespace to be gone',
      () => getPath(server, `/api/v1/namespaces/${slow}`),
      (n) => n === undefined,
      { timeoutMs: 30_000 },
    );
  });
});
