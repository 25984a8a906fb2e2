import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { CriCode, CriError } from '../../cri/client.js';
import { PLUGINS } from '../volumes/paths.js';
import { createStatsProvider, currentSandboxes, type CriStatsProvider } from './provider.js';
import { DEFAULT_PROC, writeFakeProc } from './testing/fake-proc.js';
import { FakeStatsCri } from './testing/fake-stats-cri.js';
import type { Summary } from './types.js';

const S = 1e9;
const root = mkdtempSync(path.join(tmpdir(), 'k8ts-stats-provider-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const START_MS = Date.parse('2024-05-01T10:00:00Z');
const UID = '11111111-2222-4333-8444-555555555555';

let clock = START_MS;
let cri: FakeStatsCri;
let provider: CriStatsProvider;
let dataDir: string;
let procRoot: string;
let n = 0;

beforeEach(() => {
  clock = START_MS;
  n += 1;
  dataDir = path.join(root, `data${n}`);
  procRoot = path.join(root, `proc${n}`);
  mkdirSync(dataDir, { recursive: true });
  writeFakeProc(procRoot);
  cri = new FakeStatsCri(() => clock * 1e6);
  cri.imageFsMount = dataDir;
  cri.imageFsUsedBytes = 5_000_000;
  cri.addPod('sb1', { name: 'web', namespace: 'default', uid: UID }, (START_MS - 60_000) * 1e6);
  cri.addContainer('c1', 'sb1', 'burn', (START_MS - 50_000) * 1e6);
  cri.addContainer('c2', 'sb1', 'idle', (START_MS - 40_000) * 1e6);
  cri.setUsage('sb1', {
    cpuNs: 10 * S,
    workingSetBytes: 3_000_000,
    usageBytes: 4_000_000,
    rssBytes: 1_000_000,
  });
  cri.setUsage('c1', { cpuNs: 9 * S, workingSetBytes: 2_000_000, writableBytes: 8192, writableInodes: 3 });
  cri.setUsage('c2', { cpuNs: 1 * S, workingSetBytes: 500_000 });
  provider = createStatsProvider({
    runtime: cri,
    images: cri,
    dataDir,
    nodeName: 'n1',
    now: () => clock,
    procRoot,
    cgroupFsRoot: path.join(root, 'no-cgroups'),
    dirUsageTtlMs: 0,
    log: pino({ level: 'silent' }),
  });
});

const T0 = '2024-05-01T10:00:00Z';

describe('the Summary document', () => {
  it('has the node and pods shaped as stats/v1alpha1', async () => {
    const logDir = path.join(dataDir, 'agent', 'pod-logs', `default_web_${UID}`, 'burn');
    mkdirSync(logDir, { recursive: true });
    writeFileSync(path.join(logDir, '0.log'), 'x'.repeat(10_000));
    const podDir = path.join(dataDir, 'agent', 'pods', UID);
    mkdirSync(path.join(podDir, 'volumes', PLUGINS.emptyDir, 'cache'), { recursive: true });
    writeFileSync(path.join(podDir, 'volumes', PLUGINS.emptyDir, 'cache', 'f'), 'y'.repeat(20_000));
    mkdirSync(path.join(podDir, 'volumes', PLUGINS.hostPath, 'host'), { recursive: true });
    writeFileSync(path.join(podDir, 'etc-hosts'), '127.0.0.1 localhost\n');

    const s = await provider.summary({ onlyCpuAndMemory: false });
    const node = s.node;
    expect(node.nodeName).toBe('n1');
    expect(node.startTime).toBe(new Date(DEFAULT_PROC.btime * 1000).toISOString().replace('.000Z', 'Z'));
    expect(node.cpu).toEqual({ time: T0, usageCoreNanoSeconds: 15 * S });
    expect(node.memory).toEqual({
      time: T0,
      availableBytes: (4 * 1024 - 2560) * 1024 * 1024,
      usageBytes: 3 * 1024 * 1024 * 1024,
      workingSetBytes: 2560 * 1024 * 1024,
      rssBytes: 256 * 1024 * 1024,
      pageFaults: 5000,
      majorPageFaults: 7,
    });
    expect(node.network).toEqual({
      time: T0,
      name: 'eth0',
      rxBytes: 1000,
      rxErrors: 1,
      txBytes: 2000,
      txErrors: 2,
      interfaces: [
        { name: 'eth0', rxBytes: 1000, rxErrors: 1, txBytes: 2000, txErrors: 2 },
        { name: 'cni0', rxBytes: 300, rxErrors: 0, txBytes: 400, txErrors: 0 },
      ],
    });
    expect(node.fs?.time).toBe(T0);
    expect(node.fs?.capacityBytes).toBeGreaterThan(0);
    expect(node.fs?.usedBytes).toBeGreaterThan(0);
    expect(Object.keys(node.fs ?? {})).toEqual([
      'time',
      'availableBytes',
      'capacityBytes',
      'usedBytes',
      'inodesFree',
      'inodes',
      'inodesUsed',
    ]);
    expect(node.runtime?.imageFs).toMatchObject({ time: T0, usedBytes: 5_000_000, inodesUsed: 12 });
    expect(node.runtime?.imageFs?.capacityBytes).toBe(node.fs?.capacityBytes);
    expect(node.runtime?.containerFs).toEqual(node.runtime?.imageFs);
    expect(node.rlimit).toEqual({ time: T0, maxpid: 191627, curproc: 345 });
    expect(node.swap).toEqual({ time: T0, swapUsageBytes: 0 });
    // this process as the kubelet; no pods cgroup on this fake machine
    expect(node.systemContainers?.map((c) => c.name)).toEqual(['kubelet']);
    expect(node.systemContainers?.[0]?.memory?.workingSetBytes).toBeGreaterThan(0);

    expect(s.pods).toHaveLength(1);
    const pod = s.pods[0];
    expect(pod?.podRef).toEqual({ name: 'web', namespace: 'default', uid: UID });
    expect(pod?.startTime).toBe('2024-05-01T09:59:00Z');
    expect(pod?.cpu).toEqual({ time: T0, usageCoreNanoSeconds: 10 * S });
    // containerd reports availableBytes 0 without a limit: left out
    expect(pod?.memory).toEqual({
      time: T0,
      usageBytes: 4_000_000,
      workingSetBytes: 3_000_000,
      rssBytes: 1_000_000,
      pageFaults: 10,
      majorPageFaults: 0,
    });
    // containerd's pod network has only the default interface; it is listed too
    expect(pod?.network).toEqual({
      time: T0,
      name: 'eth0',
      rxBytes: 0,
      rxErrors: 0,
      txBytes: 0,
      txErrors: 0,
      interfaces: [{ name: 'eth0', rxBytes: 0, rxErrors: 0, txBytes: 0, txErrors: 0 }],
    });
    expect(pod?.process_stats).toEqual({ process_count: 1 });
    expect(pod?.containers.map((c) => c.name)).toEqual(['burn', 'idle']);
    const burn = pod?.containers[0];
    expect(burn?.startTime).toBe('2024-05-01T09:59:10Z');
    expect(burn?.cpu).toEqual({ time: T0, usageCoreNanoSeconds: 9 * S });
    expect(burn?.memory?.workingSetBytes).toBe(2_000_000);
    expect(burn?.rootfs).toMatchObject({ time: T0, usedBytes: 8192, inodesUsed: 3 });
    expect(burn?.rootfs?.capacityBytes).toBe(node.fs?.capacityBytes);
    // the log directory: the dir and one file of 10 000 bytes (at least 3 blocks of 4 KiB)
    expect(burn?.logs?.inodesUsed).toBe(2);
    expect(burn?.logs?.usedBytes).toBeGreaterThanOrEqual(10_000);
    expect(burn?.swap).toEqual({ time: T0, swapAvailableBytes: 0, swapUsageBytes: 0 });
    expect(pod?.containers[1]?.logs).toMatchObject({ usedBytes: 0, inodesUsed: 0 });
    // volumes: the emptyDir, not the hostPath
    expect(pod?.volume?.map((v) => v.name)).toEqual(['cache']);
    const cache = pod?.volume?.[0];
    expect(cache?.usedBytes).toBeGreaterThanOrEqual(20_000);
    expect(cache?.inodesUsed).toBe(2);
    // ephemeral storage: writable layers + logs + the emptyDir + /etc/hosts
    const eph = pod?.['ephemeral-storage'];
    const logs = burn?.logs?.usedBytes ?? 0;
    expect(eph?.usedBytes).toBeGreaterThanOrEqual(8192 + logs + (cache?.usedBytes ?? 0) + 1);
    expect(eph?.inodesUsed).toBe(3 + 2 + 2 + 1);
    expect(eph?.capacityBytes).toBe(node.fs?.capacityBytes);
    // JSON as served: no undefined holes, field names as upstream's
    const json = JSON.parse(JSON.stringify(s)) as Summary;
    expect(Object.keys(json.pods[0] ?? {})).toEqual([
      'podRef',
      'startTime',
      'containers',
      'cpu',
      'memory',
      'network',
      'volume',
      'ephemeral-storage',
      'process_stats',
    ]);
    expect(Object.keys(json.node)).toEqual([
      'nodeName',
      'systemContainers',
      'startTime',
      'cpu',
      'memory',
      'network',
      'fs',
      'runtime',
      'rlimit',
      'swap',
    ]);
  });

  it('computes usageNanoCores from two samples of each container, pod and the node', async () => {
    const first = await provider.summary({ onlyCpuAndMemory: false });
    // containerd says 0 when it has no earlier sample itself: no rate yet
    expect(first.pods[0]?.containers[0]?.cpu?.usageNanoCores).toBeUndefined();
    expect(first.node.cpu?.usageNanoCores).toBeUndefined();

    clock += 10_000;
    cri.setUsage('c1', { cpuNs: 19 * S, runtimeNanoCores: 123 }); // one core busy; the runtime's figure is ignored
    cri.setUsage('c2', { cpuNs: 1 * S });
    cri.setUsage('sb1', { cpuNs: 20.5 * S });
    writeFakeProc(procRoot, { ...DEFAULT_PROC, userTicks: DEFAULT_PROC.userTicks + 1500 }); // 15 s in 10 s
    const second = await provider.summary({ onlyCpuAndMemory: false });
    const pod = second.pods[0];
    expect(pod?.containers[0]?.cpu).toEqual({
      time: '2024-05-01T10:00:10Z',
      usageNanoCores: 1e9,
      usageCoreNanoSeconds: 19 * S,
    });
    expect(pod?.containers[1]?.cpu?.usageNanoCores).toBe(0);
    expect(pod?.cpu?.usageNanoCores).toBe(1.05e9);
    expect(second.node.cpu?.usageNanoCores).toBe(1.5e9);
    expect(second.node.systemContainers?.[0]?.cpu?.usageNanoCores).toBeGreaterThanOrEqual(0);

    // a scrape right after: the same window's figures, not a 1 ms one
    clock += 1;
    cri.setUsage('c1', { cpuNs: 19.1 * S });
    const third = await provider.summary({ onlyCpuAndMemory: true });
    expect(third.pods[0]?.containers[0]?.cpu?.usageNanoCores).toBe(1e9);
  });

  it("uses the runtime's usageNanoCores while it has no sample of its own", async () => {
    cri.setUsage('c1', { runtimeNanoCores: 250_000_000 });
    const s = await provider.summary({ onlyCpuAndMemory: true });
    expect(s.pods[0]?.containers[0]?.cpu?.usageNanoCores).toBe(250_000_000);
  });

  it('with only_cpu_and_memory: CPU and memory, nothing else, and no filesystem or image calls', async () => {
    const s = await provider.summary({ onlyCpuAndMemory: true });
    expect(Object.keys(s.node)).toEqual([
      'nodeName',
      'systemContainers',
      'startTime',
      'cpu',
      'memory',
      'swap',
    ]);
    expect(Object.keys(s.pods[0] ?? {})).toEqual(['podRef', 'startTime', 'containers', 'cpu', 'memory']);
    expect(Object.keys(s.pods[0]?.containers[0] ?? {})).toEqual(['name', 'startTime', 'cpu', 'memory']);
    expect(cri.calls).not.toContain('ImageFsInfo');
  });

  it('leaves out exited containers and replaced sandboxes', async () => {
    const c2 = cri.containers.get('c2');
    if (c2) c2.container.state = 'CONTAINER_EXITED';
    // the pod's sandbox was recreated: the old one is not ready
    const old = cri.pods.get('sb1');
    if (old) old.sandbox.state = 'SANDBOX_NOTREADY';
    cri.addPod('sb2', { name: 'web', namespace: 'default', uid: UID }, START_MS * 1e6);
    cri.addContainer('c3', 'sb2', 'burn', START_MS * 1e6);
    cri.addPod('sb3', { name: 'other', namespace: 'apps', uid: 'u3' }, START_MS * 1e6);
    const s = await provider.summary({ onlyCpuAndMemory: true });
    expect(
      s.pods.map(
        (p) => `${p.podRef.namespace}/${p.podRef.name}:${p.containers.map((c) => c.name).join(',')}`,
      ),
    ).toEqual(['apps/other:', 'default/web:burn']);
    expect(s.pods[1]?.startTime).toBe(T0);
  });

  it('sums container figures into pod figures when the runtime has no pod sandbox stats', async () => {
    cri.sandboxStatsUnimplemented = true;
    cri.setUsage('c1', { runtimeNanoCores: 0 });
    const s = await provider.summary({ onlyCpuAndMemory: false });
    const pod = s.pods[0];
    expect(pod?.cpu).toEqual({ time: T0, usageNanoCores: 0, usageCoreNanoSeconds: 10 * S });
    expect(pod?.memory?.workingSetBytes).toBe(2_500_000);
    expect(pod?.swap).toEqual({ time: T0, swapAvailableBytes: 0, swapUsageBytes: 0 });
    expect(pod?.network).toBeUndefined();
    // asked once, then not again
    await provider.summary({ onlyCpuAndMemory: true });
    expect(cri.calls.filter((c) => c === 'ListPodSandboxStats')).toHaveLength(1);
  });

  it('fails the summary when the runtime fails, and says so in /metrics/resource', async () => {
    cri.failWith = new CriError('RuntimeService/ListPodSandbox', CriCode.UNAVAILABLE, 'connection refused');
    await expect(provider.summary({ onlyCpuAndMemory: false })).rejects.toThrow(
      'Internal Error: failed to list pod stats: rpc error: code = Unavailable desc = connection refused',
    );
    expect(await provider.resourceMetrics()).toContain('\nresource_scrape_error 1\n');
  });

  it('serves /metrics/resource from the CPU-and-memory summary, stamped to the millisecond', async () => {
    clock += 250;
    const text = await provider.resourceMetrics();
    const ms = Date.parse(T0) + 250;
    expect(text).toContain(
      `container_cpu_usage_seconds_total{container="burn",namespace="default",pod="web"} 9 ${ms}\n`,
    );
    expect(text).toContain(
      `container_memory_working_set_bytes{container="idle",namespace="default",pod="web"} 500000 ${ms}\n`,
    );
    expect(text).toContain(
      'container_start_time_seconds{container="burn",namespace="default",pod="web"} 1.71455755e+09\n',
    );
    expect(text).toContain(`pod_cpu_usage_seconds_total{namespace="default",pod="web"} 10 ${ms}\n`);
    expect(text).toContain(`pod_memory_working_set_bytes{namespace="default",pod="web"} 3e+06 ${ms}\n`);
    expect(text).toContain(`node_cpu_usage_seconds_total 15 ${ms}\n`);
    expect(text).toContain(`node_memory_working_set_bytes 2.68435456e+09 ${ms}\n`);
    expect(text).toContain('\nresource_scrape_error 0\n');
    expect(text).not.toMatch(/^scrape_error/m); // deprecated in 1.29, hidden since 1.30
  });
});

describe('currentSandboxes', () => {
  it('keeps one sandbox per pod: the ready ones, else the newest', () => {
    const sb = (id: string, name: string, createdAt: number, ready: boolean) => ({
      id,
      metadata: { name, namespace: 'ns', uid: id, attempt: 0 },
      state: ready ? ('SANDBOX_READY' as const) : ('SANDBOX_NOTREADY' as const),
      createdAt,
      labels: {},
      annotations: {},
      runtimeHandler: '',
    });
    const out = currentSandboxes([
      sb('a1', 'a', 1, false),
      sb('a2', 'a', 2, true),
      sb('b1', 'b', 1, false),
      sb('b2', 'b', 3, false),
      sb('c1', 'c', 1, false),
    ]);
    expect(out.map((s) => s.id).sort()).toEqual(['a2', 'b2', 'c1']);
  });
});
