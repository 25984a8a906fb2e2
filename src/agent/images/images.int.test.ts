/**
 * Images against a real containerd (a child process with its own root, state and socket in a temp
 * dir, laid out like the agent's data dir so `k8ts images import --data-dir` finds it) and a real
 * registry on loopback. Runs as root. Everything it starts is stopped by PID; containers it runs are
 * removed before containerd stops.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureTestImages,
  startRegistry,
  type TestImages,
  type TestRegistry,
} from '../../../test/support/registry.js';
import { importAirgapDir } from './airgap.js';
import { listImageNames, runCtr, type CtrOptions } from './ctr.js';
import { writeHostsDir } from './hosts-toml.js';
import { ensurePauseImage, PAUSE_IMAGE } from './pause.js';
import { credentialsFromSecrets } from './pull-secrets.js';
import { parseRegistriesConfig } from './registries.js';

const exec = promisify(execFile);
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

interface TestContainerd {
  dataDir: string;
  socket: string;
  certsDir: string;
  ctr: CtrOptions;
  output(): string;
  stop(): Promise<void>;
}

/** Starts containerd with a minimal config under `<dataDir>/agent/containerd`; waits until it answers. */
async function startContainerd(): Promise<TestContainerd> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-img-'));
  const base = path.join(dataDir, 'agent', 'containerd');
  const certsDir = path.join(dataDir, 'agent', 'etc', 'certs.d');
  const cniDir = path.join(dataDir, 'agent', 'cni');
  fs.mkdirSync(base, { recursive: true });
  fs.mkdirSync(cniDir, { recursive: true });
  const socket = path.join(base, 'containerd.sock');
  const config = path.join(base, 'containerd.toml');
  const q = JSON.stringify;
  fs.writeFileSync(
    config,
    [
      'version = 2',
      `root = ${q(path.join(base, 'root'))}`,
      `state = ${q(path.join(base, 'state'))}`,
      'disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]',
      '[grpc]',
      `  address = ${q(socket)}`,
      '[plugins."io.containerd.grpc.v1.cri"]',
      `  sandbox_image = ${q(PAUSE_IMAGE)}`,
      '  restrict_oom_score_adj = true',
      '  [plugins."io.containerd.grpc.v1.cri".registry]',
      `    config_path = ${q(certsDir)}`,
      '  [plugins."io.containerd.grpc.v1.cri".cni]',
      '    bin_dir = "/usr/lib/cni"',
      `    conf_dir = ${q(cniDir)}`,
      '',
    ].join('\n'),
  );
  let out = '';
  const child: ChildProcess = spawn('containerd', ['--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (c: Buffer): void => {
    out = (out + c.toString()).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const ctr: CtrOptions = { socket, timeoutMs: 60_000 };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`containerd exited with code ${child.exitCode}: ${out}`);
    try {
      await exec('ctr', ['-a', socket, '--connect-timeout', '1s', 'version'], { timeout: 5000 });
      break;
    } catch (e) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`containerd did not answer on ${socket}: ${String(e)}; output: ${out.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { dataDir, socket, certsDir, ctr, output: () => out, stop };
}

/** Runs a container to completion (or detached) and removes it; returns its stdout. */
async function runContainer(c: TestContainerd, image: string, id: string, args: string[]): Promise<string> {
  return runCtr(c.ctr, ['run', '--rm', image, id, ...args]);
}

/** Removes a container and its task, whatever state they are in. */
async function removeContainer(c: TestContainerd, id: string): Promise<void> {
  await runCtr(c.ctr, ['task', 'kill', '-s', 'SIGKILL', id]).catch(() => undefined);
  await runCtr(c.ctr, ['task', 'rm', '-f', id]).catch(() => undefined);
  await runCtr(c.ctr, ['containers', 'rm', id]).catch(() => undefined);
}

/** Polls `ctr task ls` until the task has the status (bounded). */
async function waitTask(c: TestContainerd, id: string, status: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  let last = '';
  while (Date.now() < deadline) {
    last = await runCtr(c.ctr, ['task', 'ls']);
    if (last.split('\n').some((l) => l.startsWith(id) && l.includes(status))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`task ${id} did not reach ${status}; ctr task ls: ${last}`);
}

describe('images with a real containerd', () => {
  let c: TestContainerd;
  let images: TestImages;
  const registries: TestRegistry[] = [];
  const containers: string[] = [];

  beforeAll(async () => {
    images = await ensureTestImages();
    c = await startContainerd();
  });

  afterAll(async () => {
    for (const id of containers) if (c) await removeContainer(c, id);
    for (const r of registries) await r.stop();
    await c?.stop();
  });

  it('builds the pause image when containerd lacks it, and it runs', async () => {
    expect(await listImageNames(c.ctr)).not.toContain(PAUSE_IMAGE);
    expect(await ensurePauseImage(c.ctr)).toEqual({ image: PAUSE_IMAGE, imported: true });
    expect(await listImageNames(c.ctr)).toContain(PAUSE_IMAGE);
    const ls = await runCtr(c.ctr, ['images', 'ls']);
    expect(ls).toMatch(new RegExp(`^${PAUSE_IMAGE.replace(/\./g, '\\.')}\\s.*linux/`, 'm'));
    expect(await ensurePauseImage(c.ctr)).toEqual({ image: PAUSE_IMAGE, imported: false });

    // It pauses until told to stop.
    const id = 'k8ts-pause-check';
    containers.push(id);
    await runCtr(c.ctr, ['run', '-d', PAUSE_IMAGE, id]);
    await waitTask(c, id, 'RUNNING');
    await runCtr(c.ctr, ['task', 'kill', '-s', 'SIGTERM', id]);
    await waitTask(c, id, 'STOPPED');
    await removeContainer(c, id);
  });

  it('k8ts images import loads a busybox archive into the agent containerd', async () => {
    const bin = path.join(REPO_ROOT, 'bin', 'k8ts.js');
    expect(fs.existsSync(path.join(REPO_ROOT, 'dist', 'cli', 'images.js')), 'run `npm run build` first').toBe(
      true,
    );
    const gz = path.join(c.dataDir, 'busybox.tar.gz');
    fs.writeFileSync(gz, gzipSync(fs.readFileSync(images.busybox)));
    const { stdout, stderr } = await exec('node', [bin, 'images', 'import', '--data-dir', c.dataDir, gz], {
      timeout: 60_000,
    });
    expect(stderr).toBe('');
    expect(stdout).toMatch(
      /^imported k8ts\.local\/busybox:1 \(sha256:[0-9a-f]{64}\) from .*busybox\.tar\.gz\n$/,
    );
    expect(await listImageNames(c.ctr)).toContain('k8ts.local/busybox:1');
    containers.push('k8ts-busybox-check');
    expect(
      await runContainer(c, 'k8ts.local/busybox:1', 'k8ts-busybox-check', [
        'sh',
        '-c',
        'echo hi from $(id -u)',
      ]),
    ).toBe('hi from 0\n');

    const bad = path.join(c.dataDir, 'bad.tar');
    fs.writeFileSync(bad, 'not an archive');
    const failed = await exec('node', [bin, 'images', 'import', '--data-dir', c.dataDir, bad]).then(
      () => undefined,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toBe(
      `error: ${bad}: not an image archive (want a tar of an OCI layout or of docker save, optionally gzip- or zstd-compressed)\n`,
    );
  });

  it('imports the airgap images directory once', async () => {
    const dir = path.join(c.dataDir, 'agent', 'images');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(images.busybox, path.join(dir, 'busybox.tar'));
    await runCtr(c.ctr, ['images', 'rm', 'k8ts.local/busybox:1']).catch(() => undefined);
    const first = await importAirgapDir(dir, c.ctr);
    expect(first.imported.map((r) => [path.basename(r.file), r.error, r.images.map((i) => i.name)])).toEqual([
      ['busybox.tar', undefined, ['k8ts.local/busybox:1']],
    ]);
    expect(await importAirgapDir(dir, c.ctr)).toEqual({
      imported: [],
      unchanged: [path.join(dir, 'busybox.tar')],
    });
  });

  it('pulls from a loopback registry over plain HTTP', async () => {
    const reg = await startRegistry();
    registries.push(reg);
    const name = await reg.push(`oci-archive:${images.busybox}:1`, 'busybox:1');
    await runCtr(c.ctr, ['images', 'pull', '--plain-http', name]);
    expect(await listImageNames(c.ctr)).toContain(name);
  });

  it('pulls through a mirror from the registries file (containerd hosts directory)', async () => {
    const reg = await startRegistry();
    registries.push(reg);
    await reg.push(`oci-archive:${images.busybox}:1`, 'team/busybox:1');
    // A registry name that only exists through its mirror (loopback, so a fallback stays local too).
    const config = parseRegistriesConfig(
      `mirrors:\n  "127.0.0.2:5999":\n    endpoint: ["http://${reg.host}"]\n  "*":\n    endpoint: ["http://${reg.host}"]\n`,
    );
    expect(await writeHostsDir(c.certsDir, config)).toEqual(['_default', '127.0.0.2:5999']);
    for (const image of ['127.0.0.2:5999/team/busybox:1', '127.0.0.3:5999/team/busybox:1']) {
      await runCtr(c.ctr, ['images', 'pull', '--hosts-dir', c.certsDir, image]);
      expect(await listImageNames(c.ctr)).toContain(image);
    }
  });

  it('pulls a private image with the credentials of a pull secret', async () => {
    const user = { username: 'alice', password: 'wonder-land' };
    const reg = await startRegistry({ auth: user });
    registries.push(reg);
    const name = await reg.push(`oci-archive:${images.busybox}:1`, 'private/busybox:1');
    await expect(runCtr(c.ctr, ['images', 'pull', '--plain-http', name])).rejects.toThrow('401 Unauthorized');

    const secret = {
      metadata: { name: 'regcred', namespace: 'default' },
      type: 'kubernetes.io/dockerconfigjson',
      data: {
        '.dockerconfigjson': Buffer.from(JSON.stringify({ auths: { [reg.host]: user } })).toString('base64'),
      },
    };
    const [auth] = credentialsFromSecrets(name, [secret]);
    expect(auth).toEqual(user);
    await runCtr(c.ctr, [
      'images',
      'pull',
      '--plain-http',
      '--user',
      `${auth?.username}:${auth?.password}`,
      name,
    ]);
    expect(await listImageNames(c.ctr)).toContain(name);
  });
});
