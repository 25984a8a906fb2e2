import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { hookFailureEvent, runHook } from './hooks.js';
import type { ExecInContainer, ProbeTarget } from './types.js';

const pod: Pod = { metadata: { name: 'web-1', namespace: 'default', uid: 'u-1' } };
const target: ProbeTarget = {
  pod,
  container: { name: 'web', ports: [{ name: 'http', containerPort: 1 }] },
  containerId: 'c1',
  podIP: '127.0.0.1',
};

const execAnswer =
  (exitCode: number, stdout = '', stderr = ''): ExecInContainer =>
  () =>
    Promise.resolve({ exitCode, stdout: Buffer.from(stdout), stderr: Buffer.from(stderr) });

describe('exec hooks', () => {
  it('succeed on exit 0, with no timeout of their own', async () => {
    const calls: number[] = [];
    const exec: ExecInContainer = (_id, _cmd, timeout) => {
      calls.push(timeout);
      return execAnswer(0)('', [], 0);
    };
    expect(await runHook({ exec: { command: ['touch', '/ready'] } }, target, exec)).toEqual({});
    expect(calls).toEqual([0]);
  });

  it('fail with the message upstream puts in FailedPostStartHook', async () => {
    const out = await runHook(
      { exec: { command: ['sh', '-c', 'echo nope; exit 2'] } },
      target,
      execAnswer(2, 'nope\n', 'bad\n'),
    );
    expect(out.error).toBe(
      'Exec lifecycle hook ([sh -c echo nope; exit 2]) for Container "web" in Pod "web-1_default(u-1)" failed' +
        ' - error: command \'sh -c echo nope; exit 2\' exited with 2: bad\n, message: "nope\\nbad\\n"',
    );
    expect(hookFailureEvent('postStart', out.error ?? '')).toEqual({
      reason: 'FailedPostStartHook',
      message: out.error,
    });
    expect(hookFailureEvent('preStop', out.error ?? '')).toEqual({
      reason: 'FailedPreStopHook',
      message: 'PreStopHook failed',
    });
  });

  it('fail with the runtime error when the command cannot run', async () => {
    const exec: ExecInContainer = () => Promise.reject(new Error('rpc error: code = NotFound desc = gone'));
    const out = await runHook({ exec: { command: ['true'] } }, target, exec);
    expect(out.error).toBe(
      'Exec lifecycle hook ([true]) for Container "web" in Pod "web-1_default(u-1)" failed - error: rpc error: code = NotFound desc = gone, message: ""',
    );
  });
});

describe('httpGet hooks', () => {
  const seen: Array<{ url: string; headers: http.IncomingHttpHeaders }> = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.statusCode = req.url === '/boom' ? 500 : 200;
    res.end('done');
  });
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('GET the pod IP with the lifecycle User-Agent', async () => {
    seen.length = 0;
    expect(await runHook({ httpGet: { path: '/drain', port } }, target, execAnswer(0))).toEqual({});
    expect(seen[0]?.url).toBe('/drain');
    expect(seen[0]?.headers['user-agent']).toBe('kube-lifecycle/1.33');
  });

  it('do not fail on an error status, as upstream', async () => {
    expect(await runHook({ httpGet: { path: '/boom', port } }, target, execAnswer(0))).toEqual({});
  });

  it('fail with the transport error', async () => {
    const s = http.createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const free = (s.address() as AddressInfo).port;
    await new Promise((resolve) => s.close(resolve));
    const out = await runHook({ httpGet: { path: '/drain', port: free } }, target, execAnswer(0));
    expect(out.error).toBe(
      `HTTP lifecycle hook (/drain) for Container "web" in Pod "web-1_default(u-1)" failed - error: ` +
        `Get "http://127.0.0.1:${free}/drain": dial tcp 127.0.0.1:${free}: connect: connection refused`,
    );
  });

  it('retry an HTTPS hook over HTTP when the server speaks plain HTTP, without Authorization', async () => {
    seen.length = 0;
    const out = await runHook(
      {
        httpGet: {
          path: '/drain',
          port,
          scheme: 'HTTPS',
          httpHeaders: [
            { name: 'Authorization', value: 'Bearer x' },
            { name: 'X-Kind', value: 'drain' },
          ],
        },
      },
      target,
      execAnswer(0),
    );
    expect(out).toEqual({
      warning: {
        reason: 'LifecycleHTTPFallback',
        message: `request to HTTPS lifecycle hook 127.0.0.1:${port} got HTTP response, retry with HTTP succeeded`,
      },
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers['authorization']).toBeUndefined();
    expect(seen[0]?.headers['x-kind']).toBe('drain');
  });
});

describe('sleep hooks', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('wait the given seconds', async () => {
    vi.useFakeTimers();
    let done = false;
    const run = runHook({ sleep: { seconds: 5 } }, target, execAnswer(0)).then((r) => {
      done = true;
      return r;
    });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await run).toEqual({});
  });

  it('fail when cut short', async () => {
    vi.useFakeTimers();
    const ac = new AbortController();
    const run = runHook({ sleep: { seconds: 30 } }, target, execAnswer(0), { signal: ac.signal });
    await vi.advanceTimersByTimeAsync(1_000);
    ac.abort();
    expect((await run).error).toBe(
      'Sleep lifecycle hook (30) for Container "web" in Pod "web-1_default(u-1)" failed - error: container terminated before sleep hook finished',
    );
  });
});

describe('tcpSocket hooks', () => {
  it('cannot run, as upstream', async () => {
    const out = await runHook({ tcpSocket: { port: 8080 } }, target, execAnswer(0));
    expect(out.error).toMatch(/^Cannot run handler: invalid handler: /);
  });
});
