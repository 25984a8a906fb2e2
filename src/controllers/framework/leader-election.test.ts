import { describe, expect, it } from 'vitest';
import { ManualTimers } from '../../client/testing/manual-timers.js';
import { FakeClient } from '../../client/testing/fake-client.js';
import { LEASES } from '../../client/resources.js';
import type { Client } from '../../client/types.js';
import { logger } from '../../util/log.js';
import { LeaderElector } from './leader-election.js';
import { interceptClient } from './testing/harness.js';

const log = logger.child({ component: 'test' });
log.level = 'silent';

/** Lets pending promise callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((r) => setImmediate(r));
}

function candidate(client: Client, timers: ManualTimers, identity: string): LeaderElector {
  return new LeaderElector(client, {
    namespace: 'kube-system',
    name: 'kube-controller-manager',
    identity,
    clock: { now: () => new Date(1_800_000_000_000 + timers.now()) },
    timers,
    log,
  });
}

/** `client`, except that every request fails while `down.value` is set. */
function unreachableWhen(client: FakeClient, down: { value: boolean }): Client {
  return interceptClient(client, ({ args }, next) =>
    down.value ? Promise.reject(new Error('unreachable')) : next(...args),
  );
}

describe('LeaderElector', () => {
  it('one of two candidates leads; the other takes over after the holder stops renewing', async () => {
    const client = new FakeClient();
    const timers = new ManualTimers();
    const down = { value: false };
    const a = candidate(unreachableWhen(client, down), timers, 'a');
    const b = candidate(client, timers, 'b');
    const stopA = new AbortController();
    const stopB = new AbortController();
    const led: string[] = [];
    const runA = a.run(stopA.signal, async (s) => {
      led.push('a');
      await new Promise((r) => s.addEventListener('abort', r));
      led.push('a stopped');
    });
    await settle();
    const runB = b.run(stopB.signal, async () => {
      led.push('b');
    });
    await settle();
    expect(led).toEqual(['a']);
    expect(a.isLeader()).toBe(true);
    const lease = client.stored(LEASES)[0] as { spec?: { holderIdentity?: string } };
    expect(lease.spec?.holderIdentity).toBe('a');
    // a renews: b keeps waiting however long it watches.
    for (let i = 0; i < 20; i++) {
      timers.advance(2_000);
      await settle();
    }
    expect(led).toEqual(['a']);
    // a's renewals start failing (its datastore is unreachable): it steps down after the renew
    // deadline, before b may take over after the lease duration.
    down.value = true;
    for (let i = 0; i < 12; i++) {
      timers.advance(1_000);
      await settle();
    }
    expect(led).toContain('a stopped');
    for (let i = 0; i < 10; i++) {
      timers.advance(2_000);
      await settle();
    }
    expect(led).toContain('b');
    stopA.abort();
    stopB.abort();
    await Promise.all([runA, runB]);
  });

  it('releases the lease on stop, so the next candidate need not wait for it to expire', async () => {
    const client = new FakeClient();
    const timers = new ManualTimers();
    const a = candidate(client, timers, 'a');
    const stopA = new AbortController();
    const runA = a.run(stopA.signal, (s) => new Promise((r) => s.addEventListener('abort', () => r())));
    await settle();
    expect(a.isLeader()).toBe(true);
    stopA.abort();
    await runA;
    const lease = client.stored(LEASES)[0] as { spec?: { holderIdentity?: string } };
    expect(lease.spec?.holderIdentity).toBe('');
    const b = candidate(client, timers, 'b');
    expect(await b.tryAcquireOrRenew()).toBe(true);
  });
});
