/**
 * The real kubectl against a minimal loopback API server that serves one pod and applies PATCH
 * requests with this package: proves that the patches kubectl computes (apply's three-way merge from
 * last-applied-configuration, edit, set image, label, patch) give the intended objects, for kubectl
 * on PATH and the oldest and newest minor versions installed beside it. Skipped when kubectl is not
 * installed.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { miniRegistry, podGvk } from '../schema/testing/mini-schema.js';
import type { Definition } from '../schema/types.js';
import { isPatchContentType, applyPatch, parsePatchBody } from './index.js';

const run = promisify(execFile);
const registry = miniRegistry();
const schema = { definition: registry.forKind(podGvk) as Definition, registry };

async function hasKubectl(): Promise<boolean> {
  try {
    await run('kubectl', ['version', '--client']);
    return true;
  } catch {
    return false;
  }
}

/** kubectl on PATH, plus the oldest and newest minor versions installed beside it (kubectl.1.27 ...). */
function kubectlBinaries(): string[] {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    const k = join(d, 'kubectl');
    if (!existsSync(k)) continue;
    const real = dirname(realpathSync(k));
    const extra = ['kubectl.1.27', 'kubectl.1.33'].map((b) => join(real, b)).filter((b) => existsSync(b));
    return [k, ...extra];
  }
  return ['kubectl'];
}

let binary = 'kubectl';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

interface Recorded {
  contentType: string;
  body: string;
}

let pod: Record<string, unknown> = {};
const patches: Recorded[] = [];

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function handle(method: string, path: string, contentType: string, body: string, res: ServerResponse): void {
  const podPath = '/api/v1/namespaces/default/pods/p';
  if (method === 'GET' && path === '/api') return send(res, 200, { kind: 'APIVersions', versions: ['v1'] });
  if (method === 'GET' && path === '/apis')
    return send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
  if (method === 'GET' && path === '/api/v1') {
    return send(res, 200, {
      kind: 'APIResourceList',
      groupVersion: 'v1',
      resources: [
        {
          name: 'pods',
          singularName: 'pod',
          namespaced: true,
          kind: 'Pod',
          verbs: ['get', 'list', 'patch', 'update', 'create', 'delete'],
          shortNames: ['po'],
        },
      ],
    });
  }
  if (method === 'GET' && path === podPath) return send(res, 200, pod);
  if (method === 'PATCH' && path === podPath && isPatchContentType(contentType)) {
    patches.push({ contentType, body });
    try {
      pod = applyPatch(
        contentType,
        structuredClone(pod),
        parsePatchBody(contentType, body),
        schema,
      ) as Record<string, unknown>;
      return send(res, 200, pod);
    } catch (e) {
      const status = (e as { status?: { code: number } }).status;
      return send(res, status?.code ?? 500, status ?? { message: String(e) });
    }
  }
  return send(res, 404, {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    reason: 'NotFound',
    code: 404,
  });
}

let server: Server;
let dir: string;
let kubeconfig: string;
let enabled = false;

beforeAll(async () => {
  enabled = await hasKubectl();
  if (!enabled) return;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const contentType = (req.headers['content-type'] ?? '').split(';')[0] ?? '';
      handle(req.method ?? 'GET', path, contentType, Buffer.concat(chunks).toString('utf8'), res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  dir = mkdtempSync(join(tmpdir(), 'k8ts-kubectl-'));
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: c, cluster: {server: "http://127.0.0.1:' + port + '"}}]',
      'users: [{name: u, user: {}}]',
      'contexts: [{name: x, context: {cluster: c, user: u, namespace: default}}]',
      'current-context: x',
    ].join('\n'),
  );
});

afterAll(async () => {
  if (!enabled) return;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

async function kubectl(...args: string[]): Promise<string> {
  return kubectlWith({}, ...args);
}

async function kubectlWith(env: Record<string, string>, ...args: string[]): Promise<string> {
  const base = ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache')];
  const { stdout } = await run(binary, [...base, ...args], {
    env: { ...process.env, KUBECTL_KUBERC: 'false', ...env },
  });
  return stdout;
}

interface PodShape {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: { name: string; image: string; env?: { name: string; value: string }[] }[] };
}

function manifest(containers: unknown[], labels: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', labels },
    spec: { containers },
  };
}

function livePod(applied: Record<string, unknown>, extraContainers: unknown[] = []): Record<string, unknown> {
  const live = structuredClone(applied) as unknown as PodShape & Record<string, unknown>;
  live.metadata.annotations = { [LAST_APPLIED]: JSON.stringify(applied) };
  live.spec.containers.push(...(extraContainers as PodShape['spec']['containers']));
  return live;
}

describe.each(kubectlBinaries())('real %s against patches applied here', (bin) => {
  beforeAll(() => {
    binary = bin;
  });

  it('kubectl apply: changes, removals and additions from last-applied-configuration', async (ctx) => {
    if (!enabled) return ctx.skip();
    const before = manifest(
      [
        {
          name: 'a',
          image: 'a:1',
          env: [
            { name: 'X', value: '1' },
            { name: 'Y', value: '2' },
          ],
        },
        { name: 'b', image: 'b:1' },
      ],
      { app: 'web', old: 'yes' },
    );
    // The server added a sidecar that the configuration does not mention.
    pod = livePod(before, [{ name: 'sidecar', image: 's:1' }]);
    const after = manifest(
      [
        {
          name: 'a',
          image: 'a:2',
          env: [
            { name: 'Y', value: '2' },
            { name: 'Z', value: '3' },
          ],
        },
        { name: 'c', image: 'c:1' },
      ],
      { app: 'web' },
    );
    writeFileSync(join(dir, 'pod.json'), JSON.stringify(after));
    patches.length = 0;
    await kubectl('apply', '--validate=false', '-f', join(dir, 'pod.json'));
    expect(patches).toHaveLength(1);
    expect(patches[0]?.contentType).toBe('application/strategic-merge-patch+json');
    const got = pod as unknown as PodShape;
    expect(got.metadata.labels).toEqual({ app: 'web' });
    expect(got.spec.containers.map((c) => c.name)).toEqual(['a', 'sidecar', 'c']);
    expect(got.spec.containers[0]).toEqual({
      name: 'a',
      image: 'a:2',
      env: [
        { name: 'Y', value: '2' },
        { name: 'Z', value: '3' },
      ],
    });
    const recorded = JSON.parse(got.metadata.annotations?.[LAST_APPLIED] ?? '{}') as { metadata: unknown };
    expect(recorded).toEqual({ ...after, metadata: { ...(after.metadata as object), annotations: {} } });
  });

  it('kubectl edit sends the difference of the edited object', async (ctx) => {
    if (!enabled) return ctx.skip();
    pod = manifest(
      [
        {
          name: 'a',
          image: 'a:1',
          env: [
            { name: 'X', value: '1' },
            { name: 'Y', value: '2' },
          ],
        },
        { name: 'b', image: 'b:1' },
      ],
      { app: 'web' },
    );
    // The "editor" edits the JSON file kubectl hands it: new image for b, env X gone, a label added.
    const editor = join(dir, 'editor.mjs');
    writeFileSync(
      editor,
      [
        '#!/usr/bin/env node',
        "import { readFileSync, writeFileSync } from 'node:fs';",
        'const file = process.argv[2];',
        "const lines = readFileSync(file, 'utf8').split('\\n').filter((l) => !l.startsWith('#'));",
        "const o = JSON.parse(lines.join('\\n'));",
        "o.spec.containers[1].image = 'b:2';",
        "o.spec.containers[0].env = o.spec.containers[0].env.filter((e) => e.name !== 'X');",
        "o.metadata.labels.edited = 'yes';",
        'writeFileSync(file, JSON.stringify(o));',
      ].join('\n'),
      { mode: 0o755 },
    );
    patches.length = 0;
    await kubectlWith({ KUBE_EDITOR: editor }, 'edit', '--validate=false', 'pod/p', '-o', 'json');
    expect(patches.map((p) => p.contentType)).toEqual(['application/strategic-merge-patch+json']);
    const got = pod as unknown as PodShape;
    expect(got.metadata.labels).toEqual({ app: 'web', edited: 'yes' });
    expect(got.spec.containers).toEqual([
      { name: 'a', image: 'a:1', env: [{ name: 'Y', value: '2' }] },
      { name: 'b', image: 'b:2' },
    ]);
  });

  it('kubectl set image changes one container', async (ctx) => {
    if (!enabled) return ctx.skip();
    pod = manifest(
      [
        { name: 'a', image: 'a:1' },
        { name: 'b', image: 'b:1' },
      ],
      { app: 'web' },
    );
    await kubectl('set', 'image', 'pod/p', 'b=b:2');
    expect((pod as unknown as PodShape).spec.containers).toEqual([
      { name: 'a', image: 'a:1' },
      { name: 'b', image: 'b:2' },
    ]);
  });

  it('kubectl label adds and removes labels', async (ctx) => {
    if (!enabled) return ctx.skip();
    pod = manifest([{ name: 'a', image: 'a:1' }], { app: 'web', tier: 'front' });
    await kubectl('label', 'pod', 'p', 'env=prod', 'tier-');
    expect((pod as unknown as PodShape).metadata.labels).toEqual({ app: 'web', env: 'prod' });
  });

  it('kubectl patch: strategic by default, json and merge on request', async (ctx) => {
    if (!enabled) return ctx.skip();
    pod = manifest(
      [
        { name: 'a', image: 'a:1' },
        { name: 'b', image: 'b:1' },
      ],
      { app: 'web' },
    );
    await kubectl('patch', 'pod', 'p', '-p', '{"spec":{"containers":[{"name":"a","$patch":"delete"}]}}');
    expect((pod as unknown as PodShape).spec.containers).toEqual([{ name: 'b', image: 'b:1' }]);
    await kubectl(
      'patch',
      'pod',
      'p',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/containers/0/image","value":"b:3"}]',
    );
    expect((pod as unknown as PodShape).spec.containers).toEqual([{ name: 'b', image: 'b:3' }]);
    await kubectl('patch', 'pod', 'p', '--type=merge', '-p', '{"metadata":{"labels":{"app":null,"x":"y"}}}');
    expect((pod as unknown as PodShape).metadata.labels).toEqual({ x: 'y' });
  });

  it('shows kubectl the 422 of an inapplicable JSON patch', async (ctx) => {
    if (!enabled) return ctx.skip();
    pod = manifest([{ name: 'a', image: 'a:1' }], { app: 'web' });
    const err = await kubectl(
      'patch',
      'pod',
      'p',
      '--type=json',
      '-p',
      '[{"op":"remove","path":"/spec/nope"}]',
    ).catch((e: { stderr?: string }) => e.stderr ?? '');
    expect(err).toContain('the server rejected our request due to an error in our request');
  });
});
