import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import type { ObservedContainer, PodRuntimeState } from './runtime-state.js';
import { podStatus } from './status.js';

const ctx = { now: new Date('2026-11-29T10:00:00Z'), hostIP: '10.0.0.5', runtimeName: 'containerd' };

function pod(extra: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    metadata: { name: 'p', namespace: 'default', uid: 'u1' },
    spec: { containers: [{ name: 'web', image: 'busybox' }], ...extra },
  };
}

function state(containers: Partial<ObservedContainer>[] = [], ready = true): PodRuntimeState {
  return {
    sandbox: ready ? { id: 's1', ready: true, attempt: 0, ips: ['10.42.0.7'] } : undefined,
    containers: containers.map((c, i) => ({
      id: `c${i}`,
      name: 'web',
      attempt: 0,
      state: 'running',
      exitCode: 0,
      reason: '',
      message: '',
      imageRef: 'sha256:abc',
      image: 'busybox',
      specHash: 'h',
      startedAt: new Date('2026-11-29T09:59:00Z'),
      ...c,
    })),
    waiting: new Map(),
    ready: new Map(),
    started: new Map(),
  };
}

const cond = (s: ReturnType<typeof podStatus>, type: string): string | undefined =>
  s.conditions?.find((c) => c.type === type)?.status;

describe('podStatus', () => {
  it('a pod without containers yet is Pending with ContainerCreating', () => {
    const s = podStatus(pod(), state([], false), ctx);
    expect(s.phase).toBe('Pending');
    expect(s.containerStatuses?.[0]?.state?.waiting?.reason).toBe('ContainerCreating');
    expect(cond(s, 'Ready')).toBe('False');
    expect(s.conditions?.find((c) => c.type === 'Ready')?.message).toBe(
      'containers with unready status: [web]',
    );
    expect(s.qosClass).toBe('BestEffort');
    expect(s.podIP).toBeUndefined();
  });

  it('a running container without probes is ready; IPs come from the sandbox', () => {
    const s = podStatus(pod(), state([{}]), ctx);
    expect(s.phase).toBe('Running');
    expect(s.containerStatuses?.[0]).toMatchObject({
      ready: true,
      started: true,
      restartCount: 0,
      containerID: 'containerd://c0',
      imageID: 'sha256:abc',
      state: { running: { startedAt: '2026-11-29T09:59:00Z' } },
    });
    expect(cond(s, 'Ready')).toBe('True');
    expect(cond(s, 'ContainersReady')).toBe('True');
    expect(cond(s, 'Initialized')).toBe('True');
    expect(cond(s, 'PodReadyToStartContainers')).toBe('True');
    expect(s.podIP).toBe('10.42.0.7');
    expect(s.podIPs).toEqual([{ ip: '10.42.0.7' }]);
  });

  it('a readiness probe that has not passed keeps the container unready', () => {
    const p = pod({
      containers: [{ name: 'web', image: 'busybox', readinessProbe: { tcpSocket: { port: 80 } } }],
    });
    expect(podStatus(p, state([{}]), ctx).containerStatuses?.[0]?.ready).toBe(false);
    const st = state([{}]);
    st.ready.set('web', true);
    expect(podStatus(p, st, ctx).containerStatuses?.[0]?.ready).toBe(true);
  });

  it('a crashing container backing off shows CrashLoopBackOff with the exit as lastState', () => {
    const st = state([
      { id: 'c0', attempt: 0, state: 'exited', exitCode: 1, finishedAt: new Date('2026-11-29T09:59:30Z') },
      { id: 'c1', attempt: 1, state: 'exited', exitCode: 1, finishedAt: new Date('2026-11-29T09:59:50Z') },
    ]);
    st.waiting.set('web', {
      reason: 'CrashLoopBackOff',
      message: 'back-off 20s restarting failed container=web pod=p_default(u1)',
    });
    const s = podStatus(pod(), st, ctx);
    expect(s.phase).toBe('Running');
    const cs = s.containerStatuses?.[0];
    expect(cs?.state?.waiting?.reason).toBe('CrashLoopBackOff');
    expect(cs?.lastState?.terminated).toMatchObject({
      exitCode: 1,
      reason: 'Error',
      containerID: 'containerd://c1',
    });
    expect(cs?.restartCount).toBe(1);
  });

  it('restartPolicy Never: success is Succeeded, failure is Failed, OOM keeps its reason', () => {
    const ok = podStatus(pod({ restartPolicy: 'Never' }), state([{ state: 'exited', exitCode: 0 }]), ctx);
    expect(ok.phase).toBe('Succeeded');
    expect(ok.containerStatuses?.[0]?.state?.terminated?.reason).toBe('Completed');
    const bad = podStatus(
      pod({ restartPolicy: 'Never' }),
      state([{ state: 'exited', exitCode: 137, reason: 'OOMKilled' }]),
      ctx,
    );
    expect(bad.phase).toBe('Failed');
    expect(bad.containerStatuses?.[0]?.state?.terminated?.reason).toBe('OOMKilled');
    expect(cond(bad, 'Ready')).toBe('False');
    expect(bad.conditions?.find((c) => c.type === 'Ready')?.reason).toBe('PodCompleted');
  });

  it('init containers: pending until each succeeds, then the app containers start', () => {
    const p = pod({ initContainers: [{ name: 'init', image: 'busybox' }] });
    const st = state([{ name: 'init', state: 'running' }]);
    const s = podStatus(p, st, ctx);
    expect(s.phase).toBe('Pending');
    expect(cond(s, 'Initialized')).toBe('False');
    expect(s.conditions?.find((c) => c.type === 'Initialized')?.message).toBe(
      'containers with incomplete status: [init]',
    );
    expect(s.containerStatuses?.[0]?.state?.waiting?.reason).toBe('PodInitializing');
    expect(s.initContainerStatuses?.[0]?.ready).toBe(false);
    const done = state([{ name: 'init', state: 'exited', exitCode: 0 }]);
    const s2 = podStatus(p, done, ctx);
    expect(cond(s2, 'Initialized')).toBe('True');
    expect(s2.containerStatuses?.[0]?.state?.waiting?.reason).toBe('ContainerCreating');
  });

  it('a failed init container with restartPolicy Never fails the pod', () => {
    const p = pod({ restartPolicy: 'Never', initContainers: [{ name: 'init', image: 'busybox' }] });
    expect(podStatus(p, state([{ name: 'init', state: 'exited', exitCode: 2 }]), ctx).phase).toBe('Failed');
  });

  it('keeps PodScheduled and the start time, and moves transition times only on change', () => {
    const p: Pod = {
      ...pod(),
      status: {
        startTime: '2026-11-29T09:00:00Z',
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-11-29T09:00:00Z' },
          { type: 'Ready', status: 'True', lastTransitionTime: '2026-11-29T09:30:00Z' },
        ],
      },
    };
    const s = podStatus(p, state([{}]), ctx);
    expect(s.startTime).toBe('2026-11-29T09:00:00Z');
    expect(cond(s, 'PodScheduled')).toBe('True');
    expect(s.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime).toBe('2026-11-29T09:30:00Z');
    expect(s.conditions?.find((c) => c.type === 'ContainersReady')?.lastTransitionTime).toBe(
      '2026-11-29T10:00:00Z',
    );
  });

  it('a pod bound without a scheduler reports PodScheduled=True', () => {
    const s = podStatus(pod(), state([{}]), ctx);
    expect(s.conditions?.find((c) => c.type === 'PodScheduled')).toMatchObject({
      status: 'True',
      lastTransitionTime: '2026-11-29T10:00:00Z',
    });
    expect(s.conditions?.map((c) => c.type)).toEqual([
      'PodReadyToStartContainers',
      'Initialized',
      'Ready',
      'ContainersReady',
      'PodScheduled',
    ]);
  });

  it('host-network pods report the node address as pod IP', () => {
    const s = podStatus(pod({ hostNetwork: true }), state([{}]), ctx);
    expect(s.podIP).toBe('10.0.0.5');
  });
});

describe('podStatus PodScheduled', () => {
  it('reports PodScheduled True for a pod created with nodeName', () => {
    const s = podStatus(
      {
        metadata: { name: 'p', namespace: 'default', uid: 'u' },
        spec: { nodeName: 'n1', containers: [{ name: 'web', image: 'b' }] },
      },
      { containers: [], waiting: new Map(), ready: new Map(), started: new Map() },
      { now: new Date('2026-11-29T10:00:00Z'), hostIP: '10.0.0.5', runtimeName: 'containerd' },
    );
    expect(s.conditions?.find((c) => c.type === 'PodScheduled')).toMatchObject({
      status: 'True',
      lastTransitionTime: '2026-11-29T10:00:00Z',
    });
  });
});
