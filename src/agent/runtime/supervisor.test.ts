/**
 * The containerd supervisor against a stand-in binary (a small Node script that speaks CRI Version
 * on the socket of the generated config), so start, readiness, restart, orphan handling and stop are
 * tested without root or a real containerd.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CRI_PROTO_PATH } from '../cri/proto.js';
import { writeContainerdConfig } from './config.js';
import { Containerd, type ContainerdOptions } from './containerd.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The stand-in: FAKE_MODE=ok serves Version, exit dies at once, nocri answers without CRI. */
const FAKE = `#!${process.execPath}
const { createRequire } = require('node:module');
const req = createRequire(process.env.FAKE_REPO + '/package.json');
const grpc = req('@grpc/grpc-js');
const loader = req('@grpc/proto-loader');
const fs = require('node:fs');
const config = fs.readFileSync(process.argv[process.argv.indexOf('--config') + 1], 'utf8');
const socket = JSON.parse(/\\[grpc\\]\\n\\s*address = ("[^"]*")/.exec(config)[1]);
const log = (level, msg) => process.stderr.write('time="2026-01-01T00:00:00Z" level=' + level + ' msg=' + JSON.stringify(msg) + ' pid=' + process.pid + '\\n');
log('info', 'starting containerd');
if (process.env.FAKE_MODE === 'exit') { log('fatal', 'failed to start: boom'); process.exit(1); }
const server = new grpc.Server();
if (process.env.FAKE_MODE !== 'nocri') {
  const def = loader.loadSync(process.env.FAKE_PROTO, { keepCase: false, longs: Number, enums: String, defaults: true });
  server.addService(def['runtime.v1.RuntimeService'], {
    Version: (_call, cb) => cb(null, { version: '0.1.0', runtimeName: 'fake', runtimeVersion: '0', runtimeApiVersion: 'v1' }),
  });
} else {
  log('warning', 'failed to load plugin io.containerd.grpc.v1.cri');
}
try { fs.unlinkSync(socket); } catch {}
server.bindAsync('unix://' + socket, grpc.ServerCredentials.createInsecure(), () => log('info', 'serving...'));
process.on('SIGTERM', () => { log('info', 'Stop CRI service'); process.exit(0); });
setInterval(() => {}, 1000);
`;

function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (check()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 20);
    };
    tick();
  });
}

function running(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('Containerd supervisor', () => {
  let dir: string;
  let binary: string;
  let logs: string[];
  const started: Containerd[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-supervisor-'));
    binary = path.join(dir, 'containerd');
    fs.writeFileSync(binary, FAKE, { mode: 0o755 });
    logs = [];
  });

  afterEach(async () => {
    for (const c of started.splice(0)) await c.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function make(mode: string, extra: Partial<ContainerdOptions> = {}): Containerd {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(chunk.toString());
        done();
      },
    });
    const c = new Containerd({
      dataDir: path.join(dir, 'data'),
      binary,
      disableApparmor: true,
      env: { ...process.env, FAKE_MODE: mode, FAKE_REPO: REPO, FAKE_PROTO: CRI_PROTO_PATH },
      logger: pino({ level: 'debug' }, sink),
      restartBackoff: { initialMs: 50, maxMs: 200 },
      readyTimeoutMs: 10_000,
      stopTimeoutMs: 2000,
      ...extra,
    });
    started.push(c);
    return c;
  }

  it('starts, waits for CRI, logs its output, and stops by PID', async () => {
    const c = make('ok');
    await c.start();
    const pid = c.pid;
    expect(running(pid)).toBe(true);
    expect(fs.readFileSync(c.paths.pidFile, 'utf8').trim()).toBe(String(pid));
    expect(fs.readFileSync(c.paths.configFile, 'utf8')).toContain(`address = "${c.paths.socket}"`);
    expect(c.endpoint).toBe(`unix://${c.paths.socket}`);
    await waitFor('the serving line', () => logs.some((l) => l.includes('serving...')));
    const line = JSON.parse(logs.find((l) => l.includes('starting containerd')) ?? '{}') as Record<
      string,
      unknown
    >;
    expect(line).toMatchObject({
      level: 20,
      msg: 'starting containerd',
      containerdLevel: 'info',
      containerd_pid: String(pid),
    });
    await c.stop();
    expect(running(pid)).toBe(false);
    expect(c.pid).toBeUndefined();
    expect(fs.existsSync(c.paths.pidFile)).toBe(false);
    expect(c.restarts).toBe(0);
  });

  it('leaves no timer behind once stopped (a pending one would hold the process open)', async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const c = make('ok', { stopTimeoutMs: 60_000 });
    await c.start();
    const before = timers();
    await c.stop();
    expect(timers()).toBeLessThan(before + 1);
  });

  it('restarts it with backoff when it dies, until stopped', async () => {
    const c = make('ok');
    await c.start();
    for (let i = 1; i <= 2; i++) {
      // (the second death comes right after the first restart: the delay doubles)
      const old = c.pid;
      const ready = new Promise<void>((resolve) => c.once('ready', () => resolve()));
      process.kill(old ?? 0, 'SIGKILL');
      await ready;
      expect(c.restarts).toBe(i);
      expect(c.pid).not.toBe(old);
      expect(running(c.pid)).toBe(true);
    }
    expect(logs.some((l) => l.includes('containerd exited unexpectedly; restarting it'))).toBe(true);
    const last = c.pid;
    await c.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(running(last)).toBe(false);
    expect(c.pid).toBeUndefined();
    expect(c.restarts).toBe(2);
  });

  it('stops a containerd an earlier agent left running before it starts', async () => {
    const c = make('ok');
    // what a killed agent leaves: a running containerd with our config, and its PID file
    const paths = writeContainerdConfig({ dataDir: path.join(dir, 'data'), disableApparmor: true });
    const orphan = spawn(binary, ['--config', paths.configFile], {
      env: { ...process.env, FAKE_MODE: 'ok', FAKE_REPO: REPO, FAKE_PROTO: CRI_PROTO_PATH },
      stdio: 'ignore',
    });
    try {
      fs.writeFileSync(paths.pidFile, `${orphan.pid}\n`);
      await waitFor('the orphan to listen', () => fs.existsSync(paths.socket));
      await c.start();
      expect(running(orphan.pid)).toBe(false);
      expect(running(c.pid)).toBe(true);
      expect(logs.some((l) => l.includes('stopping a containerd left running by an earlier agent'))).toBe(
        true,
      );
    } finally {
      orphan.kill('SIGKILL');
    }
  });

  it('leaves an unrelated process with the PID of the PID file alone', async () => {
    const other = spawn('sleep', ['30']);
    try {
      const c = make('ok');
      fs.mkdirSync(c.paths.dir, { recursive: true });
      fs.writeFileSync(c.paths.pidFile, `${other.pid}\n`);
      await c.start();
      expect(running(other.pid)).toBe(true);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('fails the start with its last output when it exits', async () => {
    const c = make('exit');
    await expect(c.start()).rejects.toThrow(
      /containerd exited \(code 1, signal null\) before it answered; last output:\n.*failed to start: boom/s,
    );
    expect(c.pid).toBeUndefined();
    expect(c.restarts).toBe(0);
  });

  it('fails the start at once when containerd runs without its CRI plugin', async () => {
    const c = make('nocri');
    const t0 = Date.now();
    await expect(c.start()).rejects.toThrow(
      /containerd runs without its CRI plugin: .*failed to load plugin io.containerd.grpc.v1.cri/,
    );
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(c.pid).toBeUndefined();
  });
});
