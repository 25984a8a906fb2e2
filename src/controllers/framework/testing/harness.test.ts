import { describe, expect, it } from 'vitest';
import { CONFIGMAPS, PODS } from '../../../client/resources.js';
import type { Controller } from '../types.js';
import { ControllerHarness, settleQuiet, stopAfterEach, VirtualTime } from './harness.js';

const track = stopAfterEach();

const pod = { kind: 'Pod', apiVersion: 'v1', name: 'p', namespace: 'ns', uid: 'u1' };

describe('VirtualTime', () => {
  it('moves the clock and fires timers only when advanced, never backwards', () => {
    const t = new VirtualTime('2026-03-01T10:00:00Z');
    const fired: number[] = [];
    t.setTimeout(() => fired.push(t.now()), 1500);
    t.advance(1000);
    expect(fired).toEqual([]);
    t.advanceTo('2026-03-01T10:00:02Z');
    expect(fired).toEqual([1500]);
    expect(t.clock.now().toISOString()).toBe('2026-03-01T10:00:02.000Z');
    t.advanceTo('2026-03-01T09:00:00Z');
    expect(t.clock.now().toISOString()).toBe('2026-03-01T10:00:02.000Z');
  });
});

describe('ControllerHarness', () => {
  it('runs a controller on its context and waits for it when stopped', async () => {
    const h = new ControllerHarness({
      time: '2026-01-01T00:00:00Z',
      options: { terminatedPodGcThreshold: 5 },
    });
    h.create(CONFIGMAPS, { metadata: { name: 'seed', namespace: 'ns' } });
    let seen = -1;
    let returned = false;
    const c: Controller = {
      name: 'test',
      run: async (ctx, signal) => {
        const inf = ctx.informers.informer(CONFIGMAPS);
        await ctx.informers.waitForSync(signal);
        seen = inf.list().length + ctx.options.terminatedPodGcThreshold;
        await new Promise((r) => signal.addEventListener('abort', r));
        returned = true;
      },
    };
    await h.start(c);
    await h.settle();
    expect(seen).toBe(6);
    await h.stop();
    expect(returned).toBe(true);
  });

  it('reads events by first recording or by last write, and about one object', async () => {
    const h = track(new ControllerHarness());
    const rec = h.ctx.recorder('test');
    await rec.record(pod, 'Normal', 'First', 'one');
    await rec.record({ ...pod, name: 'q', uid: 'u2' }, 'Normal', 'Other', 'two');
    await rec.record(pod, 'Normal', 'First', 'one');
    expect(h.events()).toEqual(['First: one', 'Other: two']);
    expect(h.events({ byLastWrite: true })).toEqual(['Other: two', 'First: one']);
    expect(h.events({ about: 'q' })).toEqual(['Other: two']);
  });

  it('steps virtual time, calling `each` before every step', async () => {
    const h = track(new ControllerHarness({ stepMs: 500, settle: () => Promise.resolve() }));
    const at: number[] = [];
    await h.advance(1200, { each: () => at.push(h.time.now()) });
    expect(at).toEqual([0, 500, 1000]);
    expect(h.time.now()).toBe(1200);
  });

  it('gives up settling when something writes in a loop', async () => {
    const h = track(new ControllerHarness());
    let writing = true;
    const write = (): void => {
      if (!writing) return;
      h.create(PODS, { metadata: { name: 'p', namespace: 'ns' } });
      setImmediate(write);
    };
    write();
    try {
      await expect(settleQuiet(h.fake)).rejects.toThrow(/never settled/);
    } finally {
      writing = false;
    }
    await expect(settleQuiet(h.fake)).resolves.toBeUndefined();
  });
});
