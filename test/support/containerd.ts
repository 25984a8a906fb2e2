/**
 * A real containerd for integration tests, run by the agent's own supervisor inside a test host's
 * network namespace, with a CNI bridge config for a pod CIDR and the test images imported.
 * The host's destroy() removes every pod sandbox through CRI and stops containerd first.
 */
import path from 'node:path';
import { connectCri, type CriConnection } from '../../src/agent/cri/client.js';
import { writeCniConfig } from '../../src/agent/network/cni.js';
import { Containerd } from '../../src/agent/runtime/containerd.js';
import { componentLogger } from '../../src/util/log.js';
import type { TestHost } from './host.js';
import { importTestImages, TEST_PAUSE_IMAGE } from './images.js';

/** Options of {@link startTestContainerd}. */
export interface TestContainerdOptions {
  /** Pod CIDR of the node (default 10.88.0.0/24). */
  podCidr?: string;
  /** Bridge name (default k8ts0). */
  bridge?: string;
  /** Import the test images (default true). */
  images?: boolean;
}

/** A running test containerd and a CRI connection to it. */
export interface TestContainerd {
  containerd: Containerd;
  cri: CriConnection;
  /** The k8ts data dir it lives in. */
  dataDir: string;
  /** The CNI conf dir. */
  cniConfDir: string;
}

/** Stops and removes every pod sandbox the runtime knows (bounded). */
export async function removeAllPods(cri: CriConnection): Promise<void> {
  const { items } = await cri.runtime.listPodSandbox({}, { timeoutMs: 5000 });
  for (const sandbox of items) {
    await cri.runtime.stopPodSandbox({ podSandboxId: sandbox.id }, { timeoutMs: 15_000 });
    await cri.runtime.removePodSandbox({ podSandboxId: sandbox.id }, { timeoutMs: 15_000 });
  }
}

/** Starts containerd in the host (see the module comment). */
export async function startTestContainerd(
  host: TestHost,
  opts: TestContainerdOptions = {},
): Promise<TestContainerd> {
  const dataDir = path.join(host.dir, 'data');
  const cniConfDir = path.join(dataDir, 'agent', 'cni');
  writeCniConfig({
    confDir: cniConfDir,
    podCidr: opts.podCidr ?? '10.88.0.0/24',
    bridge: opts.bridge ?? 'k8ts0',
    ipamDataDir: path.join(dataDir, 'agent', 'cni-ipam'),
  });
  const containerd = new Containerd({
    dataDir,
    sandboxImage: TEST_PAUSE_IMAGE,
    commandPrefix: host.wrap([]),
    logger: componentLogger('containerd', { host: host.name }),
    restartBackoff: { initialMs: 200, maxMs: 2000 },
    stopTimeoutMs: 5000,
  });
  const cri = connectCri(containerd.endpoint, { timeoutMs: 60_000 });
  host.onDestroy(async () => {
    try {
      if (containerd.pid !== undefined) await removeAllPods(cri);
    } finally {
      cri.close();
      await containerd.stop();
    }
  });
  await containerd.start();
  if (opts.images ?? true) await importTestImages(containerd.paths.socket);
  return { containerd, cri, dataDir, cniConfDir };
}
