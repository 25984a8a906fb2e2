import { describe, expect, it } from 'vitest';
import { NODES } from '../../client/resources.js';
import { NodeLifecycleController, desiredTaints, unknownConditions } from './lifecycle.js';
import { TaintEvictionController } from './taint-eviction.js';
import { Bench } from './testing/harness.js';
import { stopAfterEach } from '../framework/testing/harness.js';

const track = stopAfterEach();

async function bench(): Promise<{ b: Bench; eviction: TaintEvictionController }> {
  const b = new Bench();
  track(b);
  const eviction = new TaintEvictionController({ timers: b.timers });
  b.addNode('dead');
  b.addNode('alive');
  return { b, eviction };
}

const tolerate = (key: string, seconds?: number) => ({
  key,
  operator: 'Exists',
  effect: 'NoExecute',
  ...(seconds !== undefined ? { tolerationSeconds: seconds } : {}),
});

const ready = (b: Bench, node: string): string | undefined =>
  b.node(node)?.status?.conditions?.find((c) => c.type === 'Ready')?.status;

describe('node lifecycle controller', () => {
  it('marks a node whose Lease stops renewing Unknown, taints it, and evicts its pods honouring tolerationSeconds', async () => {
    const { b, eviction } = await bench();
    b.addPod('defaulted', 'dead', {
      tolerations: [
        tolerate('node.kubernetes.io/not-ready', 10),
        tolerate('node.kubernetes.io/unreachable', 10),
      ],
    });
    b.addPod('intolerant', 'dead');
    b.addPod('forever', 'dead', { tolerations: [tolerate('node.kubernetes.io/unreachable')] });
    b.addPod('elsewhere', 'alive');
    await b.start(new NodeLifecycleController({ timers: b.timers }), eviction);
    const keepAlive = (): void => b.renew('alive');

    await b.advance(15_000, { each: keepAlive });
    expect(ready(b, 'dead')).toBe('True'); // the grace period has not run out
    await b.advance(1_500, { each: keepAlive });
    const node = b.node('dead');
    expect(node?.status?.conditions?.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['MemoryPressure', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'],
      ['DiskPressure', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'],
      ['PIDPressure', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'],
      ['Ready', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'],
    ]);
    expect(node?.spec?.taints?.map((t) => `${t.key}:${t.effect}`).sort()).toEqual([
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/unreachable:NoSchedule',
    ]);
    expect(node?.spec?.taints?.every((t) => t.timeAdded)).toBe(true);
    expect(ready(b, 'alive')).toBe('True');
    expect(b.events()).toContain('NodeNotReady: Node dead status is now: NodeNotReady');

    // The pod that tolerates nothing goes at once, marked as a disruption target first.
    expect(b.pod('intolerant')).toBeUndefined();
    const calls = b.fake.calls.filter((c) => c.includes('default/intolerant'));
    expect(calls.slice(-2)).toEqual([
      'updateStatus pods default/intolerant',
      'delete pods default/intolerant',
    ]);
    expect(b.events()).toContain('TaintManagerEviction: Marking for deletion Pod default/intolerant');
    // The others are not Ready any more, and wait out their tolerations.
    expect(b.pod('defaulted')?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    expect(b.events()).toContain('NodeNotReady: Node is not ready');
    expect(b.pod('elsewhere')?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');

    await b.advance(8_000, { each: keepAlive });
    expect(b.pod('defaulted')).toBeDefined();
    await b.advance(2_500, { each: keepAlive });
    expect(b.pod('defaulted')).toBeUndefined();
    expect(b.events()).toContain('TaintManagerEviction: Marking for deletion Pod default/defaulted');
    await b.advance(60_000, { each: keepAlive });
    expect(b.pod('forever')).toBeDefined();
    expect(b.pod('elsewhere')).toBeDefined();
  });

  it('removes the taints when the node comes back, cancelling pending evictions', async () => {
    const { b, eviction } = await bench();
    b.addPod('web', 'dead', { tolerations: [tolerate('node.kubernetes.io/unreachable', 30)] });
    await b.start(new NodeLifecycleController({ timers: b.timers }), eviction);
    await b.advance(17_000, { each: () => b.renew('alive') });
    expect(ready(b, 'dead')).toBe('Unknown');
    expect(eviction.scheduledAt('default/web')).toBeDefined();

    // The kubelet is back: Lease renewed, Ready posted.
    b.renew('dead');
    b.postStatus('dead');
    await b.advance(2_000, {
      each: () => {
        b.renew('alive');
        b.renew('dead');
      },
    });
    expect(b.node('dead')?.spec?.taints ?? []).toEqual([]);
    expect(eviction.scheduledAt('default/web')).toBeUndefined();
    expect(b.events()).toContain('TaintManagerEviction: Cancelling deletion of Pod default/web');
    await b.advance(40_000, {
      each: () => {
        b.renew('alive');
        b.renew('dead');
      },
    });
    expect(b.pod('web')).toBeDefined();
  });
});

describe('node lifecycle controller, other states', () => {
  it('taints a node whose kubelet reports Ready=False not-ready, and evicts after the toleration', async () => {
    const { b, eviction } = await bench();
    b.addPod('web', 'dead', { tolerations: [tolerate('node.kubernetes.io/not-ready', 5)] });
    await b.start(new NodeLifecycleController({ timers: b.timers }), eviction);
    b.postStatus('dead', 'False');
    await b.advance(1_000, { each: () => b.renew('dead') });
    expect(
      b
        .node('dead')
        ?.spec?.taints?.map((t) => `${t.key}:${t.effect}`)
        .sort(),
    ).toEqual(['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule']);
    expect(ready(b, 'dead')).toBe('False');
    await b.advance(3_000, { each: () => b.renew('dead') });
    expect(b.pod('web')).toBeDefined();
    await b.advance(2_500, { each: () => b.renew('dead') });
    expect(b.pod('web')).toBeUndefined();
  });

  it('evicts nothing when no node at all is Ready (the control plane is more likely cut off)', async () => {
    const { b, eviction } = await bench();
    b.addPod('web', 'dead');
    b.addPod('db', 'alive');
    await b.start(new NodeLifecycleController({ timers: b.timers }), eviction);
    await b.advance(20_000);
    expect(ready(b, 'dead')).toBe('Unknown');
    expect(ready(b, 'alive')).toBe('Unknown');
    for (const n of ['dead', 'alive'])
      expect(b.node(n)?.spec?.taints?.map((t) => `${t.key}:${t.effect}`)).toEqual([
        'node.kubernetes.io/unreachable:NoSchedule',
      ]);
    expect(b.pod('web')).toBeDefined();
    expect(b.pod('db')).toBeDefined();
    // One node comes back: the others get a new grace period, then are tainted and evicted.
    b.renew('alive');
    b.postStatus('alive');
    await b.advance(10_000, { each: () => b.renew('alive') });
    expect(b.pod('web')).toBeDefined();
    await b.advance(7_000, { each: () => b.renew('alive') });
    expect(b.node('dead')?.spec?.taints?.map((t) => `${t.key}:${t.effect}`)).toContain(
      'node.kubernetes.io/unreachable:NoExecute',
    );
    expect(b.pod('web')).toBeUndefined();
    expect(b.pod('db')).toBeDefined();
  });

  it('gives a node that never posted status the startup grace period', async () => {
    const b = new Bench();
    track(b);
    b.addNode('alive');
    b.fake.put(NODES, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'fake', creationTimestamp: b.nowString() },
    });
    await b.start(new NodeLifecycleController({ timers: b.timers }));
    await b.advance(59_000, { each: () => b.renew('alive') });
    expect(b.node('fake')?.status).toBeUndefined();
    await b.advance(2_000, { each: () => b.renew('alive') });
    expect(b.node('fake')?.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'Unknown',
      reason: 'NodeStatusNeverUpdated',
      message: 'Kubelet never posted node status.',
    });
  });

  it('maps pressure conditions and spec.unschedulable to NoSchedule taints, keeping others', () => {
    const node = {
      metadata: { name: 'n' },
      spec: {
        unschedulable: true,
        taints: [
          { key: 'dedicated', value: 'db', effect: 'NoSchedule' },
          { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: 'then' },
        ],
      },
      status: {
        conditions: [
          { type: 'Ready', status: 'False' },
          { type: 'MemoryPressure', status: 'True' },
          { type: 'DiskPressure', status: 'False' },
        ],
      },
    };
    expect(desiredTaints(node, 'node.kubernetes.io/not-ready', 'now')).toEqual([
      { key: 'dedicated', value: 'db', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: 'then' },
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule', timeAdded: 'now' },
      { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule', timeAdded: 'now' },
      { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: 'now' },
    ]);
    // Without NoExecute tainting (disruption), the controller's NoExecute taint goes.
    expect(desiredTaints(node, undefined, 'now').some((t) => t.effect === 'NoExecute')).toBe(false);
  });

  it('marks conditions a kubelet never posted as NeverUpdated', () => {
    const conditions = unknownConditions(
      { metadata: { name: 'n', creationTimestamp: 'born' }, status: { conditions: [] } },
      'now',
    );
    expect(conditions?.find((c) => c.type === 'Ready')).toEqual({
      type: 'Ready',
      status: 'Unknown',
      reason: 'NodeStatusNeverUpdated',
      message: 'Kubelet never posted node status.',
      lastHeartbeatTime: 'born',
      lastTransitionTime: 'now',
    });
    expect(unknownConditions({ metadata: {}, status: { conditions } }, 'later')).toBeUndefined();
  });
});
