import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualTimers } from '../client/testing/manual-timers.js';
import { Limiter, Spreader } from './spread.js';

const log = pino({ enabled: false });
const flush = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('spreader', () => {
  it('runs every node once per interval, spread evenly, on one timer', async () => {
    const timers = new ManualTimers();
    const runs: [number, number][] = [];
    const s = new Spreader({
      count: 10,
      intervalMs: 1000,
      run: (i) => {
        runs.push([i, timers.now()]);
        return Promise.resolve();
      },
      limiter: new Limiter(4),
      log,
      what: 'test',
      timers,
    });
    s.start();
    for (let t = 0; t < 20; t++) {
      timers.advance(100);
      await flush();
    }
    expect(runs.map(([i]) => i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(runs.map(([, at]) => at)).toEqual(Array.from({ length: 20 }, (_, k) => (k + 1) * 100));
    expect(timers.waiting()).toEqual([100]);
    s.stop();
    expect(timers.waiting()).toEqual([]);
  });

  it('skips a node still in flight and bounds the requests in flight', async () => {
    const timers = new ManualTimers();
    const pending: (() => void)[] = [];
    let started = 0;
    const limiter = new Limiter(2);
    const s = new Spreader({
      count: 4,
      intervalMs: 400,
      run: () => {
        started++;
        return new Promise<void>((resolve) => pending.push(resolve));
      },
      limiter,
      log,
      what: 'test',
      timers,
    });
    s.start();
    timers.advance(2000);
    await flush();
    expect(started).toBe(2); // limiter: two in flight, the other two wait
    expect(limiter.inFlight).toBe(2);
    for (const r of pending.splice(0)) r();
    await flush();
    expect(started).toBe(4);
    timers.advance(100);
    await flush();
    expect(s.skipped).toBeGreaterThan(0); // the next turn found node 0 still busy
    s.stop();
  });
});
