/**
 * Issue 3 item 7 through the real kubectl (1.33: WebSocket v5 exec and the port-forward tunnel; 1.27:
 * SPDY): `logs` (tail, timestamps, since, limit, previous, follow), `exec` with stdin and exit codes,
 * `cp` both ways and `port-forward`, from kubectl through the real API server to a kubelet server
 * whose "containers" are local processes (a fake CRI streaming server), and a Node object pointing at
 * it. The real containerd behind the kubelet comes with the agent's CRI client.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowUsers } from '../../src/agent/kubelet/server/auth.js';
import { KubeletServer } from '../../src/agent/kubelet/server/server.js';
import { FakeRuntime, FakeStreamingServer } from '../../src/agent/kubelet/server/testing/fake-streaming.js';
import { ensureClusterPki, KUBELET_CLIENT_USER } from '../../src/pki/cluster.js';
import { issueKubeletServingCertificate } from '../../src/pki/kubelet.js';
import { kubectl, kubectlStream, type KubectlResult } from '../support/kubectl.js';
import { create, createNamespace, mergePatch } from '../support/objects.js';
import { startServer, type TestServer } from '../support/server.js';

const NS = 'stream';
const VERSIONS = ['1.33', '1.27'] as const;

let server: TestServer;
let streaming: FakeStreamingServer;
let runtime: FakeRuntime;
let kubelet: KubeletServer;
let echo: Server;
let echoPort = 0;
let dir: string;
let logPath: string;

const LOG =
  '2024-05-01T10:00:00.1Z stdout F first line\n' +
  '2024-05-01T10:00:01.2Z stderr F second line\n' +
  '2024-05-01T10:00:02.3Z stdout F third line\n';

beforeAll(async () => {
  server = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'k8ts-streaming-e2e-'));
  const pki = await ensureClusterPki({ dataDir: server.dataDir, port: server.port });
  const serving = await issueKubeletServingCertificate(pki.serverCA, {
    nodeName: 'n1',
    addresses: ['127.0.0.1'],
  });
  streaming = new FakeStreamingServer();
  await streaming.start();
  runtime = new FakeRuntime(streaming);
  logPath = join(dir, 'c-0.log');
  writeFileSync(logPath, LOG);
  runtime.add(NS, 'p', 'c', { id: 'cid-1', logPath, running: true });
  const previousLog = join(dir, 'c-prev.log');
  writeFileSync(previousLog, '2024-05-01T09:00:00Z stdout F from the previous run\n');
  runtime.previous.set(`${NS}/p/c`, { id: 'cid-0', logPath: previousLog, running: false });
  for (const c of ['a', 'b']) {
    const path = join(dir, `multi-${c}.log`);
    writeFileSync(path, `2024-05-01T10:00:00Z stdout F from ${c}\n`);
    runtime.add(NS, 'multi', c, { id: `cid-${c}`, logPath: path, running: true });
  }
  kubelet = new KubeletServer({
    nodeName: 'n1',
    bindAddress: '127.0.0.1',
    port: 0,
    tls: { certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem: pki.clientCA.certPem },
    runtime,
    authorize: allowUsers([KUBELET_CLIENT_USER]),
    logPollMs: 50,
    log: pino({ level: 'silent' }),
  });
  const kubeletPort = await kubelet.start();
  echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  const a = echo.address();
  echoPort = typeof a === 'object' && a ? a.port : 0;

  await create(server, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
  await mergePatch(server, '/api/v1/nodes/n1/status', {
    status: {
      addresses: [
        { type: 'InternalIP', address: '127.0.0.1' },
        { type: 'Hostname', address: 'n1' },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } },
    },
  });
  await createNamespace(server, NS);
  for (const name of ['p', 'idle']) {
    await create(server, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NS },
      spec: {
        ...(name === 'p' ? { nodeName: 'n1' } : {}),
        containers: [{ name: 'c', image: 'k8ts.local/busybox:1' }],
      },
    });
  }
  await create(server, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'multi', namespace: NS },
    spec: {
      nodeName: 'n1',
      containers: [
        { name: 'a', image: 'k8ts.local/busybox:1' },
        { name: 'b', image: 'k8ts.local/busybox:1' },
      ],
    },
  });
  await mergePatch(server, `/api/v1/namespaces/${NS}/pods/p/status`, { status: { phase: 'Running' } });
}, 120_000);

afterAll(async () => {
  await kubelet?.stop();
  await streaming?.stop();
  echo?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function show(r: KubectlResult): string {
  return `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
}

describe.each(VERSIONS)('kubectl %s', (version) => {
  const k = (args: string[], stdin?: string): Promise<KubectlResult> =>
    kubectl(server, ['-n', NS, ...args], { version, stdin, timeoutMs: 60_000 });

  it('logs: whole, tail, timestamps, since-time, limit-bytes, previous', async () => {
    expect((await k(['logs', 'p'])).stdout).toBe('first line\nsecond line\nthird line\n');
    expect((await k(['logs', 'p', '-c', 'c', '--tail=1'])).stdout).toBe('third line\n');
    expect((await k(['logs', 'p', '--tail=1', '--timestamps'])).stdout).toBe(
      '2024-05-01T10:00:02.300000000Z third line\n',
    );
    expect((await k(['logs', 'p', '--since-time=2024-05-01T10:00:01Z'])).stdout).toBe(
      'second line\nthird line\n',
    );
    expect((await k(['logs', 'p', '--limit-bytes=5'])).stdout).toBe('first');
    expect((await k(['logs', 'p', '--previous'])).stdout).toBe('from the previous run\n');
    expect((await k(['logs', 'p', '--since=1h'])).stdout).toBe('');
  });

  it('logs: several containers, and nodes/proxy to the kubelet', async () => {
    const all = await k(['logs', 'multi', '--all-containers']);
    expect(all.code, show(all)).toBe(0);
    // Older kubectl reads the containers concurrently: any order.
    expect(all.stdout.split('\n').sort()).toEqual(['', 'from a', 'from b']);
    const b = await k(['logs', 'multi', '-c', 'b']);
    expect(b.stdout).toBe('from b\n');
    const raw = await k(['get', '--raw', `/api/v1/namespaces/${NS}/pods/multi/log`]);
    expect(raw.code).not.toBe(0);
    expect(raw.stderr).toContain('a container name must be specified for pod multi, choose one of: [a b]');
    const health = await k(['get', '--raw', '/api/v1/nodes/n1/proxy/healthz']);
    expect(health.stdout).toBe('ok');
    const viaNode = await k(['get', '--raw', `/api/v1/nodes/n1/proxy/containerLogs/${NS}/multi/a`]);
    expect(viaNode.stdout).toBe('from a\n');
  });

  it('logs: errors worded as upstream', async () => {
    const wrong = await k(['logs', 'p', '-c', 'nope']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('container nope is not valid for pod p');
    const idle = await k(['logs', 'idle']);
    expect(idle.code, show(idle)).toBe(0);
    expect(idle.stdout).toBe('');
  });

  it('exec: stdin in, output out, exit codes carried back', async () => {
    const cat = await k(
      ['exec', '-i', 'p', '--', 'sh', '-c', 'cat; echo to-stderr >&2'],
      'hello from stdin\n',
    );
    expect(cat.code, show(cat)).toBe(0);
    expect(cat.stdout).toBe('hello from stdin\n');
    expect(cat.stderr).toContain('to-stderr');
    const three = await k(['exec', 'p', '--', 'sh', '-c', 'exit 3']);
    expect(three.code, show(three)).toBe(3);
    expect(three.stderr).toContain('command terminated with exit code 3');
    if (version === '1.33') {
      // kubectl 1.30+ speaks WebSocket v5 to the API server (no fallback to SPDY).
      const v = await k(['exec', '-v=4', 'p', '--', 'true']);
      expect(v.stderr).toContain('The subprotocol is v5.channel.k8s.io');
      expect(v.stderr).not.toMatch(/[Ff]allback/);
    }
    const missing = await k(['exec', 'p', '-c', 'nope', '--', 'true']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('container nope is not valid for pod p');
  });

  it('cp: into the pod and back out', async () => {
    const local = join(dir, `upload-${version}.txt`);
    // Megabytes, well past every buffer and the 64 KiB SPDY window nobody updates.
    writeFileSync(local, `payload for ${version}: ${'x'.repeat(100)}\n`.repeat(80_000));
    const podDir = join(dir, `pod-fs-${version}`);
    mkdirSync(podDir, { recursive: true });
    const up = await k(['cp', local, `${NS}/p:${podDir}/copied.txt`]);
    expect(up.code, show(up)).toBe(0);
    expect(readFileSync(join(podDir, 'copied.txt'), 'utf8')).toBe(readFileSync(local, 'utf8'));
    const back = join(dir, `download-${version}.txt`);
    const down = await k(['cp', `${NS}/p:${podDir}/copied.txt`, back]);
    expect(down.code, show(down)).toBe(0);
    expect(readFileSync(back, 'utf8')).toBe(readFileSync(local, 'utf8'));
  });

  it('port-forward: a local port reaches the pod port', async () => {
    const pf = kubectlStream(server, ['-n', NS, 'port-forward', '-v=4', 'pod/p', `:${echoPort}`], {
      version,
    });
    try {
      await pf.waitFor(/Forwarding from 127\.0\.0\.1:(\d+)/);
      const local = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(pf.stdout())?.[1]);
      for (const text of ['one', 'two']) {
        const reply = await new Promise<string>((resolve, reject) => {
          const s = connect(local, '127.0.0.1', () => s.write(`ping ${text}`));
          let got = '';
          s.on('data', (d: Buffer) => {
            got += d.toString();
            if (got.length >= `ping ${text}`.length) {
              s.end();
              resolve(got);
            }
          });
          s.on('error', reject);
        });
        expect(reply).toBe(`ping ${text}`);
      }
      // kubectl 1.31+ tunnels SPDY through a WebSocket, kept when the server accepts it.
      if (version === '1.33') expect(pf.stderr()).toContain('tunneling_dialer.go');
      if (version === '1.33') expect(pf.stderr()).toContain('negotiated protocol: portforward.k8s.io');
    } finally {
      await pf.kill();
    }
  });

  it('logs -f: follows new lines and ends when the container stops', async () => {
    const container = runtime.containers.get(`${NS}/p/c`);
    if (!container) throw new Error('no container');
    const f = kubectlStream(server, ['-n', NS, 'logs', '-f', 'p', '--tail=1'], { version });
    await f.waitFor(/third line/);
    appendFileSync(logPath, `2024-05-01T10:00:03Z stdout F followed ${version}\n`);
    await f.waitFor(new RegExp(`followed ${version.replace('.', '\\.')}`));
    container.running = false;
    try {
      expect(await f.exited).toBe(0);
    } finally {
      container.running = true;
      writeFileSync(logPath, LOG);
    }
  });
});
