import type { Pod } from 'kubernetes-types/core/v1.js';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createDrainer, DrainMetrics, waitUnrouted } from './drainer.js';
import type { DrainPeer } from './peers.js';

const log = pino({ level: 'silent' });

function pod(ip: string | undefined, hostNetwork = false): Pod {
  return {
    metadata: { namespace: 'default', name: 'web-1' },
    spec: { containers: [], hostNetwork },
    status: ip ? { podIP: ip } : {},
  };
}

const peer = (name: string): DrainPeer => ({ name, url: `https://${name}:10250` });

/** A peer that stops routing after `afterMs` (answers at once when it already has). */
function lagging(afterMs: number, start = Date.now()) {
  return async (waitMs: number, signal: AbortSignal): Promise<boolean> => {
    const unroutedAt = start + afterMs;
    const answerAt = Math.min(unroutedAt, Date.now() + waitMs);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, Math.max(0, answerAt - Date.now()));
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        reject(new Error('aborted'));
      });
    });
    return Date.now() < unroutedAt;
  };
}

/** A peer that never answers (a stopped process): only the abort ends the request. */
function hung(_waitMs: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((_resolve, reject) =>
    signal.addEventListener('abort', () => reject(new Error('aborted'))),
  );
}

async function metricLines(m: DrainMetrics): Promise<string[]> {
  return (await m.text())
    .split('\n')
    .filter((l) => l.startsWith('k8ts_kubelet_pod_drain_duration_seconds_count'));
}

describe('waitUnrouted', () => {
  it('resolves true once the check turns false, false at the deadline', async () => {
    let on = true;
    setTimeout(() => (on = false), 60);
    expect(await waitUnrouted(() => on, '10.0.0.1', 2000, undefined, 5)).toBe(true);
    const started = Date.now();
    expect(await waitUnrouted(() => true, '10.0.0.1', 80, undefined, 5)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
  });
});

describe('createDrainer', () => {
  it('waits for this node first, then asks every peer at once, and returns when all stopped routing', async () => {
    const events: string[] = [];
    let local = true;
    const start = Date.now();
    setTimeout(() => {
      local = false;
      events.push('local unrouted');
    }, 100);
    const peers = [peer('b'), peer('c')];
    const lag: Record<string, number> = { b: 250, c: 400 };
    const metrics = new DrainMetrics();
    const drain = createDrainer({
      localRoutes: () => local,
      peers: () => peers,
      askPeer: async (p, ip, waitMs, signal) => {
        events.push(`ask ${p.name} ${ip}`);
        expect(waitMs).toBeGreaterThan(4000);
        const routed = await lagging(lag[p.name] ?? 0, start)(waitMs, signal);
        events.push(`${p.name} unrouted`);
        return routed;
      },
      metrics,
      log,
    });
    await drain(pod('10.42.0.7'), 5000);
    const took = Date.now() - start;
    expect(events).toEqual([
      'local unrouted',
      'ask b 10.42.0.7',
      'ask c 10.42.0.7',
      'b unrouted',
      'c unrouted',
    ]);
    expect(took).toBeGreaterThanOrEqual(390);
    expect(took).toBeLessThan(1500);
    expect(await metricLines(metrics)).toEqual([
      'k8ts_kubelet_pod_drain_duration_seconds_count{result="drained"} 1',
    ]);
  });

  it('gives up on a peer that does not answer at the end of the budget, never later', async () => {
    const metrics = new DrainMetrics();
    const drain = createDrainer({
      localRoutes: () => false,
      peers: () => [peer('b'), peer('stopped')],
      askPeer: (p, _ip, waitMs, signal) =>
        p.name === 'stopped' ? hung(waitMs, signal) : lagging(0)(waitMs, signal),
      metrics,
      log,
    });
    const start = Date.now();
    await drain(pod('10.42.0.7'), 400);
    const took = Date.now() - start;
    expect(took).toBeGreaterThanOrEqual(390);
    expect(took).toBeLessThan(700);
    expect(await metricLines(metrics)).toEqual([
      'k8ts_kubelet_pod_drain_duration_seconds_count{result="timeout"} 1',
    ]);
  });

  it('counts a peer that still routes when its wait runs out as a timeout', async () => {
    const metrics = new DrainMetrics();
    const drain = createDrainer({
      localRoutes: () => false,
      peers: () => [peer('b')],
      askPeer: (_p, _ip, waitMs, signal) => lagging(60_000)(waitMs, signal),
      metrics,
      log,
    });
    const start = Date.now();
    await drain(pod('10.42.0.7'), 500);
    expect(Date.now() - start).toBeLessThan(800);
    expect(await metricLines(metrics)).toEqual([
      'k8ts_kubelet_pod_drain_duration_seconds_count{result="timeout"} 1',
    ]);
  });

  it('waits the slack for a peer that cannot be asked, within the budget', async () => {
    const metrics = new DrainMetrics();
    const drain = createDrainer({
      localRoutes: () => false,
      peers: () => [peer('old')],
      askPeer: () => Promise.reject(new Error('HTTP 404: 404 page not found')),
      slackMs: 200,
      metrics,
      log,
    });
    let start = Date.now();
    await drain(pod('10.42.0.7'), 5000);
    let took = Date.now() - start;
    expect(took).toBeGreaterThanOrEqual(195);
    expect(took).toBeLessThan(600);
    start = Date.now();
    await drain(pod('10.42.0.7'), 100);
    took = Date.now() - start;
    expect(took).toBeLessThan(180);
    expect(await metricLines(metrics)).toEqual([
      'k8ts_kubelet_pod_drain_duration_seconds_count{result="peer_error"} 2',
    ]);
  });

  it('does not wait for peers when this node still routes at the end of the budget', async () => {
    let asked = 0;
    const drain = createDrainer({
      localRoutes: () => true,
      peers: () => [peer('b')],
      askPeer: async () => {
        asked++;
        return false;
      },
      log,
    });
    const start = Date.now();
    await drain(pod('10.42.0.7'), 150);
    expect(Date.now() - start).toBeLessThan(450);
    expect(asked).toBe(0);
  });

  it('returns at once without peers, and does nothing for pods without an address or on the host network', async () => {
    let asked = 0;
    const metrics = new DrainMetrics();
    const drain = createDrainer({
      localRoutes: () => false,
      peers: () => {
        asked++;
        return [];
      },
      askPeer: async () => false,
      metrics,
      log,
    });
    const start = Date.now();
    await drain(pod('10.42.0.7'), 5000);
    await drain(pod(undefined), 5000);
    await drain(pod('10.250.0.1', true), 5000);
    expect(Date.now() - start).toBeLessThan(100);
    expect(asked).toBe(1);
    expect(await metricLines(metrics)).toEqual([
      'k8ts_kubelet_pod_drain_duration_seconds_count{result="drained"} 1',
    ]);
  });
});
