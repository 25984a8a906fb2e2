import { describe, expect, it } from 'vitest';
import { CycleState } from '../framework/types.js';
import { PodInfo } from '../podinfo.js';
import { makeNode, makePod } from '../testing/harness.js';
import { clusterOf, frameworkOf, on, scheduleOnce } from '../testing/cluster.js';
import { defaultProfiles, type ProfileConfig } from '../profile.js';
import { ImageLocality } from './imagelocality.js';
import { NodeAffinity } from './nodeaffinity.js';
import { defaultFitArgs, NodeResourcesBalancedAllocation, NodeResourcesFit } from './noderesources.js';
import { TaintToleration } from './tainttoleration.js';
import type { ScorePlugin } from '../framework/types.js';
import type { SchedulerCache } from '../cache.js';

/** Raw and normalised scores of one plugin for `pod` on every node of `cache`. */
function scores(
  plugin: ScorePlugin & { preScore?: (...a: never[]) => unknown },
  cache: SchedulerCache,
  pod: PodInfo,
): number[] {
  const state = new CycleState();
  const nodes = cache.nodes();
  (
    plugin as { preScore?: (s: CycleState, p: PodInfo, n: typeof nodes, v: SchedulerCache) => void }
  ).preScore?.(state, pod, nodes, cache);
  const out = new Float64Array(nodes.length);
  nodes.forEach((n, i) => (out[i] = plugin.score(state, pod, n, cache)));
  plugin.normalize?.(state, pod, out);
  return [...out];
}

describe('scores', () => {
  // Upstream's worked example: node 4 CPU / 10 GB; pod 3 CPU / 5 GB on a node already using 0.
  const nodes = [makeNode('n1', { cpu: '4', memory: '10G' }), makeNode('n2', { cpu: '6', memory: '10G' })];

  it('LeastAllocated: (free after placing / allocatable) × 100, averaged over cpu and memory', () => {
    const cache = clusterOf(nodes);
    const pod = new PodInfo(makePod('p', { cpu: '3', memory: '5G' }));
    // n1: cpu (4-3)/4 = 25, memory 50 → 37; n2: cpu 50, memory 50 → 50.
    expect(scores(new NodeResourcesFit(), cache, pod)).toEqual([37, 50]);
  });

  it('MostAllocated: (requested / allocatable) × 100, averaged', () => {
    const cache = clusterOf(nodes);
    const pod = new PodInfo(makePod('p', { cpu: '3', memory: '5G' }));
    expect(scores(new NodeResourcesFit(defaultFitArgs('MostAllocated')), cache, pod)).toEqual([62, 50]);
  });

  it('BalancedAllocation: 100 × (1 − |cpu fraction − memory fraction| / 2); skipped for pods requesting nothing', () => {
    const cache = clusterOf(nodes);
    const pod = new PodInfo(makePod('p', { cpu: '3', memory: '5G' }));
    // n1: 0.75 vs 0.5 → 87; n2: 0.5 vs 0.5 → 100.
    expect(scores(new NodeResourcesBalancedAllocation(), cache, pod)).toEqual([87, 100]);
    const state = new CycleState();
    new NodeResourcesBalancedAllocation().preScore(state, new PodInfo(makePod('be')));
    expect(state.skipScore.has('NodeResourcesBalancedAllocation')).toBe(true);
  });

  it('TaintToleration: fewer untolerated PreferNoSchedule taints score higher', () => {
    const cache = clusterOf([
      makeNode('a', {
        taints: [
          { key: 'x', effect: 'PreferNoSchedule' },
          { key: 'y', effect: 'PreferNoSchedule' },
        ],
      }),
      makeNode('b', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }),
      makeNode('c'),
    ]);
    expect(scores(new TaintToleration(), cache, new PodInfo(makePod('p')))).toEqual([0, 50, 100]);
    const tol = new PodInfo(makePod('t', { spec: { tolerations: [{ key: 'y', operator: 'Exists' }] } }));
    expect(scores(new TaintToleration(), cache, tol)).toEqual([0, 0, 100]);
  });

  it('NodeAffinity: weights of matching preferred terms, scaled to 100', () => {
    const cache = clusterOf([
      makeNode('a', { labels: { disk: 'ssd', zone: 'z1' } }),
      makeNode('b', { labels: { disk: 'ssd' } }),
      makeNode('c'),
    ]);
    const pod = new PodInfo(
      makePod('p', {
        spec: {
          affinity: {
            nodeAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 30,
                  preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] },
                },
                { weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'Exists' }] } },
              ],
            },
          },
        },
      }),
    );
    expect(scores(new NodeAffinity(), cache, pod)).toEqual([100, 75, 0]);
  });

  it('ImageLocality: nodes holding the images score by size and spread', () => {
    const big = { names: ['k8ts.local/big:1'], sizeBytes: 500 * 1024 * 1024 };
    const cache = clusterOf([makeNode('a', { images: [big] }), makeNode('b')]);
    const pod = new PodInfo(
      makePod('p', { spec: { containers: [{ name: 'c', image: 'k8ts.local/big:1' }] } }),
    );
    // 500 MB × (1 of 2 nodes) = 250 MB → (250 − 23) / (1000 − 23) × 100 = 23.
    expect(scores(new ImageLocality(), cache, pod)).toEqual([23, 0]);
    const untagged = new PodInfo(
      makePod('q', { spec: { containers: [{ name: 'c', image: 'k8ts.local/big' }] } }),
    );
    expect(scores(new ImageLocality(), cache, untagged)).toEqual([0, 0]);
  });

  it('the default profile spreads pods over nodes; the bin-packing profile fills one node before the next', () => {
    const names = ['n1', 'n2', 'n3'];
    const place = (profile: ProfileConfig): string[] => {
      const cache = clusterOf(names.map((n) => makeNode(n, { cpu: '4', memory: '8Gi' })));
      const fw = frameworkOf(profile);
      const out: string[] = [];
      for (let i = 0; i < 6; i++) {
        const pod = makePod(`p${i}`, { cpu: '1', memory: '1Gi', labels: { app: 'web' } });
        const node = scheduleOnce(fw, cache, pod).node ?? '';
        cache.addOrUpdateBoundPod(new PodInfo(on(node, pod)), node);
        out.push(node);
      }
      return out;
    };
    const [spreadProfile, packProfile] = defaultProfiles() as [ProfileConfig, ProfileConfig];
    const spread = place(spreadProfile);
    expect(new Set(spread.slice(0, 3)).size).toBe(3);
    const packed = place(packProfile);
    // Which empty node comes first is a tie broken at random; then it fills up (4 CPUs) first.
    const first = packed[0];
    const second = packed[4];
    expect(packed).toEqual([first, first, first, first, second, second]);
    expect(second).not.toBe(first);
  });
});
