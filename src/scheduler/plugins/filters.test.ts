import { describe, expect, it } from 'vitest';
import { makeNode, makePod } from '../testing/harness.js';
import { clusterOf, frameworkOf, on, scheduleOnce } from '../testing/cluster.js';

const NOT_HELPFUL = (n: number): string =>
  `preemption: 0/${n} nodes are available: ${n} Preemption is not helpful for scheduling.`;

describe('filters', () => {
  it('TaintToleration: untolerated NoSchedule/NoExecute taints reject, tolerated ones and PreferNoSchedule do not', () => {
    const cache = clusterOf([
      makeNode('a', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
      makeNode('b', { taints: [{ key: 'gone', effect: 'NoExecute' }] }),
      makeNode('c', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }),
    ]);
    const fw = frameworkOf();
    const r = scheduleOnce(
      fw,
      cache,
      makePod('p', { spec: { nodeSelector: { 'kubernetes.io/hostname': 'a' } } }),
    );
    expect(r.message).toBe(
      "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}, " +
        '1 node(s) had untolerated taint {gone: }. ' +
        NOT_HELPFUL(3),
    );
    expect(scheduleOnce(fw, cache, makePod('q')).node).toBe('c');
    const tolerant = makePod('t', {
      spec: {
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
        nodeSelector: { 'kubernetes.io/hostname': 'a' },
      },
    });
    expect(scheduleOnce(fw, cache, tolerant).node).toBe('a');
    const everything = makePod('e', { spec: { tolerations: [{ operator: 'Exists' }], nodeName: 'b' } });
    expect(scheduleOnce(fw, cache, everything).node).toBe('b');
  });

  it('NodeUnschedulable: cordoned nodes only for pods tolerating node.kubernetes.io/unschedulable', () => {
    const cache = clusterOf([makeNode('a', { unschedulable: true })]);
    const fw = frameworkOf();
    expect(scheduleOnce(fw, cache, makePod('p')).message).toBe(
      `0/1 nodes are available: 1 node(s) were unschedulable. ${NOT_HELPFUL(1)}`,
    );
    const tol = makePod('t', {
      spec: {
        tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }],
      },
    });
    expect(scheduleOnce(fw, cache, tol).node).toBe('a');
  });

  it('NodeName: a pod naming a node is only placed there', () => {
    const cache = clusterOf([makeNode('a'), makeNode('b')]);
    const fw = frameworkOf();
    expect(scheduleOnce(fw, cache, makePod('p', { spec: { nodeName: 'b' } })).node).toBe('b');
    expect(scheduleOnce(fw, cache, makePod('q', { spec: { nodeName: 'zz' } })).message).toBe(
      `0/2 nodes are available: 2 node(s) didn't match the requested node name. ${NOT_HELPFUL(2)}`,
    );
  });

  it('NodeAffinity: matchExpressions (In, NotIn, Exists, DoesNotExist, Gt, Lt) and matchFields, terms ORed', () => {
    const cache = clusterOf([
      makeNode('a', { labels: { zone: 'z1', cores: '8' } }),
      makeNode('b', { labels: { zone: 'z2', cores: '2' } }),
      makeNode('c', { labels: { zone: 'z3', gpu: 'yes', cores: '16' } }),
    ]);
    const fw = frameworkOf();
    const withTerms = (terms: object[]): ReturnType<typeof makePod> =>
      makePod('p', {
        spec: {
          affinity: {
            nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
          },
        },
      });
    const only = (terms: object[]): string | undefined => scheduleOnce(fw, cache, withTerms(terms)).node;
    expect(only([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] }])).toBe('b');
    expect(
      only([
        {
          matchExpressions: [
            { key: 'zone', operator: 'NotIn', values: ['z1', 'z3'] },
            { key: 'gpu', operator: 'DoesNotExist' },
          ],
        },
      ]),
    ).toBe('b');
    expect(only([{ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }])).toBe('c');
    expect(only([{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['10'] }] }])).toBe('c');
    expect(only([{ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['4'] }] }])).toBe('b');
    expect(only([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }] }])).toBe('a');
    expect(
      only([
        { matchExpressions: [{ key: 'zone', operator: 'In', values: ['nowhere'] }] },
        { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['c'] }] },
      ]),
    ).toBe('c');
    expect(scheduleOnce(fw, cache, withTerms([{}])).message).toBe(
      `0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. ${NOT_HELPFUL(3)}`,
    );
  });

  it('NodePorts: a host port in use on a node (any address, same protocol) rejects it', () => {
    const web = (name: string, hostIP?: string, protocol = 'TCP'): ReturnType<typeof makePod> =>
      makePod(name, {
        spec: {
          containers: [
            {
              name: 'c',
              image: 'x',
              ports: [{ containerPort: 80, hostPort: 8080, protocol, ...(hostIP ? { hostIP } : {}) }],
            },
          ],
        },
      });
    const cache = clusterOf([makeNode('a'), makeNode('b')], [on('a', web('old'))]);
    const fw = frameworkOf();
    expect(scheduleOnce(fw, cache, web('new')).node).toBe('b');
    expect(scheduleOnce(fw, cache, web('udp', undefined, 'UDP')).node).toBeDefined();
    const both = clusterOf([makeNode('a')], [on('a', web('old', '10.0.0.1'))]);
    expect(scheduleOnce(fw, both, web('other-ip', '10.0.0.2')).node).toBe('a');
    expect(scheduleOnce(fw, both, web('any-ip')).message).toBe(
      "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports. " +
        'preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    );
  });

  it('NodeResourcesFit: every insufficient resource is named; too many pods; extended resources', () => {
    const cache = clusterOf(
      [
        makeNode('a', { cpu: '2', memory: '4Gi', pods: '2' }),
        makeNode('b', { cpu: '1', memory: '1Gi', extra: { 'example.com/gpu': '1' } }),
      ],
      [on('a', makePod('x', { cpu: '1' })), on('a', makePod('y', { cpu: '500m' }))],
    );
    const fw = frameworkOf();
    expect(scheduleOnce(fw, cache, makePod('p', { cpu: '1500m', memory: '2Gi' })).message).toBe(
      // Reasons are counted per node and sorted as text, as upstream does.
      '0/2 nodes are available: 1 Insufficient memory, 1 Too many pods, 2 Insufficient cpu. ' +
        'preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.',
    );
    const gpu = (n: string): ReturnType<typeof makePod> =>
      makePod('g', {
        spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { [n]: '1' } } }] },
      });
    expect(scheduleOnce(fw, cache, gpu('example.com/gpu')).node).toBe('b');
    expect(scheduleOnce(fw, cache, gpu('example.com/fpga')).message).toBe(
      '0/2 nodes are available: 1 Too many pods, 2 Insufficient example.com/fpga. ' +
        'preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    );
  });
});
