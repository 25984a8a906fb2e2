import type { PodSpec } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import {
  addDaemonTolerations,
  nodeShouldRunDaemonPod,
  pinToNode,
  requiredAffinityMatches,
  targetNodeName,
  tolerates,
  type Ds,
  type DsNode,
} from './eligibility.js';

function node(name: string, labels: Record<string, string> = {}, taints: DsNode['spec'] = {}): DsNode {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: taints };
}

function ds(spec: NonNullable<NonNullable<Ds['spec']>['template']['spec']>): Ds {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec },
    },
  };
}

const containers = [{ name: 'c', image: 'i' }];

describe('tolerations', () => {
  it('match taints by key, value and effect as upstream does', () => {
    const taint = { key: 'k', value: 'v', effect: 'NoSchedule' as const };
    expect(tolerates({ key: 'k', operator: 'Equal', value: 'v' }, taint)).toBe(true);
    expect(tolerates({ key: 'k', value: 'v', effect: 'NoSchedule' }, taint)).toBe(true);
    expect(tolerates({ key: 'k', value: 'w' }, taint)).toBe(false);
    expect(tolerates({ key: 'k', operator: 'Exists', effect: 'NoExecute' }, taint)).toBe(false);
    expect(tolerates({ operator: 'Exists' }, taint)).toBe(true);
    expect(tolerates({ key: 'other', operator: 'Exists' }, taint)).toBe(false);
  });

  it('adds the daemon tolerations, replacing equal ones, with network-unavailable for hostNetwork pods', () => {
    const spec = {
      containers,
      tolerations: [
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
        { key: 'custom', operator: 'Exists' },
      ],
    };
    addDaemonTolerations(spec);
    expect(spec.tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      { key: 'custom', operator: 'Exists' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    const host: PodSpec = { containers, hostNetwork: true };
    addDaemonTolerations(host);
    expect(host.tolerations?.map((t) => t.key)).toContain('node.kubernetes.io/network-unavailable');
  });
});

describe('node affinity', () => {
  const n = node('n1', { zone: 'a', size: '8' });

  it('matches nodeSelector and required terms (terms ORed, requirements ANDed)', () => {
    expect(requiredAffinityMatches({ containers, nodeSelector: { zone: 'a' } }, n)).toBe(true);
    expect(requiredAffinityMatches({ containers, nodeSelector: { zone: 'b' } }, n)).toBe(false);
    const affinity = (terms: object[]) => ({
      containers,
      affinity: {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
      },
    });
    expect(
      requiredAffinityMatches(
        affinity([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }]),
        n,
      ),
    ).toBe(true);
    expect(
      requiredAffinityMatches(
        affinity([
          { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] },
          { matchExpressions: [{ key: 'size', operator: 'Gt', values: ['4'] }] },
        ]),
        n,
      ),
    ).toBe(true);
    expect(
      requiredAffinityMatches(
        affinity([{ matchExpressions: [{ key: 'size', operator: 'Lt', values: ['4'] }] }]),
        n,
      ),
    ).toBe(false);
    expect(
      requiredAffinityMatches(
        affinity([{ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }]),
        n,
      ),
    ).toBe(true);
    expect(
      requiredAffinityMatches(
        affinity([{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }]),
        n,
      ),
    ).toBe(false);
    expect(
      requiredAffinityMatches(
        affinity([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }]),
        n,
      ),
    ).toBe(true);
    expect(requiredAffinityMatches(affinity([{}]), n)).toBe(false);
    expect(requiredAffinityMatches(affinity([]), n)).toBe(false);
  });

  it('pins a pod to a node by name and reads the node back', () => {
    const a = pinToNode(
      {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }],
          },
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: {} }],
        },
      },
      'n1',
    );
    expect(a.nodeAffinity).toEqual({
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }],
      },
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: {} }],
    });
    expect(targetNodeName({ metadata: {}, spec: { containers, affinity: a } })).toBe('n1');
    expect(targetNodeName({ metadata: {}, spec: { containers, nodeName: 'n2', affinity: a } })).toBe('n2');
    expect(targetNodeName({ metadata: {}, spec: { containers } })).toBeUndefined();
  });
});

describe('nodeShouldRunDaemonPod', () => {
  it('runs where selectors match and taints are tolerated; keeps running under NoSchedule only', () => {
    const plain = ds({ containers });
    expect(nodeShouldRunDaemonPod(node('n'), plain)).toEqual({
      shouldRun: true,
      shouldContinueRunning: true,
    });
    const noSchedule = node('n', {}, { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
    expect(nodeShouldRunDaemonPod(noSchedule, plain)).toEqual({
      shouldRun: false,
      shouldContinueRunning: true,
    });
    const noExecute = node('n', {}, { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] });
    expect(nodeShouldRunDaemonPod(noExecute, plain)).toEqual({
      shouldRun: false,
      shouldContinueRunning: false,
    });
    const tolerant = ds({ containers, tolerations: [{ key: 'dedicated', operator: 'Exists' }] });
    expect(nodeShouldRunDaemonPod(noExecute, tolerant).shouldRun).toBe(true);
    expect(
      nodeShouldRunDaemonPod(node('n', { zone: 'a' }), ds({ containers, nodeSelector: { zone: 'b' } })),
    ).toEqual({
      shouldRun: false,
      shouldContinueRunning: false,
    });
    expect(nodeShouldRunDaemonPod(node('n'), ds({ containers, nodeName: 'm' })).shouldRun).toBe(false);
  });

  it('tolerates the node-condition taints every daemon pod tolerates', () => {
    const plain = ds({ containers });
    for (const key of ['unschedulable', 'disk-pressure', 'memory-pressure', 'pid-pressure'])
      expect(
        nodeShouldRunDaemonPod(
          node('n', {}, { taints: [{ key: `node.kubernetes.io/${key}`, effect: 'NoSchedule' }] }),
          plain,
        ).shouldRun,
      ).toBe(true);
    const unreachable = node(
      'n',
      {},
      { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] },
    );
    expect(nodeShouldRunDaemonPod(unreachable, plain).shouldRun).toBe(true);
    const noNetwork = node(
      'n',
      {},
      { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] },
    );
    expect(nodeShouldRunDaemonPod(noNetwork, plain).shouldRun).toBe(false);
    expect(nodeShouldRunDaemonPod(noNetwork, ds({ containers, hostNetwork: true })).shouldRun).toBe(true);
  });
});
