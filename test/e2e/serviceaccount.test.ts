/**
 * Service accounts end to end with the real kubectl: every namespace gets a `default` ServiceAccount
 * and the `kube-root-ca.crt` ConfigMap; `kubectl create token` issues tokens that authenticate as the
 * service account (`auth whoami`), are bound to the objects they name, and stop working once those
 * objects are gone; bad requests get upstream's messages.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { clusterPkiPaths } from '../../src/pki/cluster.js';
import { KUBECTL_VERSIONS, kubectl, kubectlJson, kubectlOk, type KubectlResult } from '../support/kubectl.js';
import { pod, uniqueName, writeFile, type Obj } from '../support/manifests.js';
import { create, createNamespace, getPath } from '../support/objects.js';
import { pollUntil } from '../support/poll.js';
import { startServer, type TestServer } from '../support/server.js';
import { parseTable } from '../support/table.js';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
let server: TestServer;
/** A kubeconfig with the server and its CA but no credentials: requests carry only `--token`. */
let noCredentials = '';

beforeAll(async () => {
  server = await startServer();
  noCredentials = writeFile(
    server,
    'no-credentials.kubeconfig',
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'k8ts',
          cluster: {
            server: server.url,
            'certificate-authority': clusterPkiPaths(server.dataDir).serverCaCert,
          },
        },
      ],
      users: [{ name: 'nobody', user: {} }],
      contexts: [{ name: 'k8ts', context: { cluster: 'k8ts', user: 'nobody' } }],
      'current-context': 'k8ts',
    }),
  );
});

afterAll(async () => {
  await server?.stop();
});

/** `ATTRIBUTE VALUE` rows of `auth whoami`. */
function attributes(out: string): Record<string, string> {
  return Object.fromEntries(parseTable(out).rows.map((r) => [r[0] ?? '', r.slice(1).join(' ')]));
}

function withToken(token: string, args: string[], version = '1.32'): Promise<KubectlResult> {
  return kubectl(server, [`--token=${token}`, ...args], { kubeconfig: noCredentials, version });
}

function claims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function uidOf(path: string): Promise<string> {
  const obj = await getPath<Obj>(server, path);
  return ((obj?.['metadata'] ?? {}) as { uid?: string }).uid ?? '';
}

/** Waits for the controllers to give a namespace its `default` ServiceAccount; returns its uid. */
function defaultServiceAccount(ns: string): Promise<string> {
  return pollUntil(
    `ServiceAccount default in ${ns}`,
    () => uidOf(`/api/v1/namespaces/${ns}/serviceaccounts/default`),
    (uid) => uid !== '',
    { timeoutMs: 10_000 },
  );
}

describe('namespace defaults', () => {
  it('a new namespace gets the default ServiceAccount and kube-root-ca.crt with the server CA', async () => {
    const ns = await createNamespace(server, uniqueName('sa-defaults'));
    await defaultServiceAccount(ns);
    const ca = fs.readFileSync(clusterPkiPaths(server.dataDir).serverCaCert, 'utf8');
    const cm = await pollUntil(
      `kube-root-ca.crt in ${ns}`,
      () => getPath<Obj>(server, `/api/v1/namespaces/${ns}/configmaps/kube-root-ca.crt`),
      (o) => o !== undefined,
      { timeoutMs: 10_000 },
    );
    expect(cm?.['data']).toEqual({ 'ca.crt': ca });
    expect((cm?.['metadata'] as { annotations?: Record<string, string> }).annotations).toHaveProperty(
      'kubernetes.io/description',
    );
    const sa = parseTable(await kubectlOk(server, ['get', 'serviceaccounts', '-n', ns]));
    expect(sa.rows.map((r) => r[0])).toEqual(['default']);
  });

  it('the system namespaces have them too', async () => {
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      await defaultServiceAccount(ns);
      await pollUntil(
        `kube-root-ca.crt in ${ns}`,
        () => getPath<Obj>(server, `/api/v1/namespaces/${ns}/configmaps/kube-root-ca.crt`),
        (o) => o !== undefined,
        { timeoutMs: 10_000 },
      );
    }
  });
});

describe.each(KUBECTL_VERSIONS)('kubectl %s create token', (version) => {
  const ns = uniqueName(`sa-token-${version.replace('.', '')}`);
  // `auth whoami` is GA from kubectl 1.28.
  const hasWhoami = Number(version.split('.')[1]) >= 28;
  const run = (...args: string[]) => kubectl(server, args, { version });

  beforeAll(async () => {
    await createNamespace(server, ns);
    await defaultServiceAccount(ns);
  });

  it('issues a token for the default service account that authenticates as it', async () => {
    const saUid = await uidOf(`/api/v1/namespaces/${ns}/serviceaccounts/default`);
    const token = (await kubectlOk(server, ['create', 'token', 'default', '-n', ns], { version })).trim();
    expect(token.split('.')).toHaveLength(3);
    const c = claims(token);
    expect(c).toMatchObject({
      iss: ISSUER,
      aud: [ISSUER],
      sub: `system:serviceaccount:${ns}:default`,
      'kubernetes.io': { namespace: ns, serviceaccount: { name: 'default', uid: saUid } },
    });
    expect(Number(c['exp']) - Number(c['iat'])).toBe(3600);
    if (hasWhoami) {
      const who = await withToken(token, ['auth', 'whoami'], version);
      expect(who.code, who.stderr).toBe(0);
      expect(attributes(who.stdout)).toMatchObject({
        Username: `system:serviceaccount:${ns}:default`,
        UID: saUid,
        Groups: `[system:serviceaccounts system:serviceaccounts:${ns} system:authenticated]`,
        'Extra: authentication.kubernetes.io/credential-id': `[JTI=${String(c['jti'])}]`,
      });
    }
    // Authenticated but granted nothing: RBAC names the service account.
    const get = await withToken(token, ['get', 'pods', '-n', ns], version);
    expect(get.code).toBe(1);
    expect(get.stderr.trim()).toBe(
      `Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:${ns}:default" cannot list resource "pods" in API group "" in the namespace "${ns}"`,
    );
  });

  it('refuses a duration under 10 minutes and a missing service account with upstream’s messages', async () => {
    const short = await run('create', 'token', 'default', '--duration=1m', '-n', ns);
    expect(short.code).toBe(1);
    expect(short.stderr.trim()).toBe(
      'error: failed to create token: TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
    );
    const missing = await run('create', 'token', 'ghost', '-n', ns);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('error: failed to create token: serviceaccounts "ghost" not found');
  });
});

describe('token lifecycle', () => {
  let ns = '';

  beforeAll(async () => {
    ns = await createNamespace(server, uniqueName('sa-life'));
    await defaultServiceAccount(ns);
  });

  it('a token stops working when its service account is deleted, even once `default` is recreated', async () => {
    const oldUid = await uidOf(`/api/v1/namespaces/${ns}/serviceaccounts/default`);
    const token = (await kubectlOk(server, ['create', 'token', 'default', '-n', ns])).trim();
    expect((await withToken(token, ['auth', 'whoami'])).code).toBe(0);
    await kubectlOk(server, ['delete', 'serviceaccount', 'default', '-n', ns]);
    const unauthorized = await withToken(token, ['auth', 'whoami']);
    expect(unauthorized.code).toBe(1);
    expect(unauthorized.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
    // The controller puts `default` back with a new uid; the old token stays invalid.
    const newUid = await pollUntil(
      `a new default ServiceAccount in ${ns}`,
      () => uidOf(`/api/v1/namespaces/${ns}/serviceaccounts/default`),
      (uid) => uid !== '' && uid !== oldUid,
      { timeoutMs: 10_000 },
    );
    expect(newUid).not.toBe(oldUid);
    expect((await withToken(token, ['auth', 'whoami'])).code).toBe(1);
    const fresh = (await kubectlOk(server, ['create', 'token', 'default', '-n', ns])).trim();
    expect(attributes((await withToken(fresh, ['auth', 'whoami'])).stdout)['UID']).toBe(newUid);
  });

  it('a pod-bound token names the pod and dies with it', async () => {
    await create(server, pod(ns, 'web'));
    const podUid = await uidOf(`/api/v1/namespaces/${ns}/pods/web`);
    const token = (
      await kubectlOk(server, [
        'create',
        'token',
        'default',
        '-n',
        ns,
        '--bound-object-kind=Pod',
        '--bound-object-name=web',
        `--bound-object-uid=${podUid}`,
      ])
    ).trim();
    expect(claims(token)['kubernetes.io']).toMatchObject({ pod: { name: 'web', uid: podUid } });
    const who = attributes((await withToken(token, ['auth', 'whoami'])).stdout);
    expect(who).toMatchObject({
      'Extra: authentication.kubernetes.io/pod-name': '[web]',
      'Extra: authentication.kubernetes.io/pod-uid': `[${podUid}]`,
    });
    await kubectlOk(server, ['delete', 'pod', 'web', '-n', ns, '--grace-period=0', '--force']);
    await pollUntil(
      `pod web in ${ns} to be gone`,
      () => getPath(server, `/api/v1/namespaces/${ns}/pods/web`),
      (p) => p === undefined,
    );
    const after = await withToken(token, ['auth', 'whoami']);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('Unauthorized');
  });

  it('a token for another audience is not accepted by the API server', async () => {
    const token = (
      await kubectlOk(server, ['create', 'token', 'default', '-n', ns, '--audience=vault'])
    ).trim();
    expect(claims(token)['aud']).toEqual(['vault']);
    const r = await withToken(token, ['auth', 'whoami']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Unauthorized');
  });

  it('TokenReview authenticates a service-account token', async () => {
    const token = (await kubectlOk(server, ['create', 'token', 'default', '-n', ns])).trim();
    const review = await kubectlJson<{ status: { authenticated: boolean; user: { username: string } } }>(
      server,
      ['create', '-f', writeFile(server, `review-${ns}.yaml`, stringify(tokenReview(token)))],
    );
    expect(review.status.authenticated).toBe(true);
    expect(review.status.user.username).toBe(`system:serviceaccount:${ns}:default`);
  });
});

function tokenReview(token: string): Obj {
  return { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } };
}
