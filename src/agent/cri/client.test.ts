import {
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerErrorResponse,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectCri,
  CriCode,
  CriError,
  criTarget,
  isCriError,
  isNotFound,
  type CriConnection,
} from './client.js';
import { loadSync } from '@grpc/proto-loader';
import { CRI_PROTO_PATH } from './proto.js';

type Handler = (request: unknown) => Promise<unknown> | unknown;

/** An in-process runtime on a unix socket that answers with the handlers given. */
async function fakeRuntime(socket: string, handlers: Record<string, Handler>): Promise<Server> {
  const server = new Server();
  // An independent implementation on the other end: grpc-js with @grpc/proto-loader's conversions.
  const pkg = loadSync(CRI_PROTO_PATH, { keepCase: false, longs: Number, enums: String, defaults: true });
  const def = pkg['runtime.v1.RuntimeService'] as unknown as ServiceDefinition;
  const impl: UntypedServiceImplementation = {};
  for (const [rpc, handler] of Object.entries(handlers)) {
    impl[rpc] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      Promise.resolve()
        .then(() => handler(call.request))
        .then(
          (res) => callback(null, res),
          (err: unknown) => callback(err as ServerErrorResponse),
        );
    };
  }
  server.addService(def, impl);
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${socket}`, ServerCredentials.createInsecure(), (err) =>
      err ? reject(err) : resolve(),
    ),
  );
  return server;
}

describe('criTarget', () => {
  it('turns paths into unix targets and keeps unix targets', () => {
    expect(criTarget('/run/k8ts/containerd.sock')).toBe('unix:///run/k8ts/containerd.sock');
    expect(criTarget('unix:///run/x.sock')).toBe('unix:///run/x.sock');
    expect(criTarget('rel.sock')).toBe(`unix://${path.resolve('rel.sock')}`);
    expect(() => criTarget('tcp://127.0.0.1:1')).toThrow(/only unix sockets/);
    expect(() => criTarget('')).toThrow(/empty/);
  });
});

describe('CRI client against an in-process runtime', () => {
  let dir: string;
  let server: Server;
  let cri: CriConnection;
  let socket: string;
  const seen: Record<string, unknown> = {};

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-cri-client-'));
    socket = path.join(dir, 'cri.sock');
    server = await fakeRuntime(socket, {
      Version: (req) => {
        seen['Version'] = req;
        return { version: '0.1.0', runtimeName: 'fake', runtimeVersion: '1.2.3', runtimeApiVersion: 'v1' };
      },
      ContainerStatus: () => {
        throw Object.assign(new Error('x'), {
          code: status.NOT_FOUND,
          details: 'container "nope" not found',
        });
      },
      StopContainer: () => new Promise(() => undefined),
      ExecSync: (req) => {
        seen['ExecSync'] = req;
        return { stdout: Buffer.from('out'), exitCode: 3 };
      },
      Exec: () => ({ url: 'http://127.0.0.1:40000/exec/abc' }),
    });
    cri = connectCri(socket, { timeoutMs: 5000 });
  });

  afterAll(async () => {
    cri?.close();
    await new Promise<void>((resolve) => server?.tryShutdown(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('calls a unary RPC and gets the typed answer', async () => {
    const v = await cri.runtime.version();
    expect(v).toEqual({
      version: '0.1.0',
      runtimeName: 'fake',
      runtimeVersion: '1.2.3',
      runtimeApiVersion: 'v1',
    });
    expect(seen['Version']).toEqual({ version: 'v1' });
  });

  it('ExecSync carries bytes and the exit code; Exec returns the streaming URL', async () => {
    const res = await cri.runtime.execSync({ containerId: 'c1', cmd: ['sh', '-c', 'exit 3'], timeout: 2 });
    expect(res.stdout.toString()).toBe('out');
    expect(res.exitCode).toBe(3);
    expect(seen['ExecSync']).toEqual({ containerId: 'c1', cmd: ['sh', '-c', 'exit 3'], timeout: 2 });
    expect(await cri.runtime.exec({ containerId: 'c1', cmd: ['sh'], stdout: true })).toEqual({
      url: 'http://127.0.0.1:40000/exec/abc',
    });
  });

  it('reports runtime errors as CriError with the gRPC code and Go-style text', async () => {
    const err = await cri.runtime.containerStatus({ containerId: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CriError);
    expect(isNotFound(err)).toBe(true);
    const e = err as CriError;
    expect(e.code).toBe(CriCode.NOT_FOUND);
    expect(e.codeName).toBe('NotFound');
    expect(e.rpc).toBe('RuntimeService/ContainerStatus');
    expect(e.message).toBe('rpc error: code = NotFound desc = container "nope" not found');
  });

  it('gives up at the deadline', async () => {
    const started = Date.now();
    const err = await cri.runtime
      .stopContainer({ containerId: 'c', timeout: 0 }, { timeoutMs: 200 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CriError);
    expect((err as CriError).code).toBe(CriCode.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('is cancelled by an AbortSignal; StopContainer waits its own timeout on top of the default', async () => {
    const short = connectCri(socket, { timeoutMs: 300 });
    try {
      const started = Date.now();
      const ac = new AbortController();
      const pending = short.runtime.stopContainer({ containerId: 'c', timeout: 1 }).catch((e: unknown) => e);
      setTimeout(() => ac.abort(), 50);
      const aborted = short.runtime
        .stopContainer({ containerId: 'c' }, { signal: ac.signal })
        .catch((e: unknown) => e);
      expect(((await aborted) as CriError).code).toBe(CriCode.CANCELLED);
      // the other call still runs into its own deadline: 1 s + the default 0.3 s
      const other = (await pending) as CriError;
      expect(other.code).toBe(CriCode.DEADLINE_EXCEEDED);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1200);
    } finally {
      short.close();
    }
  });

  it('fails fast with Unavailable when nothing listens', async () => {
    const none = connectCri(path.join(dir, 'missing.sock'), { timeoutMs: 5000 });
    try {
      const err = await none.runtime.version().catch((e: unknown) => e);
      expect((err as CriError).code).toBe(CriCode.UNAVAILABLE);
    } finally {
      none.close();
    }
  });

  it('connects again after the runtime restarted, and refuses answers over the size limit', async () => {
    const sock = path.join(dir, 'restart.sock');
    const version = { version: '0.1.0', runtimeName: 'fake', runtimeVersion: '1', runtimeApiVersion: 'v1' };
    let first = await fakeRuntime(sock, { Version: () => version });
    const small = connectCri(sock, { timeoutMs: 5000, maxMessageBytes: 64 });
    try {
      expect((await small.runtime.version()).runtimeVersion).toBe('1');
      first.forceShutdown();
      fs.rmSync(sock, { force: true });
      first = await fakeRuntime(sock, {
        Version: () => ({ ...version, runtimeVersion: '2' }),
        Status: () => ({ info: { big: 'x'.repeat(1000) } }),
      });
      const again = await pollVersion(small);
      expect(again.runtimeVersion).toBe('2');
      const err = (await small.runtime.status().catch((e: unknown) => e)) as CriError;
      expect(err.code).toBe(CriCode.RESOURCE_EXHAUSTED);
    } finally {
      small.close();
      first.forceShutdown();
    }
  });
});

/** Version, retried while the runtime is not (yet) reachable. */
async function pollVersion(cri: CriConnection): Promise<{ runtimeVersion: string }> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      return await cri.runtime.version();
    } catch (err) {
      if (!isCriError(err, CriCode.UNAVAILABLE) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
