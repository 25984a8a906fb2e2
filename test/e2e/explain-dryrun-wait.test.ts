/**
 * Issue 2 acceptance with kubectl 1.32 and 1.27: `explain` (from the server's OpenAPI), server-side
 * dry runs that store nothing, and `wait --for=jsonpath` on a label added while kubectl waits.
 */
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL_VERSIONS, kubectl, kubectlFails, kubectlOk, kubectlStream } from '../support/kubectl.js';
import { configMap, deployment, uniqueName, writeFile, yamlStream } from '../support/manifests.js';
import { create, createNamespace, getPath, mergePatch } from '../support/objects.js';
import { startServer, type TestServer } from '../support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

describe.each(KUBECTL_VERSIONS)('kubectl %s', (version) => {
  const ns = uniqueName(`misc-${version.replace('.', '')}`);

  beforeAll(async () => {
    await createNamespace(server, ns);
  });

  it('explain pods.spec.containers', async () => {
    const out = await kubectlOk(server, ['explain', 'pods.spec.containers'], { version });
    expect(out).toMatch(/^KIND:\s+Pod$/m);
    expect(out).toMatch(/^VERSION:\s+v1$/m);
    expect(out).toMatch(/^FIELD:\s+containers\s+<\[\]Container>$/m);
    expect(out).toMatch(/^DESCRIPTION:$/m);
    expect(out).toMatch(/^FIELDS:$/m);
    expect(out).toMatch(/^\s+image\s+<string>$/m);
    expect(out).toMatch(/^\s+name\s+<string> -required-$/m);
    expect(out).toMatch(/^\s+ports\s+<\[\]ContainerPort>$/m);
  });

  it('create --dry-run=server -f validates and defaults but stores nothing', async () => {
    const f = writeFile(server, `dry-${version}.yaml`, yamlStream([deployment(ns, 'dry', 2)]));
    const out = await kubectlOk(server, ['create', '--dry-run=server', '-f', f, '-o', 'yaml'], { version });
    const got = parse(out) as {
      metadata: { name: string; uid?: string; creationTimestamp?: string };
      spec: { strategy?: { type?: string }; revisionHistoryLimit?: number; progressDeadlineSeconds?: number };
    };
    expect(got.metadata.name).toBe('dry');
    expect(got.spec).toMatchObject({
      strategy: { type: 'RollingUpdate' },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
    const plain = await kubectlOk(server, ['create', '--dry-run=server', '-f', f], { version });
    expect(plain.trim()).toBe('deployment.apps/dry created (server dry run)');
    expect(await getPath(server, `/apis/apps/v1/namespaces/${ns}/deployments/dry`)).toBeUndefined();
    // A dry run still validates.
    const bad = writeFile(server, `dry-bad-${version}.yaml`, yamlStream([configMap(ns, 'Not_Valid')]));
    const r = await kubectlFails(server, ['create', '--dry-run=server', '-f', bad], { version });
    expect(r.stderr).toContain(
      'The ConfigMap "Not_Valid" is invalid: metadata.name: Invalid value: "Not_Valid"',
    );
  });

  it('create deployment NAME --image --dry-run=server stores nothing', async () => {
    const out = await kubectlOk(
      server,
      [
        '-n',
        ns,
        'create',
        'deployment',
        'gen',
        '--image=k8ts.local/busybox:1.36',
        '--dry-run=server',
        '-o',
        'yaml',
      ],
      { version },
    );
    const got = parse(out) as {
      kind: string;
      metadata: { name: string; namespace: string; labels: Record<string, string> };
      spec: { replicas: number; template: { spec: { containers: { name: string; image: string }[] } } };
    };
    expect(got.kind).toBe('Deployment');
    expect(got.metadata).toMatchObject({ name: 'gen', namespace: ns, labels: { app: 'gen' } });
    expect(got.spec.replicas).toBe(1);
    expect(got.spec.template.spec.containers).toEqual([
      expect.objectContaining({
        name: 'busybox',
        image: 'k8ts.local/busybox:1.36',
        imagePullPolicy: 'IfNotPresent',
      }),
    ]);
    expect(await getPath(server, `/apis/apps/v1/namespaces/${ns}/deployments/gen`)).toBeUndefined();
  });

  it("wait --for=jsonpath='{.metadata.labels.x}'=y sees a label added while it waits", async () => {
    await create(server, configMap(ns, 'waited'));
    const args = ['-n', ns, 'wait', 'configmap/waited', '--for=jsonpath={.metadata.labels.x}=y'];
    // Not met yet: a short wait times out.
    const early = await kubectl(server, [...args, '--timeout=1s'], { version });
    expect(early.code).not.toBe(0);
    expect(early.stderr).toContain('timed out waiting for the condition on configmaps/waited');

    // -v=6 logs each request: label only once kubectl is watching, so the change comes meanwhile.
    const waiting = kubectlStream(server, [...args, '--timeout=60s', '-v=6'], { version });
    try {
      await waiting.waitForStderr(/watch=true/);
      await mergePatch(server, `/api/v1/namespaces/${ns}/configmaps/waited`, {
        metadata: { labels: { x: 'y' } },
      });
      expect(await waiting.exited).toBe(0);
      expect(waiting.stdout().trim()).toBe('configmap/waited condition met');
    } finally {
      await waiting.kill();
    }
  });
});
