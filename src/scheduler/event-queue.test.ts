import { describe, expect, it } from 'vitest';
import type { EventRecorder } from '../client/events.js';
import { componentLogger } from '../util/log.js';
import { EventQueue } from './event-queue.js';

describe('EventQueue', () => {
  it('writes with a few writers and drops what does not fit, as upstream', async () => {
    const seen: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const recorder = {
      record: async (_t: unknown, _type: string, _reason: string, message: string) => {
        await gate;
        seen.push(message);
      },
    } as unknown as EventRecorder;
    const q = new EventQueue(componentLogger('test'), 2, 3);
    const target = { kind: 'Pod', apiVersion: 'v1', name: 'p' };
    for (let i = 0; i < 8; i++) q.record(recorder, target, 'Normal', 'Scheduled', `m${i}`);
    // Two writers took m0 and m1; three wait; the rest were dropped.
    expect(q.dropped).toBe(3);
    release();
    await q.flush();
    expect(seen.sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(q.written).toBe(5);
  });
});
