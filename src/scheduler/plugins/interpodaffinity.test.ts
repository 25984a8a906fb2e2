import { describe, expect, it } from 'vitest';
import type { PodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { makeNode, makePod } from '../testing/harness.js';
import { clusterOf, frameworkOf, on, scheduleOnce } from '../testing/cluster.js';

const ZONES = [
  makeNode('a1', { labels: { 'topology.kubernetes.io/zone': 'za' } }),
  makeNode('a2', { labels: { 'topology.kubernetes.io/zone': 'za' } }),
  makeNode('b1', { labels: { 'topology.kubernetes.io/zone': 'zb' } }),
];

function term(labels: Record<string, string>, topologyKey: string, extra: object = {}): PodAffinityTerm {
  return { labelSelector: { matchLabels: labels }, topologyKey, ...extra };
}

describe('InterPodAffinity', () => {
  it('required anti-affinity per hostname keeps replicas on different nodes, then fails with upstream wording', () => {
    const fw = frameworkOf();
    const spec = {
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, 'kubernetes.io/hostname')],
        },
      },
    };
    const cache = clusterOf(ZONES, [on('a1', makePod('db-0', { labels: { app: 'db' }, spec }))]);
    const r = scheduleOnce(fw, cache, makePod('db-1', { labels: { app: 'db' }, spec }));
    expect(['a2', 'b1']).toContain(r.node);
    const full = clusterOf(ZONES, [
      on('a1', makePod('db-0', { labels: { app: 'db' }, spec })),
      on('a2', makePod('db-1', { labels: { app: 'db' }, spec })),
      on('b1', makePod('db-2', { labels: { app: 'db' }, spec })),
    ]);
    expect(scheduleOnce(fw, full, makePod('db-3', { labels: { app: 'db' }, spec })).message).toBe(
      "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. " +
        'preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    );
  });

  it("an existing pod's anti-affinity keeps matching pods out of its domain", () => {
    const fw = frameworkOf();
    const loner = makePod('loner', {
      spec: {
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              term({ app: 'noisy' }, 'topology.kubernetes.io/zone'),
            ],
          },
        },
      },
    });
    const cache = clusterOf(ZONES, [on('a1', loner)]);
    expect(scheduleOnce(fw, cache, makePod('n', { labels: { app: 'noisy' } })).node).toBe('b1');
    const r = scheduleOnce(
      fw,
      cache,
      makePod('n2', {
        labels: { app: 'noisy' },
        spec: { nodeSelector: { 'topology.kubernetes.io/zone': 'za' } },
      }),
    );
    expect(r.message).toMatch(
      /^0\/3 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector, 2 node\(s\) didn't satisfy existing pods anti-affinity rules\./,
    );
  });

  it('required affinity follows matching pods to their zone; the first of a self-affine group may go anywhere', () => {
    const fw = frameworkOf();
    const spec = {
      affinity: {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            term({ app: 'cache' }, 'topology.kubernetes.io/zone'),
          ],
        },
      },
    };
    const empty = clusterOf(ZONES);
    expect(scheduleOnce(fw, empty, makePod('c0', { labels: { app: 'cache' }, spec })).node).toBeDefined();
    expect(scheduleOnce(fw, empty, makePod('web', { spec })).message).toBe(
      "0/3 nodes are available: 3 node(s) didn't match pod affinity rules. " +
        'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
    const cache = clusterOf(ZONES, [on('b1', makePod('c0', { labels: { app: 'cache' } }))]);
    expect(scheduleOnce(fw, cache, makePod('web', { spec })).node).toBe('b1');
  });

  it('namespaces and namespaceSelector decide which pods a term sees', () => {
    const fw = frameworkOf();
    const cache = clusterOf(
      ZONES,
      [
        on('a1', makePod('x', { namespace: 'team-a', labels: { app: 'api' } })),
        on('b1', makePod('y', { namespace: 'team-b', labels: { app: 'api' } })),
      ],
      { 'team-a': { team: 'a' }, 'team-b': { team: 'b' } },
    );
    const near = (extra: object): string | undefined =>
      scheduleOnce(
        fw,
        cache,
        makePod('p', {
          spec: {
            affinity: {
              podAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [
                  term({ app: 'api' }, 'kubernetes.io/hostname', extra),
                ],
              },
            },
          },
        }),
      ).node;
    expect(near({ namespaces: ['team-b'] })).toBe('b1');
    expect(near({ namespaceSelector: { matchLabels: { team: 'a' } } })).toBe('a1');
    // Own namespace (default) has no such pods, and other pods exist: nowhere.
    expect(near({})).toBeUndefined();
  });

  it('preferred affinity and anti-affinity steer the score', () => {
    const fw = frameworkOf();
    const cache = clusterOf(ZONES, [on('a1', makePod('db', { labels: { app: 'db' } }))]);
    const pref = (kind: 'podAffinity' | 'podAntiAffinity'): string | undefined =>
      scheduleOnce(
        fw,
        cache,
        makePod('p', {
          spec: {
            affinity: {
              [kind]: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  { weight: 100, podAffinityTerm: term({ app: 'db' }, 'topology.kubernetes.io/zone') },
                ],
              },
            },
          },
        }),
      ).node;
    expect(['a1', 'a2']).toContain(pref('podAffinity'));
    expect(pref('podAntiAffinity')).toBe('b1');
  });
});
