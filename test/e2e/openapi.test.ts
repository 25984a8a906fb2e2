/**
 * The real kubectl against a real k8ts server (embedded SQLite, loopback, temporary data dir): proves
 * the served OpenAPI documents are what kubectl needs for `explain` (v3, and v2 protobuf with
 * `--output=plaintext-openapiv2`), for `apply --validate=strict` (kubectl finds `fieldValidation` on
 * the PATCH operations and leaves validation to the server) and for client-side apply's three-way
 * strategic merge. Runs kubectl on PATH and the oldest and newest minor versions installed beside it
 * (kubectl.1.27, kubectl.1.33). Skipped when kubectl is not installed.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectlBinaries(): string[] {
  for (const d of (process.env['PATH'] ?? '').split(delimiter)) {
    const k = join(d, 'kubectl');
    if (!existsSync(k)) continue;
    const real = dirname(realpathSync(k));
    const extra = ['kubectl.1.27', 'kubectl.1.33'].map((b) => join(real, b)).filter((b) => existsSync(b));
    return [k, ...extra];
  }
  return [];
}

const binaries = kubectlBinaries();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

let dir = '';
let kubeconfig = '';
let stop: (() => Promise<void>) | undefined;

function kubectl(binary: string, args: string[], cacheDir: string): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      binary,
      [`--kubeconfig=${kubeconfig}`, `--cache-dir=${cacheDir}`, ...args],
      { timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function manifest(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

beforeAll(async () => {
  if (binaries.length === 0) return;
  dir = mkdtempSync(join(tmpdir(), 'k8ts-openapi-'));
  process.env['K8TS_LOG_LEVEL'] ??= 'warn';
  const { runServer } = await import('../../src/server/run.js');
  const { DEFAULT_CONFIG } = await import('../../src/server/config.js');
  const running = await runServer({
    ...DEFAULT_CONFIG,
    dataDir: join(dir, 'data'),
    bindAddress: '127.0.0.1',
    httpsPort: await freePort(),
    // API only: a node agent would run the Deployment's pods on this machine's own network.
    disableAgent: true,
  });
  kubeconfig = running.kubeconfigPath;
  stop = () => running.stop();
});

afterAll(async () => {
  await stop?.();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const deployment = (labels: string, replicas: number, image: string, env: string): string => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
  labels: ${labels}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
        env: ${env}
      - name: side
        image: busybox
`;

describe.skipIf(binaries.length === 0).each(binaries)('%s with the served OpenAPI', (binary) => {
  let cache = '';
  const run = (...args: string[]): Promise<Ran> => kubectl(binary, args, cache);

  beforeAll(() => {
    cache = mkdtempSync(join(dir, 'cache-'));
  });

  it('explains pods.spec.containers from OpenAPI v3', async () => {
    const r = await run('explain', 'pods.spec.containers');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/FIELD:\s+containers <\[\]Container>/);
    expect(r.stdout).toMatch(/imagePullPolicy\s+<string>/);
    expect(r.stdout).toMatch(/name\s+<string> -required-/);
  });

  it('explains pods.spec.containers from OpenAPI v2 (protobuf)', async () => {
    const r = await run('explain', 'pods.spec.containers', '--output=plaintext-openapiv2');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/RESOURCE:\s+containers <\[\]Object>/);
    expect(r.stdout).toMatch(/imagePullPolicy\s+<string>/);
  });

  it('explains deployment.spec.strategy recursively', async () => {
    const r = await run('explain', 'deployment.spec.strategy', '--recursive');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/rollingUpdate\s+<RollingUpdateDeployment>/);
    expect(r.stdout).toMatch(/maxSurge\s+<IntOrString>/);
  });

  it('leaves strict validation to the server, which rejects an unknown field', async () => {
    const file = manifest(
      'bad.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strict-check\n  namespace: default\ndata:\n  a: "1"\nbogus: true\n',
    );
    const r = await run('apply', '--validate=strict', '-f', file, '-v=6');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('fieldValidation=Strict');
    expect(r.stderr).toContain('strict decoding error: unknown field "bogus"');
  });

  it('validates a List client-side against the OpenAPI v2 schemas', async () => {
    // kubectl never asks the server to validate a v1 List, so it checks the items itself.
    const list = (extra: string): string => `
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: listed, namespace: default}
  spec:
    strategy:
      rollingUpdate: {maxSurge: 25%, maxUnavailable: 1}
    selector:
      matchLabels: {app: listed}
    template:
      metadata:
        labels: {app: listed}
        creationTimestamp: null
      spec:
        containers:
        - name: c
          image: nginx${extra}
          resources:
            limits: {cpu: 1, memory: 1Gi}
          readinessProbe:
            httpGet: {port: http, path: /}
`;
    const good = await run(
      'apply',
      '--validate=strict',
      '--dry-run=server',
      '-f',
      manifest('list.yaml', list('')),
    );
    expect(good.stderr).toBe('');
    expect(good.stdout).toContain('deployment.apps/listed created (server dry run)');
    const bad = await run(
      'apply',
      '--validate=strict',
      '--dry-run=server',
      '-f',
      manifest('list-bad.yaml', list('\n          bogusField: 1')),
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(
      'ValidationError(Deployment.spec.template.spec.containers[0]): unknown field "bogusField" in io.k8s.api.core.v1.Container',
    );
  });

  it('applies twice with a change: a three-way strategic merge keeps fields others set', async () => {
    await run('delete', 'deployment', 'web', '-n', 'default', '--ignore-not-found');
    const first = manifest(
      'dep1.yaml',
      deployment('{app: web, tier: front}', 2, 'nginx:1.25', '[{name: A, value: "1"}]'),
    );
    expect((await run('apply', '-f', first)).stdout).toContain('deployment.apps/web created');
    const patched = await run(
      'patch',
      'deployment',
      'web',
      '-n',
      'default',
      '--type=strategic',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"FROM_PATCH","value":"x"}]}]}}}}',
    );
    expect(patched.code).toBe(0);
    const second = manifest(
      'dep2.yaml',
      deployment('{app: web}', 3, 'nginx:1.27', '[{name: B, value: "2"}]'),
    );
    const applied = await run('apply', '-f', second);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('deployment.apps/web configured');
    const got = await run('get', 'deployment', 'web', '-n', 'default', '-o', 'json');
    const obj = JSON.parse(got.stdout) as {
      metadata: { labels: Record<string, string> };
      spec: {
        replicas: number;
        template: { spec: { containers: { name: string; image: string; env?: unknown[] }[] } };
      };
    };
    expect(obj.metadata.labels).toEqual({ app: 'web' });
    expect(obj.spec.replicas).toBe(3);
    const [web, side] = obj.spec.template.spec.containers;
    expect(web).toMatchObject({ name: 'web', image: 'nginx:1.27' });
    expect(web?.env).toEqual([
      { name: 'FROM_PATCH', value: 'x' },
      { name: 'B', value: '2' },
    ]);
    expect(side).toMatchObject({ name: 'side', image: 'busybox' });
  });
});
