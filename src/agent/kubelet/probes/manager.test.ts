import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProbeManager, type UnhealthyInfo } from './manager.js';
import type { ProbeEvent } from './messages.js';
import type { ProbeKind, ProbeOutcome, ProbeTarget } from './types.js';

const T0 = Date.parse('2026-11-29T08:00:00Z');

/** Probe results the test scripts per kind, with the time of every call. */
function scripted() {
  const next = new Map<ProbeKind, ProbeOutcome | (() => Promise<ProbeOutcome>)>();
  const calls: Array<{ kind: ProbeKind; at: number; containerId: string }> = [];
  const kindOf = (probe: Probe, c: Container): ProbeKind =>
    probe === c.startupProbe ? 'startup' : probe === c.readinessProbe ? 'readiness' : 'liveness';
  const runProbe = (probe: Probe, target: ProbeTarget): Promise<ProbeOutcome> => {
    const kind = kindOf(probe, target.container);
    calls.push({ kind, at: Date.now() - T0, containerId: target.containerId });
    const n = next.get(kind) ?? { result: 'success', output: '' };
    return typeof n === 'function' ? n() : Promise.resolve(n);
  };
  const times = (kind: ProbeKind): number[] => calls.filter((c) => c.kind === kind).map((c) => c.at);
  return { next, calls, runProbe, times };
}

const ok: ProbeOutcome = { result: 'success', output: 'ok' };
const bad: ProbeOutcome = { result: 'failure', output: 'HTTP probe failed with statuscode: 500' };

function pod(extra: Partial<NonNullable<Pod['metadata']>> = {}): Pod {
  return { metadata: { name: 'web-1', namespace: 'default', uid: 'pod-1', ...extra } };
}

function target(container: Partial<Container>, containerId = 'c1', p: Pod = pod()): ProbeTarget {
  return { pod: p, container: { name: 'web', ...container }, containerId, podIP: '10.42.0.5' };
}

function setup() {
  const script = scripted();
  const changes: string[] = [];
  const unhealthy: Array<{ kind: string; info: UnhealthyInfo; at: number }> = [];
  const events: ProbeEvent[] = [];
  const manager = new ProbeManager({
    exec: () => Promise.reject(new Error('unused')),
    onChange: (uid) => changes.push(uid),
    onUnhealthy: (_t, kind, info) => unhealthy.push({ kind, info, at: Date.now() - T0 }),
    onEvent: (_t, e) => events.push(e),
    runProbe: script.runProbe,
    random: () => 0.5,
  });
  return { manager, script, changes, unhealthy, events };
}

/** Moves the fake clock to `ms` after T0 and lets the probes that ran settle. */
async function at(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms - (Date.now() - T0));
  // A probe that finished may have armed an immediate run of another (readiness after startup).
  for (let i = 0; i < 3; i++) await vi.advanceTimersByTimeAsync(0);
}

describe('ProbeManager', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('readiness: not ready until a first success, then flips after failureThreshold failures', async () => {
    const { manager, script, changes, events } = setup();
    manager.add(target({ readinessProbe: { periodSeconds: 10, failureThreshold: 3 } }));
    expect(manager.ready('pod-1', 'web')).toBeUndefined();
    await at(0);
    expect(manager.ready('pod-1', 'web')).toBe(true);
    expect(changes).toEqual(['pod-1']);

    script.next.set('readiness', bad);
    await at(20_000);
    expect(manager.ready('pod-1', 'web')).toBe(true);
    await at(30_000);
    expect(manager.ready('pod-1', 'web')).toBe(false);
    expect(changes).toEqual(['pod-1', 'pod-1']);
    expect(script.times('readiness')).toEqual([0, 10_000, 20_000, 30_000]);
    expect(events).toEqual(
      Array(3).fill({
        type: 'Warning',
        reason: 'Unhealthy',
        message: 'Readiness probe failed: HTTP probe failed with statuscode: 500',
      }),
    );
    manager.stop();
  });

  it('readiness: needs successThreshold successes in a row', async () => {
    const { manager } = setup();
    manager.add(target({ readinessProbe: { periodSeconds: 5, successThreshold: 2 } }));
    await at(0);
    expect(manager.ready('pod-1', 'web')).toBeUndefined();
    await at(5_000);
    expect(manager.ready('pod-1', 'web')).toBe(true);
    manager.stop();
  });

  it('skips runs within initialDelaySeconds of the container start', async () => {
    const { manager, script } = setup();
    manager.add(target({ readinessProbe: { periodSeconds: 10, initialDelaySeconds: 15 } }));
    await at(19_000);
    expect(script.times('readiness')).toEqual([]);
    await at(20_000);
    expect(script.times('readiness')).toEqual([20_000]);
    manager.stop();
  });

  it('counts initialDelaySeconds from the container start time when given', async () => {
    const { manager, script } = setup();
    const t = {
      ...target({ livenessProbe: { periodSeconds: 10, initialDelaySeconds: 15 } }),
      startedAt: new Date(T0 - 10_000),
    };
    manager.add(t);
    // Found running at agent start: the first run waits half a period (random() = 0.5), by when the
    // container has run 15 s.
    await at(5_000);
    expect(script.times('liveness')).toEqual([5_000]);
    manager.stop();
  });

  it('liveness: after failureThreshold failures, asks once for a kill with the probe grace period', async () => {
    const { manager, script, unhealthy, events } = setup();
    script.next.set('liveness', bad);
    const t = target({
      livenessProbe: { periodSeconds: 10, failureThreshold: 3, terminationGracePeriodSeconds: 7 },
    });
    manager.add(t);
    await at(10_000);
    expect(unhealthy).toEqual([]);
    await at(20_000);
    expect(unhealthy).toEqual([
      {
        kind: 'liveness',
        at: 20_000,
        info: {
          output: 'HTTP probe failed with statuscode: 500',
          message: 'Container web failed liveness probe',
          terminationGracePeriodSeconds: 7,
        },
      },
    ]);
    expect(manager.live('pod-1', 'web')).toBe(false);
    expect(events.map((e) => e.message)).toEqual(
      Array(3).fill('Liveness probe failed: HTTP probe failed with statuscode: 500'),
    );
    // On hold until the container is replaced.
    await at(60_000);
    expect(script.times('liveness')).toEqual([0, 10_000, 20_000]);
    expect(unhealthy).toHaveLength(1);

    script.next.set('liveness', ok);
    manager.add(target({ livenessProbe: t.container.livenessProbe }, 'c2'));
    expect(manager.live('pod-1', 'web')).toBeUndefined();
    await at(60_000);
    expect(script.calls.at(-1)).toEqual({ kind: 'liveness', at: 60_000, containerId: 'c2' });
    expect(manager.live('pod-1', 'web')).toBe(true);
    manager.stop();
  });

  it('a success in between resets the failure count', async () => {
    const { manager, script, unhealthy } = setup();
    manager.add(target({ livenessProbe: { periodSeconds: 1, failureThreshold: 2 } }));
    script.next.set('liveness', bad);
    await at(0);
    script.next.set('liveness', ok);
    await at(1_000);
    script.next.set('liveness', bad);
    await at(2_000);
    expect(unhealthy).toEqual([]);
    await at(3_000);
    expect(unhealthy).toHaveLength(1);
    manager.stop();
  });

  it('startup gates liveness and readiness; readiness runs as soon as startup passes', async () => {
    const { manager, script } = setup();
    script.next.set('startup', bad);
    manager.add(
      target({
        startupProbe: { periodSeconds: 5, failureThreshold: 10 },
        readinessProbe: { periodSeconds: 10 },
        livenessProbe: { periodSeconds: 10 },
      }),
    );
    await at(5_000);
    expect(manager.started('pod-1', 'web')).toBeUndefined();
    script.next.set('startup', ok);
    await at(7_000);
    expect(script.times('readiness')).toEqual([]);
    expect(script.times('liveness')).toEqual([]);
    await at(10_000);
    expect(manager.started('pod-1', 'web')).toBe(true);
    expect(manager.ready('pod-1', 'web')).toBe(true);
    expect(script.times('startup')).toEqual([0, 5_000, 10_000]);
    expect(script.times('readiness')).toEqual([10_000]);
    // Liveness keeps its own period; startup stops once passed.
    await at(30_000);
    expect(script.times('liveness')).toEqual([20_000, 30_000]);
    expect(script.times('readiness')).toEqual([10_000, 20_000, 30_000]);
    expect(script.times('startup')).toEqual([0, 5_000, 10_000]);
    manager.stop();
  });

  it('startup failure asks for a kill and leaves the container unstarted', async () => {
    const { manager, script, unhealthy, events } = setup();
    script.next.set('startup', {
      result: 'failure',
      output: 'dial tcp 10.42.0.5:80: connect: connection refused',
    });
    manager.add(target({ startupProbe: { periodSeconds: 1, failureThreshold: 3 }, livenessProbe: {} }));
    await at(2_000);
    expect(manager.started('pod-1', 'web')).toBe(false);
    expect(unhealthy.map((u) => [u.kind, u.info.message, u.at])).toEqual([
      ['startup', 'Container web failed startup probe', 2_000],
    ]);
    expect(events[0]?.message).toBe(
      'Startup probe failed: dial tcp 10.42.0.5:80: connect: connection refused',
    );
    await at(20_000);
    expect(script.times('startup')).toEqual([0, 1_000, 2_000]);
    expect(script.times('liveness')).toEqual([]);
    manager.stop();
  });

  it('an errored run is reported but neither counted nor changes the verdict', async () => {
    const { manager, script, changes, events } = setup();
    manager.add(target({ readinessProbe: { periodSeconds: 1, failureThreshold: 1 } }));
    await at(0);
    script.next.set('readiness', { result: 'unknown', output: 'port "http" not found' });
    await at(3_000);
    expect(manager.ready('pod-1', 'web')).toBe(true);
    expect(changes).toHaveLength(1);
    expect(events.at(-1)).toEqual({
      type: 'Warning',
      reason: 'Unhealthy',
      message: 'Readiness probe errored and resulted in unknown state: port "http" not found',
    });
    manager.stop();
  });

  it('a redirect warning is a success with a ProbeWarning event', async () => {
    const { manager, script, events } = setup();
    script.next.set('readiness', {
      result: 'success',
      warning: true,
      output: 'Probe terminated redirects, Response body: ',
    });
    manager.add(target({ readinessProbe: {} }));
    await at(0);
    expect(manager.ready('pod-1', 'web')).toBe(true);
    expect(events).toEqual([
      {
        type: 'Warning',
        reason: 'ProbeWarning',
        message: 'Readiness probe warning: Probe terminated redirects, Response body: ',
      },
    ]);
    manager.stop();
  });

  it('the same container added again keeps its verdicts; a new one starts over', async () => {
    const { manager } = setup();
    const spec = { readinessProbe: { periodSeconds: 10 } };
    manager.add(target(spec));
    await at(0);
    manager.add(target(spec));
    expect(manager.ready('pod-1', 'web')).toBe(true);
    manager.add(target(spec, 'c2'));
    expect(manager.ready('pod-1', 'web')).toBeUndefined();
    await at(0);
    expect(manager.ready('pod-1', 'web')).toBe(true);
    manager.stop();
  });

  it('remove stops the workers and forgets the verdicts', async () => {
    const { manager, script } = setup();
    manager.add(target({ readinessProbe: { periodSeconds: 10 } }));
    manager.add({
      ...target({ readinessProbe: { periodSeconds: 10 } }),
      container: { name: 'side', readinessProbe: {} },
    });
    await at(0);
    manager.remove('pod-1', 'side');
    expect(manager.ready('pod-1', 'side')).toBeUndefined();
    expect(manager.ready('pod-1', 'web')).toBe(true);
    manager.remove('pod-1');
    expect(manager.ready('pod-1', 'web')).toBeUndefined();
    const before = script.calls.length;
    await at(60_000);
    expect(script.calls).toHaveLength(before);
  });

  it('stops liveness and startup while the pod is being deleted, keeps readiness', async () => {
    const { manager, script, unhealthy } = setup();
    const spec = {
      livenessProbe: { periodSeconds: 10, failureThreshold: 1 },
      readinessProbe: { periodSeconds: 10 },
    };
    manager.add(target(spec));
    await at(0);
    manager.add(target(spec, 'c1', pod({ deletionTimestamp: '2026-11-29T08:00:05Z' })));
    script.next.set('liveness', bad);
    await at(30_000);
    expect(unhealthy).toEqual([]);
    expect(script.times('liveness')).toEqual([0]);
    expect(script.times('readiness')).toEqual([0, 10_000, 20_000, 30_000]);
    manager.stop();
  });

  it('never overlaps runs of a slow probe', async () => {
    const { manager, script } = setup();
    script.next.set(
      'readiness',
      () => new Promise<ProbeOutcome>((resolve) => setTimeout(() => resolve(ok), 25_000)),
    );
    manager.add(target({ readinessProbe: { periodSeconds: 10 } }));
    await at(49_000);
    // Runs at 0 (until 25 s), then the tick that waited (25 s, until 50 s).
    expect(script.times('readiness')).toEqual([0, 25_000]);
    manager.stop();
  });

  it('spreads the first probe of a container found running at agent start', async () => {
    const { manager, script } = setup();
    manager.add({
      ...target({ readinessProbe: { periodSeconds: 10 } }),
      startedAt: new Date(T0 - 3_600_000),
    });
    await at(4_000);
    expect(script.times('readiness')).toEqual([]);
    await at(5_000);
    expect(script.times('readiness')).toEqual([5_000]);
    manager.stop();
  });

  it('keeps going when a callback throws', async () => {
    const script = scripted();
    const manager = new ProbeManager({
      exec: () => Promise.reject(new Error('unused')),
      onChange: () => {
        throw new Error('boom');
      },
      onUnhealthy: () => undefined,
      runProbe: script.runProbe,
      log: { error: () => undefined } as unknown as NonNullable<
        ConstructorParameters<typeof ProbeManager>[0]['log']
      >,
    });
    manager.add(target({ readinessProbe: { periodSeconds: 1 } }));
    await at(2_000);
    expect(script.times('readiness')).toEqual([0, 1_000, 2_000]);
    manager.stop();
  });
});
