import { createServer, type AddressInfo, type Server } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthServiceDefinition, type HealthCheckRequest, type HealthCheckResponse } from './grpc.js';
import { runProbe } from './probe.js';
import type { ExecInContainer, ProbeTarget } from './types.js';

function target(container: Partial<Container> = {}): ProbeTarget {
  const pod: Pod = { metadata: { name: 'web', namespace: 'default', uid: 'u1' } };
  return { pod, container: { name: 'web', ...container }, containerId: 'c1', podIP: '127.0.0.1' };
}

const noExec: ExecInContainer = () => Promise.reject(new Error('no exec in this test'));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe('tcpSocket probes', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('succeeds when a connection opens, by number or by port name', async () => {
    expect(await runProbe({ tcpSocket: { port } }, target(), noExec)).toEqual({
      result: 'success',
      output: '',
    });
    const named = target({ ports: [{ name: 'db', containerPort: port }] });
    expect((await runProbe({ tcpSocket: { port: 'db' } }, named, noExec)).result).toBe('success');
  });

  it('fails with the dial error when nothing listens', async () => {
    const free = await freePort();
    expect(await runProbe({ tcpSocket: { port: free } }, target(), noExec)).toEqual({
      result: 'failure',
      output: `dial tcp 127.0.0.1:${free}: connect: connection refused`,
    });
  });

  it('uses tcpSocket.host when set', async () => {
    const t = { ...target(), podIP: '' };
    expect((await runProbe({ tcpSocket: { port, host: '127.0.0.1' } }, t, noExec)).result).toBe('success');
  });

  it('rejects an out-of-range port as unknown', async () => {
    expect(await runProbe({ tcpSocket: { port: 70000 } }, target(), noExec)).toEqual({
      result: 'unknown',
      output: 'invalid port number: 70000',
    });
  });
});

describe('grpc probes', () => {
  const statuses = new Map<string, HealthCheckResponse['status']>([
    ['', 'SERVING'],
    ['db', 'NOT_SERVING'],
  ]);
  const userAgents: string[] = [];
  let server: grpc.Server;
  let bare: grpc.Server;
  let port = 0;
  let barePort = 0;

  const bind = (s: grpc.Server): Promise<number> =>
    new Promise((resolve, reject) =>
      s.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );

  beforeAll(async () => {
    server = new grpc.Server();
    server.addService(healthServiceDefinition(), {
      Check: (
        call: grpc.ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>,
        cb: grpc.sendUnaryData<HealthCheckResponse>,
      ) => {
        userAgents.push(String(call.metadata.get('user-agent')[0] ?? ''));
        const status = statuses.get(call.request.service);
        if (status === undefined) cb({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
        else cb(null, { status });
      },
    });
    port = await bind(server);
    // A gRPC server without the health service.
    bare = new grpc.Server();
    barePort = await bind(bare);
  });
  afterAll(() => {
    server.forceShutdown();
    bare.forceShutdown();
  });

  const probe = (p: number, service?: string): Probe => ({
    grpc: { port: p, ...(service !== undefined ? { service } : {}) },
    timeoutSeconds: 1,
  });

  it('succeeds when the server is SERVING', async () => {
    expect(await runProbe(probe(port), target(), noExec)).toEqual({
      result: 'success',
      output: 'service healthy',
    });
    expect(userAgents.at(-1)).toMatch(/^kube-probe\/1\.33/);
  });

  it('fails when the named service is not serving', async () => {
    expect(await runProbe(probe(port, 'db'), target(), noExec)).toEqual({
      result: 'failure',
      output: 'service unhealthy (responded with "NOT_SERVING")',
    });
  });

  it('fails with the rpc error for an unknown service', async () => {
    expect(await runProbe(probe(port, 'cache'), target(), noExec)).toEqual({
      result: 'failure',
      output: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service',
    });
  });

  it('fails when the server does not implement the health protocol', async () => {
    const out = await runProbe(probe(barePort), target(), noExec);
    expect(out.result).toBe('failure');
    expect(out.output).toMatch(
      /^error: this server does not implement the grpc health protocol \(grpc\.health\.v1\.Health\): /,
    );
  });

  it('fails after the timeout when nothing listens', async () => {
    const free = await freePort();
    expect(await runProbe(probe(free), target(), noExec)).toEqual({
      result: 'failure',
      output: `timeout: failed to connect service "127.0.0.1:${free}" within 1s: context deadline exceeded`,
    });
  });
});

describe('exec probes', () => {
  function fakeExec(
    answer: (
      cmd: string[],
      timeout: number,
    ) => { exitCode: number; stdout?: string; stderr?: string } | Error,
  ): { exec: ExecInContainer; calls: Array<{ id: string; cmd: string[]; timeout: number }> } {
    const calls: Array<{ id: string; cmd: string[]; timeout: number }> = [];
    const exec: ExecInContainer = (id, cmd, timeout) => {
      calls.push({ id, cmd, timeout });
      const a = answer(cmd, timeout);
      if (a instanceof Error) return Promise.reject(a);
      return Promise.resolve({
        exitCode: a.exitCode,
        stdout: Buffer.from(a.stdout ?? ''),
        stderr: Buffer.from(a.stderr ?? ''),
      });
    };
    return { exec, calls };
  }

  it('runs the command in the container with the probe timeout; exit 0 is success', async () => {
    const { exec, calls } = fakeExec(() => ({ exitCode: 0, stdout: 'fine\n', stderr: 'warn\n' }));
    const out = await runProbe(
      { exec: { command: ['cat', '/tmp/healthy'] }, timeoutSeconds: 3 },
      target(),
      exec,
    );
    expect(out).toEqual({ result: 'success', output: 'fine\nwarn\n' });
    expect(calls).toEqual([{ id: 'c1', cmd: ['cat', '/tmp/healthy'], timeout: 3 }]);
  });

  it('fails on a non-zero exit with the output', async () => {
    const { exec } = fakeExec(() => ({
      exitCode: 1,
      stderr: "cat: can't open '/tmp/healthy': No such file or directory\n",
    }));
    expect(await runProbe({ exec: { command: ['cat', '/tmp/healthy'] } }, target(), exec)).toEqual({
      result: 'failure',
      output: "cat: can't open '/tmp/healthy': No such file or directory\n",
    });
  });

  it('fails with upstream wording when the runtime reports a timeout', async () => {
    const deadline = Object.assign(new Error('rpc error: code = DeadlineExceeded desc = timeout'), {
      code: 4,
    });
    const { exec } = fakeExec(() => deadline);
    expect(await runProbe({ exec: { command: ['sh', '-c', 'sleep 10'] } }, target(), exec)).toEqual({
      result: 'failure',
      output: 'command "sh -c sleep 10" timed out',
    });
  });

  it('is unknown when the runtime cannot exec', async () => {
    const { exec } = fakeExec(() => new Error('rpc error: code = NotFound desc = container not found'));
    expect(await runProbe({ exec: { command: ['true'] } }, target(), exec)).toEqual({
      result: 'unknown',
      output: 'rpc error: code = NotFound desc = container not found',
    });
  });

  it("expands $(VAR) from the container's env", async () => {
    const { exec, calls } = fakeExec(() => ({ exitCode: 0 }));
    const c = target({
      env: [
        { name: 'PORT', value: '8080' },
        { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
      ],
    });
    await runProbe(
      { exec: { command: ['check', '$(PORT)', '$(TOKEN)', '$(MISSING)', '$$(PORT)'] } },
      c,
      exec,
    );
    expect(calls[0]?.cmd).toEqual(['check', '8080', '', '$(MISSING)', '$(PORT)']);
  });
});
