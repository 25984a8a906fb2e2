import { describe, expect, it } from 'vitest';
import { ManualTimers } from '../client/testing/manual-timers.js';
import { logger } from '../util/log.js';
import { WorkQueue } from './queue.js';

const log = logger.child({ component: 'test' });
log.level = 'silent';

describe('WorkQueue.addAfter with injected timers', () => {
  it('fires on the virtual clock and keeps the earlier of two deadlines', async () => {
    const timers = new ManualTimers();
    const seen: string[] = [];
    const q = new WorkQueue(
      async (k) => {
        seen.push(`${k}@${timers.now()}`);
      },
      log,
      { timers },
    );
    q.addAfter('a', 5_000);
    q.addAfter('a', 60_000);
    q.addAfter('b', 60_000);
    q.addAfter('b', 2_000);
    timers.advance(1_999);
    await Promise.resolve();
    expect(seen).toEqual([]);
    timers.advance(10_000);
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual(['b@2000', 'a@5000']);
    expect(timers.waiting()).toEqual([]);
    q.stop();
  });
});
