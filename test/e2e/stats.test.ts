/**
 * Issue 3 item 8 through the real API server and kubectl: `kubectl get --raw
 * /api/v1/nodes/n1/proxy/stats/summary` (and `/metrics/resource`) reaches a kubelet server whose stats
 * come from the agent's CRI stats provider. The runtime behind it is an in-memory CRI (no root
 * needed); the real containerd side is covered by src/agent/kubelet/stats/stats.int.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowUsers } from '../../src/agent/kubelet/server/auth.js';
import { KubeletServer } from '../../src/agent/kubelet/server/server.js';
import { FakeRuntime, FakeStreamingServer } from '../../src/agent/kubelet/server/testing/fake-streaming.js';
import { createStatsProvider } from '../../src/agent/kubelet/stats/index.js';
import type { Summary } from '../../src/agent/kubelet/stats/types.js';
import { FakeStatsCri } from '../../src/agent/kubelet/stats/testing/fake-stats-cri.js';
import { ensureClusterPki, KUBELET_CLIENT_USER } from '../../src/pki/cluster.js';
import { issueKubeletServingCertificate } from '../../src/pki/kubelet.js';
import { kubectl, type KubectlResult } from '../support/kubectl.js';
import { create, mergePatch } from '../support/objects.js';
import { startServer, type TestServer } from '../support/server.js';

let server: TestServer;
let streaming: FakeStreamingServer;
let kubelet: KubeletServer;
let dir: string;
let clock = Date.parse('2024-05-01T10:00:00Z');
const cri = new FakeStatsCri(() => clock * 1e6);

beforeAll(async () => {
  server = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'k8ts-stats-e2e-'));
  const pki = await ensureClusterPki({ dataDir: server.dataDir, port: server.port });
  const serving = await issueKubeletServingCertificate(pki.serverCA, {
    nodeName: 'n1',
    addresses: ['127.0.0.1'],
  });
  cri.imageFsMount = dir;
  cri.addPod('sb1', { name: 'web', namespace: 'default', uid: 'u-web' }, (clock - 60_000) * 1e6);
  cri.addContainer('c1', 'sb1', 'nginx', (clock - 50_000) * 1e6);
  cri.setUsage('sb1', { cpuNs: 2.5e9, workingSetBytes: 9_000_000 });
  cri.setUsage('c1', { cpuNs: 2e9, workingSetBytes: 8_000_000 });
  streaming = new FakeStreamingServer();
  await streaming.start();
  kubelet = new KubeletServer({
    nodeName: 'n1',
    bindAddress: '127.0.0.1',
    port: 0,
    tls: { certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem: pki.clientCA.certPem },
    runtime: new FakeRuntime(streaming),
    authorize: allowUsers([KUBELET_CLIENT_USER]),
    stats: createStatsProvider({
      runtime: cri,
      images: cri,
      dataDir: dir,
      nodeName: 'n1',
      now: () => clock,
      log: pino({ level: 'silent' }),
    }),
    log: pino({ level: 'silent' }),
  });
  const kubeletPort = await kubelet.start();
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
}, 120_000);

afterAll(async () => {
  await kubelet?.stop();
  await streaming?.stop();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function show(r: KubectlResult): string {
  return `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
}

const raw = (path: string): Promise<KubectlResult> => kubectl(server, ['get', '--raw', path]);

describe('node stats through the API server (nodes/proxy)', () => {
  it('GET /api/v1/nodes/n1/proxy/stats/summary answers the Summary, with CPU rates from two samples', async () => {
    const first = await raw('/api/v1/nodes/n1/proxy/stats/summary');
    expect(first.code, show(first)).toBe(0);
    const s1 = JSON.parse(first.stdout) as Summary;
    expect(s1.node.nodeName).toBe('n1');
    expect(s1.pods.map((p) => p.podRef)).toEqual([{ name: 'web', namespace: 'default', uid: 'u-web' }]);
    expect(s1.pods[0]?.containers[0]).toMatchObject({
      name: 'nginx',
      startTime: '2024-05-01T09:59:10Z',
      cpu: { time: '2024-05-01T10:00:00Z', usageCoreNanoSeconds: 2e9 },
      memory: { workingSetBytes: 8_000_000 },
    });
    expect(s1.node.runtime?.imageFs?.capacityBytes).toBeGreaterThan(0);

    clock += 10_000;
    cri.setUsage('c1', { cpuNs: 7e9 });
    const second = await raw('/api/v1/nodes/n1/proxy/stats/summary?only_cpu_and_memory=true');
    expect(second.code, show(second)).toBe(0);
    const s2 = JSON.parse(second.stdout) as Summary;
    expect(s2.pods[0]?.containers[0]?.cpu?.usageNanoCores).toBe(5e8);
    expect(s2.node.runtime).toBeUndefined();
  });

  it('GET /api/v1/nodes/n1/proxy/metrics/resource answers the resource metrics', async () => {
    const r = await raw('/api/v1/nodes/n1/proxy/metrics/resource');
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toContain(
      '# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds\n',
    );
    expect(r.stdout).toMatch(
      /^container_memory_working_set_bytes\{container="nginx",namespace="default",pod="web"\} 8e\+06 \d+$/m,
    );
    expect(r.stdout).toContain('\nresource_scrape_error 0\n');
  });
});
