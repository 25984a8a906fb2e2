import { lstat, readFile, readdir, readlink, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { timestampPrefix, validatePayloadPath, writeAtomic, type Payload } from './atomic-writer.js';
import { tempDir } from './testing/fakes.js';

const file = (data: string, mode = 0o644) => ({ data: Buffer.from(data), mode });

describe('writeAtomic', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => cleanup());

  const versions = async () => (await readdir(dir)).filter((n) => /^\.\.\d{4}_/.test(n));

  it('writes a version directory, a ..data link and one visible link per top-level name', async () => {
    const payload: Payload = new Map([
      ['app.conf', file('a=1\n')],
      ['nested/deep/x', file('x', 0o600)],
      ['nested/y', file('y', 0o400)],
    ]);
    const now = new Date(Date.UTC(2026, 10, 29, 10, 0, 0, 123));
    expect(await writeAtomic(dir, payload, { now: () => now })).toBe(true);

    const data = await readlink(path.join(dir, '..data'));
    expect(data).toMatch(/^\.\.2026_11_29_10_00_00\.\d+$/);
    expect((await stat(path.join(dir, data))).mode & 0o777).toBe(0o755);
    expect(await readlink(path.join(dir, 'app.conf'))).toBe('..data/app.conf');
    expect(await readlink(path.join(dir, 'nested'))).toBe('..data/nested');
    expect((await lstat(path.join(dir, 'nested'))).isSymbolicLink()).toBe(true);
    expect(await readFile(path.join(dir, 'app.conf'), 'utf8')).toBe('a=1\n');
    expect(await readFile(path.join(dir, 'nested/deep/x'), 'utf8')).toBe('x');
    expect((await stat(path.join(dir, 'nested/deep/x'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, 'nested/y'))).mode & 0o777).toBe(0o400);
    expect((await readdir(dir)).sort()).toEqual([data, '..data', 'app.conf', 'nested'].sort());
  });

  it('leaves everything untouched when content and modes are unchanged', async () => {
    const payload: Payload = new Map([['k', file('v')]]);
    await writeAtomic(dir, payload);
    const before = await readlink(path.join(dir, '..data'));
    const linkIno = (await lstat(path.join(dir, '..data'))).ino;
    expect(await writeAtomic(dir, new Map([['k', file('v')]]))).toBe(false);
    expect(await readlink(path.join(dir, '..data'))).toBe(before);
    expect((await lstat(path.join(dir, '..data'))).ino).toBe(linkIno);
    expect(await versions()).toEqual([before]);
  });

  it('swaps ..data to a new version when content changes, and removes the old version', async () => {
    await writeAtomic(dir, new Map([['k', file('old')]]));
    const first = await readlink(path.join(dir, '..data'));
    const visible = (await lstat(path.join(dir, 'k'))).ino;
    expect(await writeAtomic(dir, new Map([['k', file('new')]]))).toBe(true);
    const second = await readlink(path.join(dir, '..data'));
    expect(second).not.toBe(first);
    expect(await versions()).toEqual([second]);
    expect(await readFile(path.join(dir, 'k'), 'utf8')).toBe('new');
    // The user-visible link itself is not replaced.
    expect((await lstat(path.join(dir, 'k'))).ino).toBe(visible);
  });

  it('writes a new version when only a mode changes', async () => {
    await writeAtomic(dir, new Map([['k', file('v', 0o644)]]));
    const first = await readlink(path.join(dir, '..data'));
    expect(await writeAtomic(dir, new Map([['k', file('v', 0o400)]]))).toBe(true);
    expect(await readlink(path.join(dir, '..data'))).not.toBe(first);
    expect((await stat(path.join(dir, 'k'))).mode & 0o777).toBe(0o400);
  });

  it('removes the visible links of keys that went away', async () => {
    await writeAtomic(
      dir,
      new Map([
        ['a', file('1')],
        ['b', file('2')],
        ['d/e', file('3')],
      ]),
    );
    await writeAtomic(dir, new Map([['a', file('1')]]));
    expect((await readdir(dir)).filter((n) => !n.startsWith('..'))).toEqual(['a']);
  });

  it('cleans up version directories left by an interrupted write', async () => {
    await mkdir(path.join(dir, '..2020_01_01_00_00_00.42'));
    await writeAtomic(dir, new Map([['a', file('1')]]));
    expect(await versions()).toEqual([await readlink(path.join(dir, '..data'))]);
  });

  it('writes an empty payload as an empty version', async () => {
    expect(await writeAtomic(dir, new Map())).toBe(true);
    expect(await readdir(path.join(dir, '..data'))).toEqual([]);
    expect(await writeAtomic(dir, new Map())).toBe(false);
  });

  it('rejects paths outside the volume or in the reserved namespace', async () => {
    await expect(writeAtomic(dir, new Map([['../x', file('1')]]))).rejects.toThrow(
      "invalid path: must not contain '..': ../x",
    );
    expect(() => validatePayloadPath('/etc/x')).toThrow('invalid path: must be relative path: /etc/x');
    expect(() => validatePayloadPath('..data')).toThrow("invalid path: must not start with '..': ..data");
    expect(() => validatePayloadPath('')).toThrow('invalid path: must not be empty: ""');
    expect(() => validatePayloadPath('x'.repeat(256))).toThrow('filenames must be less than or equal to 255');
    expect(await readdir(dir)).toEqual([]);
  });

  it('names versions with a UTC timestamp', () => {
    expect(timestampPrefix(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)))).toBe('..2026_01_02_03_04_05.');
  });
});
