import { beforeEach, describe, expect, it } from 'vitest';
import type { RuntimeService } from '../../cri/client.js';
import { RuntimeCache } from './runtime-cache.js';
import { FakeCri } from './testing/fake-cri.js';

const UID = 'uid-1';

describe('RuntimeCache', () => {
  let now: number;
  let cri: FakeCri;
  let rt: RuntimeService;
  let cache: RuntimeCache;

  beforeEach(() => {
    now = 1_000_000;
    cri = new FakeCri(() => now);
    rt = cri.runtime();
    cache = new RuntimeCache(rt, () => now);
  });

  /** A sandbox with one running container for pod `uid`, made straight in the fake runtime. */
  const runPod = async (uid = UID): Promise<{ sandbox: string; container: string }> => {
    const labels = { 'io.kubernetes.pod.uid': uid };
    const metadata = { name: `p-${uid}`, uid, namespace: 'default', attempt: 0 };
    const { podSandboxId } = await rt.runPodSandbox({ config: { metadata, labels } });
    const { containerId } = await rt.createContainer({
      podSandboxId,
      sandboxConfig: { metadata },
      config: { metadata: { name: 'web', attempt: 0 }, image: { image: 'b' }, labels },
    });
    await rt.startContainer({ containerId });
    return { sandbox: podSandboxId, container: containerId };
  };

  const reads = (): string[] => cri.reads.splice(0);

  it('reads the pod from the runtime each time until a relist ran', async () => {
    const { sandbox, container } = await runPod();
    const first = await cache.pod(UID);
    expect(first.sandboxes.map((s) => [s.id, s.ips])).toEqual([[sandbox, ['10.42.0.9']]]);
    expect(first.containers.map((c) => [c.id, c.state, c.sandboxId])).toEqual([
      [container, 'running', sandbox],
    ]);
    expect(reads().sort()).toEqual(
      [
        `listPodSandbox:${UID}`,
        `listContainers:${UID}`,
        `podSandboxStatus:${sandbox}`,
        `containerStatus:${container}`,
      ].sort(),
    );
    await cache.pod(UID);
    // Listed again, but the sandbox's IPs and the container's status (same state) are known.
    expect(reads().sort()).toEqual([`listContainers:${UID}`, `listPodSandbox:${UID}`]);
  });

  it('serves pods from the last relist, and fingerprints them', async () => {
    const { sandbox, container } = await runPod();
    const prints = await cache.relist();
    expect(prints).toEqual(new Map([[UID, `c:${container}:CONTAINER_RUNNING,s:${sandbox}:SANDBOX_READY`]]));
    reads();
    const pod = await cache.pod(UID);
    expect(pod.containers.map((c) => c.id)).toEqual([container]);
    expect(reads().sort()).toEqual([`containerStatus:${container}`, `podSandboxStatus:${sandbox}`].sort());
    await cache.pod(UID);
    expect(reads()).toEqual([]);
    // A pod the relist did not see has nothing in the runtime: no read either.
    expect(await cache.pod('other')).toEqual({ sandboxes: [], containers: [] });
    expect(reads()).toEqual([]);
  });

  it('reads a pod again after this agent changed it, once', async () => {
    const { container } = await runPod();
    await cache.relist();
    await cache.pod(UID);
    reads();
    await cache.change(UID, () => rt.stopContainer({ containerId: container, timeout: 0 }));
    const after = await cache.pod(UID);
    expect(after.containers.map((c) => [c.state, c.exitCode])).toEqual([['exited', 137]]);
    expect(reads().sort()).toEqual(
      [`containerStatus:${container}`, `listContainers:${UID}`, `listPodSandbox:${UID}`].sort(),
    );
    await cache.pod(UID);
    expect(reads()).toEqual([]);
  });

  it('does not let a relist that started before a change hide it', async () => {
    const { container } = await runPod();
    await cache.relist();
    const relist = cache.relist(); // lists now, before the stop below
    await cache.change(UID, () => rt.stopContainer({ containerId: container, timeout: 0 }));
    await relist;
    expect((await cache.pod(UID)).containers.map((c) => c.state)).toEqual(['exited']);
  });

  it('a change made elsewhere shows at the next relist', async () => {
    const { container } = await runPod();
    const before = await cache.relist();
    await cache.pod(UID);
    cri.exit(container, 3);
    expect((await cache.pod(UID)).containers.map((c) => c.state)).toEqual(['running']);
    const after = await cache.relist();
    expect(after.get(UID)).not.toBe(before.get(UID));
    expect((await cache.pod(UID)).containers.map((c) => [c.state, c.exitCode])).toEqual([['exited', 3]]);
  });

  it('a fresh read always asks the runtime', async () => {
    await runPod();
    await cache.relist();
    await cache.pod(UID);
    reads();
    await cache.pod(UID, { fresh: true });
    expect(reads().sort()).toEqual([`listContainers:${UID}`, `listPodSandbox:${UID}`]);
  });

  it('reads an exited container once more when its status was read right after the exit', async () => {
    const { container } = await runPod();
    await cache.relist();
    cri.exit(container, 137);
    await cache.relist();
    expect((await cache.pod(UID)).containers[0]?.reason).toBe('');
    // The runtime learns the reason a moment later (containerd's OOM event after the exit).
    const c = cri.containers.get(container);
    if (c) c.reason = 'OOMKilled';
    reads();
    now += 100;
    await cache.pod(UID);
    expect(reads()).toEqual([]);
    now += 1000;
    expect((await cache.pod(UID)).containers[0]?.reason).toBe('OOMKilled');
    expect(reads()).toEqual([`containerStatus:${container}`]);
    now += 5000;
    await cache.pod(UID);
    await cache.pod(UID);
    expect(reads()).toEqual([`containerStatus:${container}`]);
    now += 5000;
    await cache.pod(UID);
    expect(reads()).toEqual([]);
  });

  it('forgets sandboxes and containers the runtime no longer has', async () => {
    const { sandbox } = await runPod();
    await cache.relist();
    await cache.pod(UID);
    await rt.removePodSandbox({ podSandboxId: sandbox });
    const prints = await cache.relist();
    expect(prints.has(UID)).toBe(false);
    expect(await cache.pod(UID)).toEqual({ sandboxes: [], containers: [] });
  });

  it("reads one sandbox's status and keeps its IPs for later reads", async () => {
    const { sandbox } = await runPod();
    await cache.relist();
    reads();
    expect(await cache.sandboxStatus(sandbox)).toMatchObject({
      id: sandbox,
      ready: true,
      ips: ['10.42.0.9'],
    });
    expect(reads()).toEqual([`podSandboxStatus:${sandbox}`]);
    expect((await cache.pod(UID)).sandboxes.map((s) => s.ips)).toEqual([['10.42.0.9']]);
    expect(reads().filter((r) => r.startsWith('podSandboxStatus'))).toEqual([]);
  });
});
