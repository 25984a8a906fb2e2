import { afterEach, describe, expect, it } from 'vitest';
import { componentLogger } from '../../util/log.js';
import { freePort } from '../testing/etcd.js';
import { EtcdClient } from './client.js';
import { GrpcError, Status } from './grpc.js';
import { CompareResult, CompareTarget, type TxnRequest } from './messages.js';
import { startFakeGrpc, type FakeGrpcServer, type FakeHandler } from './testing/fake-grpc.js';

const servers: FakeGrpcServer[] = [];
const clients: EtcdClient[] = [];
const log = componentLogger('etcd-client-test');
log.level = 'silent';

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

async function fake(handler: FakeHandler): Promise<FakeGrpcServer> {
  const s = await startFakeGrpc(handler);
  servers.push(s);
  return s;
}

function client(endpoints: string[], timeoutMs = 5000): EtcdClient {
  const c = new EtcdClient({
    endpoints,
    logger: log,
    requestTimeoutMs: timeoutMs,
    sleep: () => Promise.resolve(),
  });
  clients.push(c);
  return c;
}

const key = Buffer.from('/registry/pods/default/a');
const create: TxnRequest = {
  compare: [{ key, target: CompareTarget.Create, result: CompareResult.Equal, value: 0 }],
  success: [{ put: { key, value: Buffer.from('x') } }],
  failure: [],
};

async function rejection(p: Promise<unknown>): Promise<GrpcError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GrpcError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

const ok: FakeHandler = (call) => call.reply(Buffer.alloc(0));
const unavailable: FakeHandler = (call) => call.fail(Status.UNAVAILABLE, 'etcdserver: leader changed');

describe('etcd client retries and failover', () => {
  it('never repeats a write that reached etcd, even when etcd answered "unavailable"', async () => {
    const server = await fake(unavailable);
    const err = await rejection(client([server.endpoint]).txn(create, 0, false));
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(err.details).toBe('etcdserver: leader changed');
    expect(server.calls).toHaveLength(1);
  });

  it('never repeats a write whose connection broke while etcd had it', async () => {
    const server = await fake(() => server.dropConnections());
    const err = await rejection(client([server.endpoint]).txn(create, 0, false));
    expect(err.sent).toBe(true);
    expect(server.calls).toHaveLength(1);
  });

  it('repeats a read after "unavailable", on the next endpoint', async () => {
    const a = await fake(unavailable);
    const b = await fake(unavailable);
    const c = client([a.endpoint, b.endpoint]);
    // Whichever endpoint comes first fails; the retry goes to the other, which then answers.
    b.handler = a.handler = (call) => {
      (a.calls.length + b.calls.length === 1 ? unavailable : ok)(call);
    };
    await c.range({ key }, 0);
    expect(a.calls.length).toBe(1);
    expect(b.calls.length).toBe(1);
  });

  it('sends a write to the live endpoint when another is down, once', async () => {
    const live = await fake(ok);
    const dead = `http://127.0.0.1:${await freePort()}`;
    for (let i = 0; i < 5; i++) {
      const c = client([dead, live.endpoint]);
      await c.txn(create, 0, false);
    }
    expect(live.calls).toHaveLength(5);
  });

  it('keeps using the endpoint that works after one failed', async () => {
    const live = await fake(ok);
    const dead = `http://127.0.0.1:${await freePort()}`;
    const c = client([dead, live.endpoint]);
    for (let i = 0; i < 20; i++) await c.txn(create, 0, false);
    expect(live.calls).toHaveLength(20);
  });

  it('fails with "never sent" after a few attempts when no endpoint can be reached', async () => {
    const c = client([`http://127.0.0.1:${await freePort()}`, `http://127.0.0.1:${await freePort()}`]);
    const err = await rejection(c.txn(create, 0, false));
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(err.sent).toBe(false);
  });

  it('does not retry errors that are answers (compacted, future revision)', async () => {
    const server = await fake((call) =>
      call.fail(Status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision has been compacted'),
    );
    const err = await rejection(client([server.endpoint]).range({ key, revision: 3 }, 0));
    expect(err.code).toBe(Status.OUT_OF_RANGE);
    expect(server.calls).toHaveLength(1);
  });

  it('fails a call with "deadline exceeded" when etcd does not answer in time', async () => {
    const server = await fake(() => undefined);
    const err = await rejection(client([server.endpoint], 150).range({ key }, 0));
    expect(err.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(server.calls).toHaveLength(1);
  });

  it('fails calls in flight when closed', async () => {
    const server = await fake(() => undefined);
    const c = client([server.endpoint]);
    const pending = c.range({ key }, 0);
    for (let i = 0; i < 100 && server.calls.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    c.close();
    const err = await rejection(pending);
    expect(err.code).toBe(Status.UNAVAILABLE);
  });
});

describe('etcd client endpoint backoff', () => {
  it('counts one outage once, however many calls it failed', async () => {
    const stall: FakeHandler = () => undefined;
    const a = await fake(stall);
    const b = await fake(stall);
    const c = client([a.endpoint, b.endpoint]);
    const pending = Array.from({ length: 30 }, () => c.range({ key }, 0));
    for (let i = 0; i < 400 && a.calls.length + b.calls.length < 30; i++)
      await new Promise((r) => setTimeout(r, 5));
    // The preferred endpoint (chosen at random) holds all 30 calls; it now fails them all at once.
    const [hit, other] = a.calls.length === 30 ? [a, b] : [b, a];
    expect(hit.calls).toHaveLength(30);
    hit.handler = ok;
    other.handler = ok;
    hit.dropConnections();
    await Promise.all(pending);
    expect(other.calls).toHaveLength(30);
    // Had each failed call counted, `hit` would be set aside for seconds; one outage is 100 ms. So
    // when `other` (now preferred) answers "unavailable" once, the retry goes back to `hit`.
    await new Promise((r) => setTimeout(r, 150));
    let answered = 0;
    other.handler = (call) => (answered++ === 0 ? unavailable : ok)(call);
    await c.range({ key }, 0);
    expect(other.calls).toHaveLength(31);
    expect(hit.calls).toHaveLength(31);
    expect(hit.calls.length).toBe(31);
  });
});
