import { describe, expect, it } from 'vitest';
import { ManualTimers } from '../client/testing/manual-timers.js';
import { clusterEvent } from './events.js';
import { PodInfo } from './podinfo.js';
import { ACTION, SchedulingQueue } from './queue.js';
import { eventMayHelp } from './plugins/registry.js';
import { makePod } from './testing/harness.js';

function info(name: string, priority = 0): PodInfo {
  return new PodInfo(makePod(name, { priority }));
}

describe('SchedulingQueue', () => {
  it('pops higher priority first, then the oldest', () => {
    const t = new ManualTimers();
    const q = new SchedulingQueue(t);
    q.add(info('low-1', 1));
    t.advance(1);
    q.add(info('high', 10));
    t.advance(1);
    q.add(info('low-2', 1));
    expect([q.pop(), q.pop(), q.pop()].map((x) => x?.info.key)).toEqual([
      'default/high',
      'default/low-1',
      'default/low-2',
    ]);
    expect(q.pop()).toBeUndefined();
  });

  it('backs off 1 s, 2 s, 4 s, 8 s, then 10 s per failed attempt', () => {
    const t = new ManualTimers();
    const q = new SchedulingQueue(t);
    q.run();
    q.add(info('p'));
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const p = q.pop();
      expect(p).toBeDefined();
      const failedAt = t.now();
      q.addBackoff(p!);
      let waited = 0;
      while (q.activeSize === 0) {
        t.advance(100);
        waited = t.now() - failedAt;
      }
      waits.push(Math.ceil(waited / 1000) * 1000);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
    q.close();
  });

  it('keeps unschedulable pods until an event that may help them, then respects backoff', () => {
    const t = new ManualTimers();
    const q = new SchedulingQueue(t, eventMayHelp);
    q.run();
    q.add(info('p'));
    const p = q.pop()!;
    q.addUnschedulable(p, new Set(['NodeResourcesFit']));
    expect(q.where('default/p')).toBe('unschedulable');
    // A label change cannot give a node more CPU.
    q.moveAllToActiveOrBackoff(clusterEvent('Node', ACTION.UpdateNodeLabel));
    expect(q.where('default/p')).toBe('unschedulable');
    // A deleted pod frees resources: the pod goes to backoff (its 1 s is not over yet).
    t.advance(200);
    q.moveAllToActiveOrBackoff(clusterEvent('AssignedPod', ACTION.Delete));
    expect(q.where('default/p')).toBe('backoff');
    t.advance(1000);
    expect(q.where('default/p')).toBe('active');
    q.close();
  });

  it('retries unschedulable pods after 5 minutes without any event', () => {
    const t = new ManualTimers();
    const q = new SchedulingQueue(t, eventMayHelp);
    q.run();
    q.add(info('p'));
    q.addUnschedulable(q.pop()!, new Set(['TaintToleration']));
    t.advance(4 * 60_000);
    expect(q.where('default/p')).toBe('unschedulable');
    t.advance(90_000);
    expect(q.where('default/p')).toBe('active');
    q.close();
  });

  it('retries a pod whose spec changed while unschedulable, and forgets deleted pods', () => {
    const t = new ManualTimers();
    const q = new SchedulingQueue(t, eventMayHelp);
    q.add(info('p'));
    q.addUnschedulable(q.pop()!, new Set(['NodeAffinity']));
    t.advance(5000);
    q.update(info('p'), true);
    expect(q.where('default/p')).toBe('active');
    q.delete('default/p');
    expect(q.where('default/p')).toBeUndefined();
  });

  it('wakes a waiting consumer when a pod arrives', async () => {
    const t = new ManualTimers();
    const q = new SchedulingQueue(t);
    const waiting = q.waitForPod();
    q.add(info('p'));
    await waiting;
    expect(q.pop()?.info.key).toBe('default/p');
  });
});
