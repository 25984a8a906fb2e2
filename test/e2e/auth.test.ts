/**
 * Issue 2 acceptance, authentication and RBAC through kubectl 1.32 and 1.27: `auth whoami` and
 * `auth can-i` as the admin and as a restricted user (client certificate CN=jane, O=dev), who is
 * denied with upstream's 403 wording until a Role and RoleBinding grant her pods get/list in one
 * namespace, and is still denied everywhere else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL_VERSIONS, kubectl, kubectlOk, type KubectlResult } from '../support/kubectl.js';
import { pod, uniqueName } from '../support/manifests.js';
import { create, createNamespace } from '../support/objects.js';
import { pollUntil } from '../support/poll.js';
import { startServer, type TestServer } from '../support/server.js';
import { parseTable } from '../support/table.js';

let server: TestServer;
let jane = '';

beforeAll(async () => {
  server = await startServer();
  jane = await server.userKubeconfig('jane', ['dev']);
});

afterAll(async () => {
  await server?.stop();
});

/** `ATTRIBUTE VALUE` rows of `auth whoami` as a map. */
function attributes(out: string): Record<string, string> {
  return Object.fromEntries(parseTable(out).rows.map((r) => [r[0] ?? '', r[1] ?? '']));
}

function forbidden(verb: string, ns: string, name?: string): string {
  const subject = name === undefined ? 'pods is forbidden' : `pods "${name}" is forbidden`;
  return `Error from server (Forbidden): ${subject}: User "jane" cannot ${verb} resource "pods" in API group "" in the namespace "${ns}"`;
}

describe.each(KUBECTL_VERSIONS)('kubectl %s', (version) => {
  const ns = uniqueName(`auth-${version.replace('.', '')}`);
  const other = uniqueName(`auth-other-${version.replace('.', '')}`);
  const asJane = (...args: string[]): Promise<KubectlResult> =>
    kubectl(server, args, { version, kubeconfig: jane });
  const asAdmin = (...args: string[]): Promise<KubectlResult> => kubectl(server, args, { version });
  // `auth whoami` is GA in kubectl 1.28+ and uses SelfSubjectReview v1; kubectl 1.27 only has the alpha
  // command against the v1alpha1/v1beta1 API, which a v1.33 server does not serve by default.
  const hasWhoami = Number(version.split('.')[1]) >= 28;

  beforeAll(async () => {
    await createNamespace(server, ns);
    await createNamespace(server, other);
    await create(server, pod(ns, 'p'));
    await create(server, pod(other, 'q'));
  });

  it.runIf(hasWhoami)('auth whoami names the admin and jane', async () => {
    const admin = await asAdmin('auth', 'whoami');
    expect(admin.code).toBe(0);
    expect(attributes(admin.stdout)).toMatchObject({
      Username: 'system:admin',
      Groups: '[system:masters system:authenticated]',
    });
    const j = await asJane('auth', 'whoami');
    expect(j.code).toBe(0);
    expect(attributes(j.stdout)).toMatchObject({ Username: 'jane', Groups: '[dev system:authenticated]' });
  });

  it('auth can-i: the admin may do anything', async () => {
    const r = await asAdmin('auth', 'can-i', 'create', 'pods', '-n', ns);
    expect([r.code, r.stdout.trim()]).toEqual([0, 'yes']);
    const all = await asAdmin('auth', 'can-i', '*', '*', '--all-namespaces');
    expect([all.code, all.stdout.trim()]).toEqual([0, 'yes']);
  });

  it('jane is denied before any grant', async () => {
    const r = await asJane('auth', 'can-i', 'list', 'pods', '-n', ns);
    expect([r.code, r.stdout.trim()]).toEqual([1, 'no']);
    const get = await asJane('get', 'pods', '-n', ns);
    expect(get.code).toBe(1);
    expect(get.stderr.trim()).toBe(forbidden('list', ns));
  });

  it('a Role and RoleBinding let jane get and list pods in that namespace only', async () => {
    await create(server, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'pod-reader', namespace: ns },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
    });
    await create(server, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'jane-reads-pods', namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'jane' }],
    });
    const allowed = await pollUntil(
      'jane to be allowed to list pods',
      () => asJane('auth', 'can-i', 'list', 'pods', '-n', ns),
      (r) => r.code === 0,
    );
    expect(allowed.stdout.trim()).toBe('yes');
    expect((await asJane('auth', 'can-i', 'get', 'pods/p', '-n', ns)).stdout.trim()).toBe('yes');
    expect(
      await kubectlOk(server, ['get', 'pods', '-n', ns, '-o', 'name'], { version, kubeconfig: jane }),
    ).toBe('pod/p\n');
    expect(
      await kubectlOk(server, ['get', 'pod', 'p', '-n', ns, '-o', 'name'], { version, kubeconfig: jane }),
    ).toBe('pod/p\n');

    // Still denied: another namespace, another verb, another resource.
    const elsewhere = await asJane('auth', 'can-i', 'list', 'pods', '-n', other);
    expect([elsewhere.code, elsewhere.stdout.trim()]).toEqual([1, 'no']);
    const getElsewhere = await asJane('get', 'pods', '-n', other);
    expect(getElsewhere.code).toBe(1);
    expect(getElsewhere.stderr.trim()).toBe(forbidden('list', other));
    const del = await asJane('delete', 'pod', 'p', '-n', ns, '--wait=false');
    expect(del.code).toBe(1);
    expect(del.stderr.trim()).toBe(forbidden('delete', ns, 'p'));
    expect((await asJane('auth', 'can-i', 'delete', 'pods', '-n', ns)).stdout.trim()).toBe('no');
    expect((await asJane('auth', 'can-i', 'list', 'secrets', '-n', ns)).stdout.trim()).toBe('no');
    expect((await asJane('auth', 'can-i', 'list', 'pods', '--all-namespaces')).stdout.trim()).toBe('no');
  });

  it('auth can-i --list shows jane her rules', async () => {
    const r = await asJane('auth', 'can-i', '--list', '-n', ns);
    expect(r.code).toBe(0);
    const t = parseTable(r.stdout);
    expect(t.header).toEqual(['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs']);
    expect(t.rows).toContainEqual(['pods', '[]', '[]', '[get list]']);
    expect(t.rows).toContainEqual(['selfsubjectreviews.authentication.k8s.io', '[]', '[]', '[create]']);
  });
});
