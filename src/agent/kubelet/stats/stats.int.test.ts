/**
 * The stats provider against a real containerd (started by the agent's supervisor) inside a test
 * host's network namespace: one busybox container that burns CPU shows a CPU rate and a working set
 * in /stats/summary and /metrics/resource, and so do its pod, the pods cgroup and the node. Needs root.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestContainerd, type TestContainerd } from '../../../../test/support/containerd.js';
import { createTestHost, type TestHost } from '../../../../test/support/host.js';
import { TEST_BUSYBOX_IMAGE } from '../../../../test/support/images.js';
import { pollUntil } from '../../../../test/support/poll.js';
import type { PodSandboxConfig } from '../../cri/types.js';
import { createStatsProvider, type CriStatsProvider } from './provider.js';
import type { PodStats, Summary } from './types.js';

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('stats from a real containerd', () => {
  let host: TestHost;
  let rt: TestContainerd;
  let stats: CriStatsProvider;
  const uid = 'c0ffee00-0000-4000-8000-00000000beef';
  const podName = 'burn';

  beforeAll(async () => {
    host = await createTestHost();
    rt = await startTestContainerd(host, { podCidr: '10.89.0.0/24', bridge: 'k8ts0' });
    const labels = {
      'io.kubernetes.pod.name': podName,
      'io.kubernetes.pod.namespace': 'default',
      'io.kubernetes.pod.uid': uid,
    };
    const logDirectory = path.join(rt.dataDir, 'agent', 'pod-logs', `default_${podName}_${uid}`);
    fs.mkdirSync(logDirectory, { recursive: true });
    const sandboxConfig: PodSandboxConfig = {
      metadata: { name: podName, namespace: 'default', uid, attempt: 0 },
      hostname: podName,
      logDirectory,
      labels,
      linux: {
        cgroupParent: `${host.cgroupRoot}/kubepods/besteffort/pod${uid}`,
        securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } },
      },
    };
    const { podSandboxId } = await rt.cri.runtime.runPodSandbox({ config: sandboxConfig });
    const { containerId } = await rt.cri.runtime.createContainer({
      podSandboxId,
      sandboxConfig,
      config: {
        metadata: { name: 'burn', attempt: 0 },
        image: { image: TEST_BUSYBOX_IMAGE },
        command: ['sh', '-c', 'echo burning; while :; do :; done'],
        logPath: 'burn/0.log',
        labels: { ...labels, 'io.kubernetes.container.name': 'burn' },
      },
    });
    await rt.cri.runtime.startContainer({ containerId });
    stats = createStatsProvider({
      runtime: rt.cri.runtime,
      images: rt.cri.images,
      dataDir: rt.dataDir,
      nodeName: 'stats-node',
      cgroupRoot: host.cgroupRoot,
      dirUsageTtlMs: 0,
      log: pino({ level: 'silent' }),
    });
  });

  afterAll(async () => {
    await host?.destroy();
  });

  const podOf = (s: Summary): PodStats | undefined => s.pods.find((p) => p.podRef.uid === uid);

  it('reports a CPU rate and a working set for the busy container, its pod and the node', async () => {
    const summary = await pollUntil(
      'a CPU rate for the burning container',
      () => stats.summary({ onlyCpuAndMemory: false }),
      (s) => (podOf(s)?.containers[0]?.cpu?.usageNanoCores ?? 0) > 0 && (s.node.cpu?.usageNanoCores ?? 0) > 0,
      { timeoutMs: 30_000, intervalMs: 1100 },
    );
    const pod = podOf(summary);
    expect(pod?.podRef).toEqual({ name: podName, namespace: 'default', uid });
    const burn = pod?.containers.find((c) => c.name === 'burn');
    // Busy looping: a measurable rate. Not "most of a core": a BestEffort pod's cgroup has the minimum
    // cpu.shares, so on a loaded 2-core machine it may get only a few percent.
    expect(burn?.cpu?.usageNanoCores).toBeGreaterThan(1e6);
    expect(burn?.cpu?.usageCoreNanoSeconds).toBeGreaterThan(0);
    expect(burn?.memory?.workingSetBytes).toBeGreaterThan(0);
    expect(burn?.rootfs?.capacityBytes).toBeGreaterThan(0);
    // "burning\n" in the CRI log format is in its log file
    expect(burn?.logs?.usedBytes).toBeGreaterThan(0);
    // The pod's cgroup and the container are read a moment apart, while the container burns CPU: the
    // pod's total includes the container's up to that skew.
    expect(pod?.cpu?.usageCoreNanoSeconds).toBeGreaterThanOrEqual(
      0.9 * (burn?.cpu?.usageCoreNanoSeconds ?? 0),
    );
    expect(pod?.memory?.workingSetBytes).toBeGreaterThan(0);
    expect(pod?.network?.name).toBe('eth0');
    expect(pod?.['ephemeral-storage']?.usedBytes).toBeGreaterThan(0);

    const node = summary.node;
    expect(node.nodeName).toBe('stats-node');
    expect(node.cpu?.usageNanoCores).toBeGreaterThan(0);
    expect(node.memory?.workingSetBytes).toBeGreaterThan(0);
    expect(node.fs?.capacityBytes).toBeGreaterThan(0);
    expect(node.runtime?.imageFs?.capacityBytes).toBeGreaterThan(0);
    expect(node.rlimit?.maxpid).toBeGreaterThan(0);
    // the pods cgroup under the host's cgroup root holds the container
    const pods = node.systemContainers?.find((c) => c.name === 'pods');
    expect(pods?.cpu?.usageCoreNanoSeconds).toBeGreaterThan(0);
    expect(pods?.cpu?.usageNanoCores).toBeGreaterThan(1e8);
    expect(pods?.memory?.workingSetBytes).toBeGreaterThan(0);
  });

  it('serves the busy container in /metrics/resource', async () => {
    const text = await stats.resourceMetrics();
    const line = text
      .split('\n')
      .find((l) =>
        l.startsWith('container_cpu_usage_seconds_total{container="burn",namespace="default",pod="burn"} '),
      );
    expect(line).toBeDefined();
    expect(Number(line?.split(' ')[1])).toBeGreaterThan(0);
    expect(text).toMatch(
      /^container_memory_working_set_bytes\{container="burn",namespace="default",pod="burn"\} /m,
    );
    expect(text).toMatch(/^pod_cpu_usage_seconds_total\{namespace="default",pod="burn"\} /m);
    expect(text).toMatch(/^node_memory_working_set_bytes \S+ \d+$/m);
    expect(text).toContain('\nresource_scrape_error 0\n');
  });
});
