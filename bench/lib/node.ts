/**
 * A k8ts server with its node agent, for benchmarks that run pods: started inside the bench host
 * (bench/lib/netns.ts) with the host's cgroup prefix and a data dir in its scratch directory, waited
 * for until its Node is Ready, with the busybox test image imported. Also the admin API client
 * (src/client) and a CRI connection to the agent's own containerd.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { connectCri, type CriConnection } from '../../src/agent/cri/client.js';
import { containerdPaths } from '../../src/agent/runtime/config.js';
import { clientFromKubeconfig } from '../../src/client/http.js';
import { NAMESPACES, NODES, PODS, SERVICEACCOUNTS } from '../../src/client/resources.js';
import type { ApiObject, Client } from '../../src/client/types.js';
import { ApiError } from '../../src/api/errors.js';
import { ensureTestImages, TEST_IMAGE_NAMES } from '../../test/support/registry.js';
import type { BenchHost } from './netns.js';
import { pollUntil, sleep } from './proc.js';
import { ROOT, startK8ts, type K8tsServer } from './server.js';

/** The node name benchmarks give their node. */
export const BENCH_NODE = 'bench';
/** The image of benchmark pods. */
export const BUSYBOX = TEST_IMAGE_NAMES.busybox;

/** A running server with its node. */
export interface BenchNode {
  srv: K8tsServer;
  client: Client;
  /** The agent's containerd (undefined with `disableAgent`). */
  cri?: CriConnection;
  /** PID of the agent's containerd (from its pid file). */
  containerdPid(): number | undefined;
  /** Stops the server (the data dir stays: the bench host removes it); containers keep running. */
  stop(): Promise<void>;
}

/** Options of {@link startNode}. */
export interface NodeOptions {
  /** Reuse this data dir (default `<host dir>/data`). */
  dataDir?: string;
  /** Run the control plane only (`--disable-agent`). */
  disableAgent?: boolean;
  /** Write a CPU profile of the server into this directory. */
  cpuProfileDir?: string;
  /** Another build's bin/k8ts.js (A/B runs: `--set bin=PATH`). */
  bin?: string;
  /** Flags for node itself (e.g. V8 heap limits). */
  nodeArgs?: string[];
  /** Import the busybox test image when containerd lacks it (default true; false: an idle node). */
  images?: boolean;
}

/** Reads containerd's PID from the agent's pid file, if that process is alive. */
export function containerdPidOf(dataDir: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(containerdPaths(dataDir).pidFile, 'utf8').trim(), 10);
    if (Number.isInteger(pid) && pid > 1 && fs.existsSync(`/proc/${pid}`)) return pid;
  } catch {
    // no pid file
  }
  return undefined;
}

/** True once the node reports Ready with a heartbeat from after `since` (so not a stale status). */
async function nodeReady(client: Client, since: number): Promise<true | undefined> {
  const node = await client.resource(NODES).get(BENCH_NODE);
  const conds = (
    (node['status'] ?? {}) as {
      conditions?: { type: string; status: string; lastHeartbeatTime?: string }[];
    }
  ).conditions;
  const ready = conds?.find((c) => c.type === 'Ready');
  const beat = ready?.lastHeartbeatTime ? Date.parse(ready.lastHeartbeatTime) : 0;
  return ready?.status === 'True' && beat >= Math.floor(since / 1000) * 1000 ? true : undefined;
}

/** Starts `k8ts server` with its agent (unless disabled) inside the bench host. */
export async function startNode(host: BenchHost, opts: NodeOptions = {}): Promise<BenchNode> {
  const dataDir = opts.dataDir ?? path.join(host.dir, 'data');
  const since = Date.now();
  const srv = await startK8ts({
    dataDir,
    ...(opts.bin ? { bin: opts.bin } : {}),
    ...(opts.nodeArgs ? { nodeArgs: opts.nodeArgs } : {}),
    ...(opts.cpuProfileDir ? { cpuProfileDir: opts.cpuProfileDir } : {}),
    extraArgs: [
      ...(opts.disableAgent ? ['--disable-agent'] : []),
      '--node-name',
      BENCH_NODE,
      '--cgroup-root',
      host.cgroupRoot,
      '--kubelet-port',
      '0',
    ],
  });
  const client = clientFromKubeconfig(srv.kubeconfig, { component: 'bench' });
  let cri: CriConnection | undefined;
  const stop = async (): Promise<void> => {
    cri?.close();
    client.close();
    await srv.stop({ keep: true });
  };
  try {
    if (!opts.disableAgent) {
      await pollUntil('the node to become Ready', 120_000, () => nodeReady(client, since), {
        everyMs: 200,
      });
      cri = connectCri(containerdPaths(dataDir).socket);
      const have =
        opts.images === false ? undefined : await cri.images.imageStatus({ image: { image: BUSYBOX } });
      if (have && !have.image?.id) {
        const images = await ensureTestImages();
        const r = spawnSync(
          process.execPath,
          [path.join(ROOT, 'bin', 'k8ts.js'), 'images', 'import', '--data-dir', dataDir, images.busybox],
          { encoding: 'utf8', timeout: 120_000 },
        );
        if (r.status !== 0) throw new Error(`k8ts images import failed: ${r.stderr || r.stdout}`);
      }
    }
    return { srv, client, cri, containerdPid: () => containerdPidOf(dataDir), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Creates the namespace (if needed) and waits for its default ServiceAccount (pods need it). */
export async function ensurePodNamespace(client: Client, ns: string): Promise<void> {
  try {
    await client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 409)) throw err;
  }
  await pollUntil(`ServiceAccount ${ns}/default`, 30_000, async () => {
    try {
      await client.resource(SERVICEACCOUNTS, ns).get('default');
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return undefined;
      throw err;
    }
  });
}

/**
 * The benchmark pod: one busybox container running `sleep 3600` on the bench node, no probes (it is
 * Ready as soon as its container runs).
 */
export function benchPod(name: string, ns: string): Pod & ApiObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app: 'bench' } },
    spec: {
      nodeName: BENCH_NODE,
      containers: [{ name: 'c', image: BUSYBOX, command: ['sleep', '3600'] }],
    },
  };
}

/** True when the pod's Ready condition is True. */
export function podIsReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Sandboxes in the runtime created by the agent (they carry the pod uid label). */
export async function agentSandboxCount(cri: CriConnection): Promise<number> {
  const res = await cri.runtime.listPodSandbox({});
  return (res.items ?? []).filter((s) => s.labels?.['io.kubernetes.pod.uid']).length;
}

/**
 * Deletes every pod of `ns` at once (grace period 0) and waits until the agent removed their
 * sandboxes from the runtime, so the next round starts on an empty node.
 */
export async function deleteAllPods(node: BenchNode, ns: string, timeoutMs = 120_000): Promise<void> {
  const pods = node.client.resource(PODS, ns);
  const list = await pods.list();
  await Promise.all(
    list.items.map((p) =>
      pods.delete(p.metadata.name ?? '', { gracePeriodSeconds: 0 }).catch((err: unknown) => {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }),
    ),
  );
  const cri = node.cri;
  await pollUntil(
    'the agent to remove the deleted pods from the runtime',
    timeoutMs,
    async () => {
      const left = (await pods.list()).items.length + (cri ? await agentSandboxCount(cri) : 0);
      return left === 0 ? true : undefined;
    },
    { everyMs: 200 },
  );
  await sleep(200);
}
