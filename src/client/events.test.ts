import { describe, expect, it } from 'vitest';
import { logger } from '../util/log.js';
import { EventRecorder, eventSuffix } from './events.js';
import { EVENTS } from './resources.js';
import { FakeClient } from './testing/fake-client.js';

const log = logger.child({ component: 'test' });
log.level = 'silent';

describe('EventRecorder', () => {
  it('aggregates repeats into count, and lets 25 events per object through, then one per 5 minutes', async () => {
    const client = new FakeClient();
    let now = Date.parse('2026-11-29T10:00:00Z');
    const rec = new EventRecorder(client, '', log, { now: () => new Date(now) }, 'replicaset-controller');
    const rs = { kind: 'ReplicaSet', apiVersion: 'apps/v1', namespace: 'ns', name: 'web', uid: 'u1' };
    await rec.record(rs, 'Normal', 'SuccessfulCreate', 'Created pod: web-a');
    await rec.record(rs, 'Normal', 'SuccessfulCreate', 'Created pod: web-a');
    const first = client.stored(EVENTS);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ count: 2, source: { component: 'replicaset-controller' } });
    for (let i = 0; i < 40; i++) await rec.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: web-${i}`);
    expect(client.stored(EVENTS)).toHaveLength(24);
    // Another object has its own budget.
    await rec.record({ ...rs, name: 'db', uid: 'u2' }, 'Normal', 'SuccessfulCreate', 'Created pod: db-a');
    expect(client.stored(EVENTS)).toHaveLength(25);
    now += 5 * 60_000;
    await rec.record(rs, 'Normal', 'SuccessfulCreate', 'Created pod: web-late');
    await rec.record(rs, 'Normal', 'SuccessfulCreate', 'Created pod: web-later');
    expect(client.stored(EVENTS)).toHaveLength(26);
  });

  it('names events of one millisecond apart, in the hex-nanoseconds shape of upstream names', () => {
    const ms = Date.parse('2026-11-29T10:00:00Z');
    const names = new Set(Array.from({ length: 10_000 }, () => eventSuffix(ms)));
    expect(names.size).toBe(10_000);
    for (const n of names) {
      expect(n).toMatch(/^[0-9a-f]{16}$/);
      expect(BigInt(`0x${n}`) / 1_000_000n).toBe(BigInt(ms));
    }
  });
});
