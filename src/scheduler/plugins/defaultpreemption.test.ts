import { afterEach, describe, expect, it } from 'vitest';
import { fromLabelSelectorObject } from '../../api/selectors/labels.js';
import { makeNode, makePod } from '../testing/harness.js';
import { clusterOf, frameworkOf, on, pdbs, scheduleOnce } from '../testing/cluster.js';

afterEach(() => {
  pdbs.length = 0;
});

const low = (
  name: string,
  cpu: string,
  priority: number,
  labels: Record<string, string> = {},
): ReturnType<typeof makePod> => makePod(name, { cpu, priority, labels });

describe('DefaultPreemption', () => {
  it('evicts the fewest, lowest-priority pods on the best node and nominates it', () => {
    const cache = clusterOf(
      [makeNode('a', { cpu: '2' }), makeNode('b', { cpu: '2' })],
      [
        on('a', low('a-low', '1', 1)),
        on('a', low('a-mid', '1', 5)),
        on('b', low('b-mid1', '1', 5)),
        on('b', low('b-mid2', '1', 5)),
      ],
    );
    const r = scheduleOnce(frameworkOf(), cache, makePod('vip', { cpu: '1', priority: 100 }));
    expect(r.message).toBe('0/2 nodes are available: 2 Insufficient cpu.');
    expect(r.nominated).toBe('a');
    expect(r.victims).toEqual(['default/a-low']);
  });

  it('does not preempt equal or higher priority pods, nor for preemptionPolicy Never', () => {
    const cache = clusterOf([makeNode('a', { cpu: '1' })], [on('a', low('same', '1', 10))]);
    const fw = frameworkOf();
    expect(scheduleOnce(fw, cache, makePod('p', { cpu: '1', priority: 10 })).message).toBe(
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    );
    const never = makePod('n', { cpu: '1', priority: 100, spec: { preemptionPolicy: 'Never' } });
    expect(scheduleOnce(fw, cache, never).message).toBe(
      '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
    );
  });

  it('prefers victims whose eviction keeps PodDisruptionBudgets intact', () => {
    const cache = clusterOf(
      [makeNode('a', { cpu: '1' }), makeNode('b', { cpu: '1' })],
      [on('a', low('guarded', '1', 1, { app: 'guarded' })), on('b', low('free', '1', 1, { app: 'free' }))],
    );
    pdbs.push({
      namespace: 'default',
      selector: fromLabelSelectorObject({ matchLabels: { app: 'guarded' } }),
      disruptionsAllowed: 0,
      disruptedPods: new Set(),
    });
    const r = scheduleOnce(frameworkOf(), cache, makePod('vip', { cpu: '1', priority: 100 }));
    expect(r.nominated).toBe('b');
    expect(r.victims).toEqual(['default/free']);
  });

  it('keeps the simulation from changing the cache', () => {
    const cache = clusterOf([makeNode('a', { cpu: '1' })], [on('a', low('x', '1', 1))]);
    scheduleOnce(frameworkOf(), cache, makePod('vip', { cpu: '1', priority: 100 }));
    const a = cache.node('a')!;
    expect([...a.pods.keys()]).toEqual(['default/x']);
    expect(a.requested.milliCPU).toBe(1000);
  });
});
