import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { chmod, mkdir, readFile, realpath, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeAtomic } from './atomic-writer.js';
import {
  ContainerMountError,
  containerMounts,
  expandSubPathExpr,
  mountPropagation,
} from './container-mounts.js';
import { FakeMounter, tempDir } from './testing/fakes.js';
import type { MountedVolume } from './types.js';

const pod: Pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [] } };
const noEnv = (_name: string): string | undefined => undefined;

describe('containerMounts', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let data: string;
  let cfg: string;
  let outside: string;
  let volumes: Map<string, MountedVolume>;

  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
    root = await realpath(root);
    data = path.join(root, 'vol/data');
    cfg = path.join(root, 'vol/cfg');
    outside = path.join(root, 'outside');
    await mkdir(data, { recursive: true });
    await chmod(data, 0o777);
    await mkdir(cfg, { recursive: true });
    await mkdir(outside);
    await writeFile(path.join(outside, 'secret.txt'), 'host data');
    await writeAtomic(cfg, new Map([['app.conf', { data: Buffer.from('x=1'), mode: 0o644 }]]));
    volumes = new Map<string, MountedVolume>([
      ['data', { hostPath: data, readOnly: false, plugin: 'kubernetes.io~empty-dir' }],
      ['cfg', { hostPath: cfg, readOnly: true, plugin: 'kubernetes.io~configmap' }],
    ]);
  });
  afterEach(async () => cleanup());

  const container = (volumeMounts: Container['volumeMounts']): Container => ({
    name: 'app',
    image: 'x',
    volumeMounts,
  });
  const fails = async (c: Container, lookup = noEnv) => {
    try {
      await containerMounts(pod, c, volumes, lookup);
    } catch (err) {
      expect(err).toBeInstanceOf(ContainerMountError);
      return (err as Error).message;
    }
    throw new Error('expected a ContainerMountError');
  };

  it('maps volume mounts with read-only and propagation as upstream', async () => {
    const mounts = await containerMounts(
      pod,
      container([
        { name: 'data', mountPath: '/data' },
        { name: 'data', mountPath: '/ro', readOnly: true, mountPropagation: 'HostToContainer' },
        { name: 'cfg', mountPath: '/etc/app', mountPropagation: 'None' },
        { name: 'data', mountPath: '/shared', mountPropagation: 'Bidirectional' },
      ]),
      volumes,
      noEnv,
    );
    expect(mounts).toEqual([
      { containerPath: '/data', hostPath: data, readonly: false, propagation: 'PROPAGATION_PRIVATE' },
      { containerPath: '/ro', hostPath: data, readonly: true, propagation: 'PROPAGATION_HOST_TO_CONTAINER' },
      { containerPath: '/etc/app', hostPath: cfg, readonly: true, propagation: 'PROPAGATION_PRIVATE' },
      { containerPath: '/shared', hostPath: data, readonly: false, propagation: 'PROPAGATION_BIDIRECTIONAL' },
    ]);
  });

  it('rejects an unknown volume and an unknown propagation mode', async () => {
    expect(await fails(container([{ name: 'nope', mountPath: '/x' }]))).toBe(
      'cannot find volume "nope" to mount into container "app"',
    );
    expect(() => mountPropagation('Sideways')).toThrow('invalid MountPropagation mode: "Sideways"');
  });

  it('creates a missing subPath directory inside the volume with the volume mode', async () => {
    const [m] = await containerMounts(
      pod,
      container([{ name: 'data', mountPath: '/x', subPath: 'a/b' }]),
      volumes,
      noEnv,
    );
    expect(m?.hostPath).toBe(path.join(data, 'a/b'));
    expect((await stat(path.join(data, 'a/b'))).isDirectory()).toBe(true);
    expect((await stat(path.join(data, 'a'))).mode & 0o777).toBe(0o777);
  });

  it('resolves a subPath to one file of a configMap volume', async () => {
    const [m] = await containerMounts(
      pod,
      container([{ name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf' }]),
      volumes,
      noEnv,
    );
    expect(m?.hostPath).toMatch(new RegExp(`^${cfg}/\\.\\.2\\d{3}_.*/app\\.conf$`));
    expect(await readFile(m?.hostPath ?? '', 'utf8')).toBe('x=1');
    expect(m?.readonly).toBe(true);
  });

  it('allows symlinks that stay inside the volume', async () => {
    await mkdir(path.join(data, 'real'));
    await symlink('real', path.join(data, 'alias'));
    const [m] = await containerMounts(
      pod,
      container([{ name: 'data', mountPath: '/x', subPath: 'alias' }]),
      volumes,
      noEnv,
    );
    expect(m?.hostPath).toBe(path.join(data, 'real'));
  });

  it('refuses absolute subPaths and backsteps with upstream messages', async () => {
    expect(await fails(container([{ name: 'data', mountPath: '/x', subPath: '/etc' }]))).toBe(
      'error SubPath `/etc` must not be an absolute path',
    );
    expect(await fails(container([{ name: 'data', mountPath: '/x', subPath: 'a/../../etc' }]))).toBe(
      "unable to provision SubPath `a/../../etc`: must not contain '..'",
    );
  });

  it('refuses a subPath that is a symlink out of the volume', async () => {
    await symlink(outside, path.join(data, 'escape'));
    await symlink(path.join(outside, 'secret.txt'), path.join(data, 'file-escape'));
    const msg = 'failed to prepare subPath for volumeMount "data" of container "app"';
    expect(await fails(container([{ name: 'data', mountPath: '/x', subPath: 'escape' }]))).toBe(msg);
    expect(await fails(container([{ name: 'data', mountPath: '/x', subPath: 'file-escape' }]))).toBe(msg);
    // The reason is kept for the agent's log, not shown to the user.
    try {
      await containerMounts(
        pod,
        container([{ name: 'data', mountPath: '/x', subPath: 'escape' }]),
        volumes,
        noEnv,
      );
    } catch (err) {
      expect(String((err as Error).cause)).toContain('not within volume path');
    }
  });

  it('refuses to create directories through a symlink out of the volume', async () => {
    await symlink(outside, path.join(data, 'escape'));
    await symlink(path.join(outside, 'missing'), path.join(data, 'dangling'));
    const msg = 'failed to create subPath directory for volumeMount "data" of container "app"';
    expect(await fails(container([{ name: 'data', mountPath: '/x', subPath: 'escape/new' }]))).toBe(msg);
    expect(await fails(container([{ name: 'data', mountPath: '/x', subPath: 'dangling' }]))).toBe(msg);
    await expect(stat(path.join(outside, 'new'))).rejects.toThrow();
    await expect(stat(path.join(outside, 'missing'))).rejects.toThrow();
  });

  it('expands subPathExpr from the container environment', async () => {
    const env: Record<string, string> = { POD_NAME: 'web-0', EMPTY: '' };
    const lookup = (n: string) => env[n];
    const [m] = await containerMounts(
      pod,
      container([{ name: 'data', mountPath: '/logs', subPathExpr: 'logs/$(POD_NAME)' }]),
      volumes,
      lookup,
    );
    expect(m?.hostPath).toBe(path.join(data, 'logs/web-0'));
    expect(
      await fails(container([{ name: 'data', mountPath: '/x', subPathExpr: '$(NOPE)/$(EMPTY)' }]), lookup),
    ).toBe('missing value for EMPTY, NOPE');
    expect(expandSubPathExpr('a/$$(X)', lookup)).toBe('a/$(X)');
  });

  it('bind-mounts subPaths under volume-subpaths when given a mounter', async () => {
    const mounter = new FakeMounter();
    const podDir = path.join(root, 'pod');
    const mounts = await containerMounts(
      pod,
      container([
        { name: 'data', mountPath: '/d' },
        { name: 'data', mountPath: '/x', subPath: 'sub' },
        { name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf' },
      ]),
      volumes,
      noEnv,
      { podDir, mounter },
    );
    const dirTarget = path.join(podDir, 'volume-subpaths/data/app/1');
    const fileTarget = path.join(podDir, 'volume-subpaths/cfg/app/2');
    expect(mounts.map((m) => m.hostPath)).toEqual([data, dirTarget, fileTarget]);
    expect(mounter.calls).toEqual([
      {
        op: 'bind',
        source: expect.stringMatching(new RegExp(`^/proc/${process.pid}/fd/\\d+$`)),
        target: dirTarget,
      },
      {
        op: 'bind',
        source: expect.stringMatching(new RegExp(`^/proc/${process.pid}/fd/\\d+$`)),
        target: fileTarget,
      },
    ]);
    expect((await stat(dirTarget)).isDirectory()).toBe(true);
    expect((await stat(fileTarget)).isFile()).toBe(true);
  });
});
