import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { POD_DELETION_COST, podsToDelete } from './rank.js';
import { slowStartBatch } from './slowstart.js';

const NOW = new Date('2026-01-01T12:00:00Z');

function pod(
  name: string,
  opts: {
    node?: string;
    phase?: string;
    readyFor?: number;
    ready?: boolean;
    age?: number;
    restarts?: number;
    cost?: string;
  } = {},
): Pod {
  const ready = opts.ready ?? opts.readyFor !== undefined;
  const at = (secondsAgo: number): string => new Date(NOW.getTime() - secondsAgo * 1000).toISOString();
  return {
    metadata: {
      name,
      uid: `uid-${name}`,
      creationTimestamp: at(opts.age ?? 3600),
      ...(opts.cost !== undefined ? { annotations: { [POD_DELETION_COST]: opts.cost } } : {}),
    },
    spec: { containers: [], ...(opts.node !== undefined ? { nodeName: opts.node } : { nodeName: 'n1' }) },
    status: {
      phase: opts.phase ?? 'Running',
      conditions: [
        { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: at(opts.readyFor ?? 0) },
      ],
      containerStatuses: [
        { name: 'c', restartCount: opts.restarts ?? 0, ready, image: 'i', imageID: '' } as never,
      ],
    },
  };
}

const names = (pods: Pod[]): string[] => pods.map((p) => p.metadata?.name ?? '');

describe('deletion ranking', () => {
  it('deletes unscheduled, then pending, then unknown, then not-ready pods first', () => {
    const pods = [
      pod('ready', { readyFor: 100 }),
      pod('unready', { ready: false }),
      pod('unknown', { phase: 'Unknown', ready: false }),
      pod('pending', { phase: 'Pending', ready: false }),
      pod('unscheduled', { node: '', phase: 'Pending', ready: false }),
    ];
    expect(names(podsToDelete(pods, pods, 4, NOW))).toEqual(['unscheduled', 'pending', 'unknown', 'unready']);
  });

  it('honours pod-deletion-cost before node crowding', () => {
    const pods = [
      pod('cheap', { node: 'a', readyFor: 100, cost: '-5' }),
      pod('crowded', { node: 'b', readyFor: 100 }),
      pod('crowded2', { node: 'b', readyFor: 100 }),
      pod('alone', { node: 'c', readyFor: 100, cost: 'not a number' }),
    ];
    expect(names(podsToDelete(pods, pods, 2, NOW))).toEqual(['cheap', expect.stringMatching(/^crowded/)]);
  });

  it('prefers pods ready for less time (log scale), then more restarts, then newer', () => {
    const pods = [
      pod('old-ready', { readyFor: 10_000 }),
      pod('new-ready', { readyFor: 10 }),
      pod('restarts', { readyFor: 10_000, restarts: 3 }),
    ];
    expect(names(podsToDelete(pods, pods, 2, NOW))).toEqual(['new-ready', 'restarts']);
    const young = [pod('a', { readyFor: 5000, age: 9000 }), pod('b', { readyFor: 5000, age: 60 })];
    expect(names(podsToDelete(young, young, 1, NOW))).toEqual(['b']);
  });

  it('returns every pod when asked for as many', () => {
    const pods = [pod('a'), pod('b')];
    expect(podsToDelete(pods, pods, 5, NOW)).toHaveLength(2);
  });
});

describe('slow start', () => {
  it('runs batches of 1, 2, 4 … and stops after a failing batch', async () => {
    let calls = 0;
    const ok = await slowStartBatch(10, 1, () => {
      calls++;
      return Promise.resolve();
    });
    expect(ok).toEqual({ successes: 10, error: undefined, failed: false });
    calls = 0;
    const bad = await slowStartBatch(10, 1, () =>
      ++calls === 3 ? Promise.reject(new Error('no')) : Promise.resolve(),
    );
    // Batches 1 and 2 ran (3 calls); the second batch had the failure, so the 4-batch never ran.
    expect(calls).toBe(3);
    expect(bad.successes).toBe(2);
    expect(bad.failed).toBe(true);
    expect((bad.error as Error).message).toBe('no');
  });
});
