import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { advance, containerPlan, RESTART_DELAY_MS, simPhase, simStatus, startPod } from './pod-status.js';

const T0 = Date.parse('2026-11-29T10:00:00Z');

function pod(spec: Partial<NonNullable<Pod['spec']>> = {}, annotations?: Record<string, string>): Pod {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'uid-1', ...(annotations ? { annotations } : {}) },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27' }], ...spec },
  };
}

const status = (p: Pod, ip: string, now: number) => {
  const sim = startPod(p, ip, T0);
  advance(sim, now);
  return simStatus(sim, { now, hostIP: '172.16.0.1', previous: undefined, readinessGates: [] });
};

describe('hollow pod status', () => {
  it('runs containers with IDs, IPs, start time and the kubelet conditions', () => {
    const s = status(pod(), '10.42.0.2', T0);
    expect(s.phase).toBe('Running');
    expect(s.podIP).toBe('10.42.0.2');
    expect(s.podIPs).toEqual([{ ip: '10.42.0.2' }]);
    expect(s.hostIP).toBe('172.16.0.1');
    expect(s.startTime).toBe('2026-11-29T10:00:00Z');
    expect(s.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual([
      'PodReadyToStartContainers=True',
      'Initialized=True',
      'Ready=True',
      'ContainersReady=True',
      'PodScheduled=True',
    ]);
    const [c] = s.containerStatuses ?? [];
    expect(c).toMatchObject({
      name: 'app',
      image: 'nginx:1.27',
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: '2026-11-29T10:00:00Z' } },
    });
    expect(c?.containerID).toMatch(/^hollow:\/\/[0-9a-f]{64}$/);
    expect(c?.imageID).toMatch(/^nginx@sha256:[0-9a-f]{64}$/);
  });

  it('keeps transition times of unchanged conditions and conditions of others', () => {
    const p = pod();
    const sim = startPod(p, '10.42.0.2', T0);
    const previous = [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-11-29T09:00:00Z' },
      { type: 'DisruptionTarget', status: 'True', reason: 'x' },
    ];
    const s = simStatus(sim, { now: T0, hostIP: 'h', previous, readinessGates: [] });
    expect(s.conditions?.find((c) => c.type === 'PodScheduled')?.lastTransitionTime).toBe(
      '2026-11-29T09:00:00Z',
    );
    expect(s.conditions?.find((c) => c.type === 'DisruptionTarget')).toEqual(previous[1]);
  });

  it('waits for readiness gates', () => {
    const sim = startPod(pod(), '10.42.0.2', T0);
    const gated = simStatus(sim, { now: T0, hostIP: 'h', previous: [], readinessGates: ['example.com/lb'] });
    expect(gated.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ReadinessGatesNotReady',
    });
    const open = simStatus(sim, {
      now: T0,
      hostIP: 'h',
      previous: [{ type: 'example.com/lb', status: 'True' }],
      readinessGates: ['example.com/lb'],
    });
    expect(open.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('reads exits from the annotation and from true/false commands', () => {
    expect(containerPlan(pod(), { name: 'a' })).toEqual({ exitCode: 0 });
    expect(containerPlan(pod(), { name: 'a', command: ['true'] })).toEqual({ exitAfterMs: 0, exitCode: 0 });
    expect(containerPlan(pod(), { name: 'a', command: ['/bin/false'] })).toEqual({
      exitAfterMs: 0,
      exitCode: 1,
    });
    expect(containerPlan(pod({}, { 'hollow.k8ts.io/exit-after': '5s' }), { name: 'a' })).toEqual({
      exitAfterMs: 5000,
      exitCode: 0,
    });
    expect(
      containerPlan(pod({}, { 'hollow.k8ts.io/exit-after': '1m', 'hollow.k8ts.io/exit-code': '3' }), {
        name: 'a',
      }),
    ).toEqual({ exitAfterMs: 60_000, exitCode: 3 });
  });

  it('restartPolicy Never: Succeeded after a clean exit, Failed after a failed one', () => {
    const ok = pod({ restartPolicy: 'Never' }, { 'hollow.k8ts.io/exit-after': '5s' });
    const sim = startPod(ok, '10.42.0.2', T0);
    expect(advance(sim, T0)).toBe(T0 + 5000);
    expect(simPhase(sim)).toBe('Running');
    expect(advance(sim, T0 + 5000)).toBeUndefined();
    expect(simPhase(sim)).toBe('Succeeded');
    const s = simStatus(sim, { now: T0 + 5000, hostIP: 'h', previous: undefined, readinessGates: [] });
    expect(s.containerStatuses?.[0]?.state?.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
      startedAt: '2026-11-29T10:00:00Z',
      finishedAt: '2026-11-29T10:00:05Z',
    });
    expect(s.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'PodCompleted',
    });

    const bad = status(
      pod({ restartPolicy: 'Never', containers: [{ name: 'a', command: ['false'] }] }),
      'x',
      T0,
    );
    expect(bad.phase).toBe('Failed');
    expect(bad.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
  });

  it('restartPolicy OnFailure and Always restart after a back-off, counting restarts', () => {
    const p = pod(
      { restartPolicy: 'OnFailure' },
      { 'hollow.k8ts.io/exit-after': '2s', 'hollow.k8ts.io/exit-code': '1' },
    );
    const sim = startPod(p, 'x', T0);
    expect(advance(sim, T0 + 2000)).toBe(T0 + 2000 + RESTART_DELAY_MS);
    const waiting = simStatus(sim, { now: T0 + 2000, hostIP: 'h', previous: undefined, readinessGates: [] });
    expect(waiting.phase).toBe('Running');
    expect(waiting.containerStatuses?.[0]?.state?.waiting?.reason).toBe('CrashLoopBackOff');
    expect(waiting.containerStatuses?.[0]?.lastState?.terminated?.exitCode).toBe(1);
    expect(waiting.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [app]',
    });
    advance(sim, T0 + 12_000);
    const again = simStatus(sim, { now: T0 + 12_000, hostIP: 'h', previous: undefined, readinessGates: [] });
    expect(again.containerStatuses?.[0]).toMatchObject({ restartCount: 1, ready: true });
    expect(again.containerStatuses?.[0]?.state?.running?.startedAt).toBe('2026-11-29T10:00:12Z');
    expect(again.containerStatuses?.[0]?.lastState?.terminated?.finishedAt).toBe('2026-11-29T10:00:02Z');

    const clean = startPod(
      pod({ restartPolicy: 'OnFailure' }, { 'hollow.k8ts.io/exit-after': '1s' }),
      'x',
      T0,
    );
    advance(clean, T0 + 1000);
    expect(simPhase(clean)).toBe('Succeeded');

    const always = startPod(pod({}, { 'hollow.k8ts.io/exit-after': '1s' }), 'x', T0);
    advance(always, T0 + 100_000);
    expect(simPhase(always)).toBe('Running');
    expect(always.containers[0]?.restarts).toBeGreaterThan(5);
  });

  it('completes init containers at once and runs sidecars', () => {
    const s = status(
      pod({
        initContainers: [
          { name: 'setup', image: 'busybox' },
          { name: 'proxy', image: 'envoy', restartPolicy: 'Always' },
        ],
      }),
      'x',
      T0,
    );
    expect(s.initContainerStatuses?.map((c) => [c.name, Object.keys(c.state ?? {})[0]])).toEqual([
      ['setup', 'terminated'],
      ['proxy', 'running'],
    ]);
    expect(s.initContainerStatuses?.[0]?.state?.terminated?.reason).toBe('Completed');
  });
});
