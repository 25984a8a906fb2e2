import { afterEach, describe, expect, it } from 'vitest';
import { NODES, PODS } from '../client/resources.js';
import { makeNode, makePod, startTestScheduler, type RunningTestScheduler } from './testing/harness.js';

let running: RunningTestScheduler | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const CONTROL_PLANE = [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }];

describe('scheduler', () => {
  it('binds pending pods to nodes that fit and records Scheduled events', async () => {
    running = await startTestScheduler((c) => {
      c.put(NODES, makeNode('cp', { taints: CONTROL_PLANE }));
      c.put(NODES, makeNode('small', { cpu: '500m' }));
      c.put(NODES, makeNode('big', { cpu: '8' }));
      c.put(PODS, makePod('web', { cpu: '1' }));
    });
    const r = running;
    await r.until(() => r.nodeOf('web') !== '', 'web bound');
    expect(r.nodeOf('web')).toBe('big');
    await r.until(() => r.events('web', 'Scheduled').length > 0, 'Scheduled event');
    expect(r.events('web', 'Scheduled')).toEqual(['Successfully assigned default/web to big']);
  });

  it('reports why no node fits with upstream wording, then schedules once a node is added', async () => {
    running = await startTestScheduler((c) => {
      c.put(NODES, makeNode('cp', { taints: CONTROL_PLANE }));
      c.put(NODES, makeNode('cp2', { taints: CONTROL_PLANE }));
      c.put(NODES, makeNode('small', { cpu: '500m' }));
      c.put(PODS, makePod('web', { cpu: '1' }));
    });
    const r = running;
    await r.until(() => r.events('web', 'FailedScheduling').length > 0, 'FailedScheduling');
    expect(r.events('web', 'FailedScheduling')[0]).toBe(
      '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. ' +
        'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
    await r.until(() => {
      const pod = r.client.stored(PODS).find((p) => p.metadata.name === 'web') as
        { status?: { conditions?: { type: string; status: string; reason?: string }[] } } | undefined;
      return (
        pod?.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable') ===
        true
      );
    }, 'PodScheduled=False');
    expect(r.scheduler.queue.where('default/web')).toBe('unschedulable');
    r.client.put(NODES, makeNode('new', { cpu: '2' }));
    await r.until(() => r.nodeOf('web') !== '', 'web bound after node add');
    expect(r.nodeOf('web')).toBe('new');
  });

  it('honours nodeSelector, nodeName and cordoned nodes', async () => {
    running = await startTestScheduler((c) => {
      c.put(NODES, makeNode('a', { labels: { disk: 'ssd' } }));
      c.put(NODES, makeNode('b', { labels: { disk: 'hdd' } }));
      c.put(NODES, makeNode('c', { labels: { disk: 'ssd' }, unschedulable: true }));
      c.put(PODS, makePod('ssd', { spec: { nodeSelector: { disk: 'ssd' } } }));
      c.put(PODS, makePod('nowhere', { spec: { nodeSelector: { disk: 'tape' } } }));
    });
    const r = running;
    await r.until(() => r.nodeOf('ssd') !== '', 'ssd bound');
    expect(r.nodeOf('ssd')).toBe('a');
    await r.until(() => r.events('nowhere', 'FailedScheduling').length > 0, 'FailedScheduling');
    expect(r.events('nowhere', 'FailedScheduling')[0]).toBe(
      "0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match Pod's node affinity/selector. " +
        'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
  });

  it('counts assumed pods at once: a burst never overcommits a node', async () => {
    running = await startTestScheduler((c) => {
      c.put(NODES, makeNode('a', { cpu: '2' }));
      c.put(NODES, makeNode('b', { cpu: '2' }));
      for (let i = 0; i < 5; i++) c.put(PODS, makePod(`p${i}`, { cpu: '1' }));
    });
    const r = running;
    await r.until(() => r.client.bindings.length === 4, '4 bound');
    await r.until(() => r.events('p4', 'FailedScheduling').length > 0 || r.nodeOf('p4') !== '', 'p4 decided');
    const bound = ['p0', 'p1', 'p2', 'p3', 'p4'].map((p) => r.nodeOf(p)).filter((n) => n !== '');
    expect(bound.sort()).toEqual(['a', 'a', 'b', 'b']);
  });

  it('starts afresh when run again (a new term of leadership)', async () => {
    const first = await startTestScheduler((c) => {
      c.put(NODES, makeNode('a', { cpu: '1' }));
      c.put(PODS, makePod('p1', { cpu: '1' }));
    });
    await first.until(() => first.nodeOf('p1') === 'a', 'p1 bound');
    await first.stop();
    running = await startTestScheduler(
      (c) => {
        c.put(NODES, makeNode('b', { cpu: '1' }));
        c.put(PODS, makePod('p2', { cpu: '1' }));
      },
      {},
      { client: first.client, scheduler: first.scheduler },
    );
    const r = running;
    await r.until(() => r.nodeOf('p2') === 'b', 'p2 bound on the node with room');
    expect(r.scheduler.cache.node('a')?.pods.size).toBe(1);
  });
});
