import { describe, expect, it } from 'vitest';
import { PodInfo } from '../podinfo.js';
import { makeNode, makePod } from '../testing/harness.js';
import { clusterOf, frameworkOf, on, scheduleOnce } from '../testing/cluster.js';
import { parseSpreadArgs } from './podtopologyspread.js';

const zone = 'topology.kubernetes.io/zone';
const nodes = [
  makeNode('a1', { labels: { [zone]: 'za' } }),
  makeNode('a2', { labels: { [zone]: 'za' } }),
  makeNode('b1', { labels: { [zone]: 'zb' } }),
  makeNode('c1', { labels: { [zone]: 'zc' } }),
];

function spreadPod(name: string, extra: object = {}, when = 'DoNotSchedule'): ReturnType<typeof makePod> {
  return makePod(name, {
    labels: { app: 'web' },
    spec: {
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: zone,
          whenUnsatisfiable: when,
          labelSelector: { matchLabels: { app: 'web' } },
          ...extra,
        },
      ],
    } as never,
  });
}

describe('PodTopologySpread', () => {
  it('DoNotSchedule evens pods over zones within maxSkew', () => {
    const fw = frameworkOf();
    const cache = clusterOf(nodes);
    const zones: string[] = [];
    for (let i = 0; i < 9; i++) {
      const pod = spreadPod(`w${i}`);
      const node = scheduleOnce(fw, cache, pod).node ?? '';
      cache.addOrUpdateBoundPod(new PodInfo(on(node, pod)), node);
      zones.push(node === 'b1' ? 'zb' : node === 'c1' ? 'zc' : 'za');
    }
    const count = (z: string): number => zones.filter((x) => x === z).length;
    expect([count('za'), count('zb'), count('zc')]).toEqual([3, 3, 3]);
  });

  it('rejects nodes that would exceed maxSkew and nodes without the topology label', () => {
    const fw = frameworkOf();
    const cache = clusterOf(
      [...nodes, makeNode('nolabel')],
      [on('a1', spreadPod('x')), on('a2', spreadPod('y')), on('b1', spreadPod('z'))],
    );
    // za has 2, zb 1, zc 0: only zc is within skew 1.
    expect(scheduleOnce(fw, cache, spreadPod('p')).node).toBe('c1');
    const r = scheduleOnce(fw, cache, spreadPod('q', { nodeAffinityPolicy: 'Ignore' }));
    expect(r.node).toBe('c1');
    const pinned = spreadPod('r');
    pinned.spec = { ...pinned.spec!, nodeSelector: { [zone]: 'za' } } as never;
    // With the pod's own node selector honoured, only za counts: it is the sole domain, so skew is fine.
    expect(['a1', 'a2']).toContain(scheduleOnce(fw, cache, pinned).node);
    const ignore = spreadPod('s', { nodeAffinityPolicy: 'Ignore' });
    ignore.spec = { ...ignore.spec!, nodeSelector: { [zone]: 'za' } } as never;
    // Ignoring the node selector, za (2) is compared with zc (0): too skewed.
    expect(scheduleOnce(fw, cache, ignore).message).toBe(
      "0/5 nodes are available: 2 node(s) didn't match pod topology spread constraints, 3 node(s) didn't match Pod's node affinity/selector. " +
        'preemption: 0/5 nodes are available: 2 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling.',
    );
  });
});

describe('parseSpreadArgs', () => {
  it('accepts List defaults and rejects defaults with System', () => {
    expect(
      parseSpreadArgs({
        defaultingType: 'List',
        defaultConstraints: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: 'ScheduleAnyway' }],
      }).defaultConstraints,
    ).toHaveLength(1);
    expect(() =>
      parseSpreadArgs({
        defaultConstraints: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: 'ScheduleAnyway' }],
      }),
    ).toThrow(
      'defaultConstraints: Invalid value: when .defaultingType is "System", .defaultConstraints must be empty',
    );
  });
});
