import { describe, expect, it } from 'vitest';
import { NODES, PODS } from '../../client/resources.js';
import { Bench } from '../nodelifecycle/testing/harness.js';
import { stopAfterEach } from '../framework/testing/harness.js';
import { PodGcController } from './podgc.js';

const track = stopAfterEach();

async function bench(threshold = 12_500): Promise<Bench> {
  const b = new Bench({ terminatedPodGcThreshold: threshold });
  track(b);
  b.addNode('n1');
  return b;
}

const names = (b: Bench): string[] =>
  b.fake
    .stored(PODS)
    .map((p) => p.metadata.name ?? '')
    .sort();

describe('pod GC', () => {
  it('deletes terminated pods over the threshold, evicted first, then oldest first', async () => {
    const b = await bench(3);
    for (const [i, name] of ['old', 'mid', 'new', 'newer'].entries()) {
      await b.advance(1_000);
      b.addPod(name, 'n1', {}, { phase: i % 2 ? 'Failed' : 'Succeeded' });
    }
    b.addPod('evicted', 'n1', {}, { phase: 'Failed', reason: 'Evicted' });
    b.addPod('running', 'n1');
    await b.start(new PodGcController({ timers: b.timers }));
    await b.advance(10_000);
    expect(names(b)).toEqual(['mid', 'new', 'newer', 'running']);
  });

  it('sets orphaned pods Failed with DisruptionTarget, then deletes them, after the quarantine', async () => {
    const b = await bench();
    b.addPod('orphan', 'gone-node');
    b.addPod('kept', 'n1');
    await b.start(new PodGcController({ timers: b.timers }));
    await b.advance(20_000);
    expect(b.pod('orphan')).toBeDefined(); // still in quarantine
    b.fake.failNext('delete', new Error('connection reset'));
    await b.advance(10_000);
    expect(b.fake.calls).toContain('get nodes gone-node');
    const failed = b.pod('orphan');
    expect(failed?.status?.phase).toBe('Failed');
    expect(failed?.status?.conditions?.find((c) => c.type === 'DisruptionTarget')).toMatchObject({
      status: 'True',
      reason: 'DeletionByPodGC',
      message: 'PodGC: node no longer exists',
    });
    await b.advance(10_000);
    expect(names(b)).toEqual(['kept']);
  });

  it('keeps pods whose node shows up during the quarantine', async () => {
    const b = await bench();
    b.addPod('early', 'late-node');
    await b.start(new PodGcController({ timers: b.timers }));
    await b.advance(10_000);
    b.addNode('late-node');
    await b.advance(40_000);
    expect(b.pod('early')).toBeDefined();
  });

  it('force-deletes terminating pods never scheduled, and terminating pods of out-of-service nodes', async () => {
    const b = await bench();
    b.addPod('unscheduled', '', {}, { phase: 'Pending', conditions: [] });
    b.addPod('stuck', 'n1');
    b.addPod('fine', 'n1');
    for (const name of ['unscheduled', 'stuck']) {
      const p = b.pod(name);
      b.fake.put(PODS, { ...p, metadata: { ...p?.metadata, deletionTimestamp: b.nowString() } });
    }
    const n = b.node('n1');
    b.fake.put(NODES, {
      ...n,
      spec: {
        taints: [{ key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' }],
      },
      status: { conditions: [{ type: 'Ready', status: 'Unknown' }] },
    });
    await b.start(new PodGcController({ timers: b.timers }));
    await b.advance(10_000);
    expect(names(b)).toEqual(['fine']);
  });
});
