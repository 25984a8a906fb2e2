import type { Pod } from 'kubernetes-types/core/v1.js';
import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import type { VolumeManager } from '../volumes/types.js';
import { Backoff } from './backoff.js';
import { ImagePuller } from './image-puller.js';
import { PodSyncer, type UnhealthySet } from './pod-sync.js';
import { podStatus } from './status.js';
import { FakeCri } from './testing/fake-cri.js';

const log = pino({ level: 'silent' });

function pod(spec: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    metadata: { name: 'p', namespace: 'default', uid: 'uid-1' },
    spec: { nodeName: 'n1', containers: [{ name: 'web', image: 'k8ts.local/busybox:1' }], ...spec },
  };
}

describe('PodSyncer', () => {
  let cri: FakeCri;
  let now: number;
  let events: string[];
  let syncer: PodSyncer;
  /** Budgets the kubelet gave the data-path drain of deleted pods, in order. */
  let drains: number[];
  const unhealthy: UnhealthySet = new Map();
  const volumes: VolumeManager = {
    setUp: async () => new Map(),
    tearDown: async () => undefined,
    podsOnDisk: async () => [],
  };

  beforeEach(() => {
    now = 1_000_000;
    cri = new FakeCri(() => now);
    events = [];
    drains = [];
    const backoff = new Backoff();
    syncer = new PodSyncer({
      runtime: cri.runtime(),
      images: new ImagePuller({
        images: cri.imageService(),
        credentials: async () => [],
        now: () => now,
      }),
      volumes,
      mounts: async () => [],
      lifecycle: {
        started: () => undefined,
        postStart: async () => undefined,
        preStop: async () => undefined,
        forget: () => undefined,
      },
      probes: { ready: () => undefined, started: () => undefined },
      envSources: { configMap: async () => undefined, secret: async () => undefined },
      services: () => [],
      event: (_p, _f, type, reason, message) => events.push(`${type} ${reason} ${message}`),
      dns: () => ({ servers: [], searches: [], options: [] }),
      node: { ip: '10.0.0.5', memoryBytes: 8 << 30, allocatable: { cpu: '2', memory: '8Gi' } },
      logsRoot: '/tmp/logs',
      cgroupRoot: '/k8ts',
      backoff,
      now: () => now,
      log,
      drain: async (_pod, budgetMs) => {
        drains.push(budgetMs);
        now += 2000;
      },
    });
  });

  const status = async (p: Pod): Promise<ReturnType<typeof podStatus>> =>
    podStatus(p, (await syncer.sync(p, unhealthy)).state, {
      now: new Date(now),
      hostIP: '10.0.0.5',
      runtimeName: 'containerd',
    });

  it('creates the sandbox and starts the container; the pod runs', async () => {
    const s = await status(pod());
    expect(cri.calls.filter((c) => c.startsWith('runPodSandbox') || c.startsWith('createContainer'))).toEqual(
      ['runPodSandbox', 'createContainer:web:0'],
    );
    expect(s.phase).toBe('Running');
    expect(s.podIP).toBe('10.42.0.9');
    expect(events).toContain('Normal Created Created container: web');
    expect(events).toContain('Normal Started Started container web');
    // A second sync changes nothing.
    await status(pod());
    expect(cri.calls.filter((c) => c.startsWith('createContainer'))).toHaveLength(1);
  });

  it('restarts a crashing container at once, then backs off with CrashLoopBackOff', async () => {
    const p = pod();
    await syncer.sync(p, unhealthy);
    cri.exit(cri.latest('web')!.id, 1);
    await syncer.sync(p, unhealthy); // first restart: immediate
    expect(cri.latest('web')?.config.metadata?.attempt).toBe(1);
    now += 1000;
    cri.exit(cri.latest('web')!.id, 1);
    const res = await syncer.sync(p, unhealthy);
    const s = podStatus(p, res.state, { now: new Date(now), hostIP: '10.0.0.5', runtimeName: 'containerd' });
    expect(s.containerStatuses?.[0]?.state?.waiting).toEqual({
      reason: 'CrashLoopBackOff',
      message: 'back-off 10s restarting failed container=web pod=p_default(uid-1)',
    });
    expect(s.containerStatuses?.[0]?.restartCount).toBe(1);
    expect(res.retryAfterMs).toBeGreaterThan(0);
    now += res.retryAfterMs ?? 0;
    await syncer.sync(p, unhealthy);
    expect(cri.latest('web')?.config.metadata?.attempt).toBe(2);
    expect(cri.latest('web')?.state).toBe('CONTAINER_RUNNING');
  });

  it('restartPolicy Never: an exited container stays exited and the pod completes', async () => {
    const p = pod({ restartPolicy: 'Never' });
    await syncer.sync(p, unhealthy);
    cri.exit(cri.latest('web')!.id, 0);
    const s = await status(p);
    expect(s.phase).toBe('Succeeded');
    expect(cri.calls.filter((c) => c.startsWith('createContainer'))).toHaveLength(1);
  });

  it('runs init containers one at a time, in order, before the app', async () => {
    const p = pod({
      initContainers: [
        { name: 'a', image: 'k8ts.local/busybox:1' },
        { name: 'b', image: 'k8ts.local/busybox:1' },
      ],
    });
    let s = await status(p);
    expect(cri.calls.filter((c) => c.startsWith('createContainer'))).toEqual(['createContainer:a:0']);
    expect(s.phase).toBe('Pending');
    expect(s.containerStatuses?.[0]?.state?.waiting?.reason).toBe('PodInitializing');
    cri.exit(cri.latest('a')!.id, 0);
    await status(p);
    expect(cri.latest('b')).toBeDefined();
    cri.exit(cri.latest('b')!.id, 0);
    s = await status(p);
    expect(cri.latest('web')?.state).toBe('CONTAINER_RUNNING');
    expect(s.phase).toBe('Running');
    expect(s.conditions?.find((c) => c.type === 'Initialized')?.status).toBe('True');
  });

  it('a failing init container with restartPolicy Never fails the pod', async () => {
    const p = pod({ restartPolicy: 'Never', initContainers: [{ name: 'a', image: 'k8ts.local/busybox:1' }] });
    await syncer.sync(p, unhealthy);
    cri.exit(cri.latest('a')!.id, 3);
    const s = await status(p);
    expect(s.phase).toBe('Failed');
    expect(cri.latest('web')).toBeUndefined();
  });

  it('reports CreateContainerConfigError for a missing ConfigMap', async () => {
    const p = pod({
      containers: [
        { name: 'web', image: 'k8ts.local/busybox:1', envFrom: [{ configMapRef: { name: 'cfg' } }] },
      ],
    });
    const s = await status(p);
    expect(s.containerStatuses?.[0]?.state?.waiting).toEqual({
      reason: 'CreateContainerConfigError',
      message: 'configmap "cfg" not found',
    });
    expect(events).toContain('Warning Failed Error: configmap "cfg" not found');
  });

  it('reports ErrImageNeverPull and ErrImagePull then ImagePullBackOff', async () => {
    const never = pod({
      containers: [{ name: 'web', image: 'k8ts.local/missing:1', imagePullPolicy: 'Never' }],
    });
    expect((await status(never)).containerStatuses?.[0]?.state?.waiting?.reason).toBe('ErrImageNeverPull');
    expect(events).toContain(
      'Warning ErrImageNeverPull Container image "k8ts.local/missing:1" is not present with pull policy of Never',
    );
    expect(events).toContain('Warning Failed Error: ErrImageNeverPull');
    cri.failPull.add('k8ts.local/missing:2');
    const p = pod({ containers: [{ name: 'web', image: 'k8ts.local/missing:2' }] });
    p.metadata = { ...p.metadata, uid: 'uid-2' };
    expect((await status(p)).containerStatuses?.[0]?.state?.waiting?.reason).toBe('ErrImagePull');
    now += 1000;
    const s = await status(p);
    expect(s.containerStatuses?.[0]?.state?.waiting).toEqual({
      reason: 'ImagePullBackOff',
      message:
        'Back-off pulling image "k8ts.local/missing:2": ErrImagePull: failed to pull and unpack image "k8ts.local/missing:2": not found',
    });
  });

  it('a command that cannot start shows RunContainerError, then CrashLoopBackOff', async () => {
    cri.failStart.add('/nope');
    const p = pod({ containers: [{ name: 'web', image: 'k8ts.local/busybox:1', command: ['/nope'] }] });
    let s = await status(p);
    expect(s.containerStatuses?.[0]?.state?.waiting).toEqual({
      reason: 'RunContainerError',
      message: 'failed to create containerd task: exec: "/nope": executable file not found in $PATH',
    });
    // The runtime's message alone, without the gRPC status wrapping, as upstream.
    expect(events).toContain(
      'Warning Failed Error: failed to create containerd task: exec: "/nope": executable file not found in $PATH',
    );
    s = await status(p);
    s = await status(p);
    expect(s.containerStatuses?.[0]?.state?.waiting?.reason).toBe('CrashLoopBackOff');
    expect(s.containerStatuses?.[0]?.lastState?.terminated?.reason).toBe('StartError');
  });

  it('restarts a container whose image changed', async () => {
    const p = pod();
    await syncer.sync(p, unhealthy);
    const first = cri.latest('web')!.id;
    const changed = pod({ containers: [{ name: 'web', image: 'k8ts.local/busybox:2' }] });
    cri.images.add('k8ts.local/busybox:2');
    await syncer.sync(changed, unhealthy);
    expect(cri.calls).toContain(`stopContainer:${first}`);
    expect(cri.latest('web')?.config.image?.userSpecifiedImage).toBe('k8ts.local/busybox:2');
    expect(events).toContain('Normal Killing Container web definition changed, will be restarted');
  });

  it('restarts a container that failed its liveness probe', async () => {
    const p = pod();
    await syncer.sync(p, unhealthy);
    const first = cri.latest('web')!.id;
    unhealthy.set('uid-1/web', {
      containerId: first,
      message: 'Container web failed liveness probe, will be restarted',
    });
    await syncer.sync(p, unhealthy);
    expect(cri.calls).toContain(`stopContainer:${first}`);
    expect(cri.latest('web')?.config.metadata?.attempt).toBe(1);
  });

  it('stops everything for a deleted pod and removes it afterwards', async () => {
    const p = pod();
    await syncer.sync(p, unhealthy);
    const res = await syncer.stopAll(p, await syncer.observe('uid-1', new Map()), 'deleted');
    expect(res.allStopped).toBe(true);
    // Before SIGTERM the pod left the data path, within min(5 s, half the 30 s grace period).
    expect(drains).toEqual([5000]);
    expect(events).toContain('Normal Killing Stopping container web');
    await syncer.removeAll('uid-1');
    expect(cri.sandboxes.size).toBe(0);
    expect(cri.containers.size).toBe(0);
  });

  it('recreates the sandbox (and containers) when the sandbox died', async () => {
    const p = pod();
    await syncer.sync(p, unhealthy);
    for (const s of cri.sandboxes.values()) s.state = 'SANDBOX_NOTREADY';
    await syncer.sync(p, unhealthy);
    expect(cri.calls.filter((c) => c === 'runPodSandbox')).toHaveLength(2);
    expect(cri.latest('web')?.state).toBe('CONTAINER_RUNNING');
    expect(cri.latest('web')?.config.metadata?.attempt).toBe(1);
  });
});

describe('PodSyncer.prune', () => {
  it('keeps the latest two attempts of each container', async () => {
    const cri = new FakeCri(() => 1_000_000);
    const runtime = cri.runtime();
    const syncer = new PodSyncer({ runtime, log } as unknown as ConstructorParameters<typeof PodSyncer>[0]);
    const ids: string[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const { containerId } = await runtime.createContainer({
        podSandboxId: 's',
        sandboxConfig: { metadata: { name: 'p', uid: 'u', namespace: 'default', attempt: 0 } },
        config: {
          metadata: { name: 'web', attempt },
          image: { image: 'b' },
          labels: { 'io.kubernetes.pod.uid': 'u' },
        },
      });
      cri.exit(containerId, 1);
      ids.push(containerId);
    }
    await syncer.prune('u', await syncer.observe('u', new Map()));
    expect([...cri.containers.keys()].sort()).toEqual(ids.slice(2).sort());
  });
});
