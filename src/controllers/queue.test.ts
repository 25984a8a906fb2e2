import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualTimers } from '../client/testing/manual-timers.js';
import { WorkQueue } from './queue.js';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('WorkQueue.addAfter', () => {
  it('fires on the injected timers, and a key waiting keeps the earlier time', async () => {
    const timers = new ManualTimers();
    const seen: string[] = [];
    const q = new WorkQueue(
      (key) => {
        seen.push(`${key}@${timers.now()}`);
        return Promise.resolve();
      },
      pino({ enabled: false }),
      { timers },
    );
    q.addAfter('a', 5000);
    q.addAfter('a', 1000); // earlier: replaces
    q.addAfter('a', 3000); // later: ignored
    timers.advance(999);
    await flush();
    expect(seen).toEqual([]);
    timers.advance(1);
    await flush();
    expect(seen).toEqual(['a@1000']);
    timers.advance(10_000);
    await flush();
    expect(seen).toEqual(['a@1000']);
    q.stop();
  });

  it('retries a failing key with growing delays', async () => {
    const timers = new ManualTimers();
    let calls = 0;
    const q = new WorkQueue(
      () => {
        calls++;
        return Promise.reject(new Error('no'));
      },
      pino({ enabled: false }),
      { timers, baseDelayMs: 100 },
    );
    q.add('k');
    await flush();
    expect(calls).toBe(1);
    expect(timers.waiting()).toEqual([100]);
    timers.advance(100);
    await flush();
    expect(calls).toBe(2);
    expect(timers.waiting()).toEqual([200]);
    q.stop();
    expect(timers.waiting()).toEqual([]);
  });
});
