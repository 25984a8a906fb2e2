import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkHostPath } from './host-path.js';
import { tempDir } from './testing/fakes.js';

/** A block device on this machine, if any (loop devices exist on most Linux hosts). */
const blockDevice = readdirSync('/dev')
  .map((n) => `/dev/${n}`)
  .find((p) => {
    try {
      return statSync(p).isBlockDevice();
    } catch {
      return false;
    }
  });

describe('checkHostPath', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    await mkdir(path.join(dir, 'd'));
    await writeFile(path.join(dir, 'f'), 'x');
  });
  afterEach(async () => cleanup());

  it('accepts anything for an unset type, but not backsteps', async () => {
    await checkHostPath(path.join(dir, 'missing'), undefined);
    await checkHostPath(path.join(dir, 'missing'), '');
    await expect(checkHostPath('/var/../etc', undefined)).rejects.toThrow(
      "invalid HostPath `/var/../etc`: must not contain '..'",
    );
  });

  it('creates DirectoryOrCreate with mode 0755 and checks an existing one', async () => {
    const p = path.join(dir, 'new/deeper');
    await checkHostPath(p, 'DirectoryOrCreate');
    expect((await stat(p)).isDirectory()).toBe(true);
    expect((await stat(p)).mode & 0o777).toBe(0o755);
    await checkHostPath(p, 'DirectoryOrCreate');
    await expect(checkHostPath(path.join(dir, 'f'), 'DirectoryOrCreate')).rejects.toThrow(
      `hostPath type check failed: ${dir}/f is not a directory`,
    );
  });

  it('checks Directory', async () => {
    await checkHostPath(path.join(dir, 'd'), 'Directory');
    await expect(checkHostPath(path.join(dir, 'nope'), 'Directory')).rejects.toThrow(
      `hostPath type check failed: ${dir}/nope is not a directory`,
    );
  });

  it('creates FileOrCreate with mode 0644 (parent must exist) and checks File', async () => {
    const p = path.join(dir, 'created');
    await checkHostPath(p, 'FileOrCreate');
    expect((await stat(p)).isFile()).toBe(true);
    expect((await stat(p)).mode & 0o777).toBe(0o644);
    await checkHostPath(path.join(dir, 'f'), 'File');
    await expect(checkHostPath(path.join(dir, 'd'), 'FileOrCreate')).rejects.toThrow(
      `hostPath type check failed: ${dir}/d is not a file`,
    );
    await expect(checkHostPath(path.join(dir, 'no/parent'), 'FileOrCreate')).rejects.toThrow(
      `open ${dir}/no/parent: no such file or directory`,
    );
    await expect(checkHostPath(path.join(dir, 'nope'), 'File')).rejects.toThrow(
      `hostPath type check failed: ${dir}/nope is not a file`,
    );
  });

  it('checks Socket, CharDevice and BlockDevice', async () => {
    const sock = path.join(dir, 's.sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      await checkHostPath(sock, 'Socket');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    await expect(checkHostPath(path.join(dir, 'f'), 'Socket')).rejects.toThrow(
      `hostPath type check failed: ${dir}/f is not a socket file`,
    );
    await checkHostPath('/dev/null', 'CharDevice');
    await expect(checkHostPath(path.join(dir, 'f'), 'CharDevice')).rejects.toThrow(
      `hostPath type check failed: ${dir}/f is not a character device`,
    );
    if (blockDevice) await checkHostPath(blockDevice, 'BlockDevice');
    await expect(checkHostPath('/dev/null', 'BlockDevice')).rejects.toThrow(
      'hostPath type check failed: /dev/null is not a block device',
    );
  });

  it('rejects unknown types as upstream does', async () => {
    await expect(checkHostPath(path.join(dir, 'd'), 'Fifo')).rejects.toThrow(
      'Fifo is an invalid volume type',
    );
    expect(existsSync(path.join(dir, 'd'))).toBe(true);
  });
});
