/**
 * Atomic projection of a set of files into a volume directory, with upstream's on-disk layout so that
 * applications watching the volume (inotify on `..data`) behave the same as on any Kubernetes node:
 *
 *   <dir>/..2026_11_29_10_00_00.123456789/   the real files (one directory per version)
 *   <dir>/..data -> ..2026_11_29_10_00_00.123456789
 *   <dir>/<key>  -> ..data/<key>             user-visible entries (first path segment only)
 *
 * A new version is written into a fresh timestamped directory, then `..data` is switched to it with
 * one rename(2) of a temporary symlink, so readers see either the old or the new set, never a mix.
 * Nothing is written when every file already has the wanted content and mode.
 *
 * Independent file operations run in parallel: while many pods start, each await waits for a busy
 * event loop, and a version written one file operation after the other took hundreds of ms.
 */
import { randomInt } from 'node:crypto';
import {
  chmod,
  lstat,
  mkdir,
  readFile,
  readdir,
  readlink,
  rename,
  rm,
  symlink,
  unlink,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import { modeSurvivesUmask } from './umask.js';

/** One file of a payload. */
export interface FileProjection {
  data: Buffer;
  /** Permission bits (0..0o777). */
  mode: number;
}

/** Files by path relative to the volume directory. */
export type Payload = Map<string, FileProjection>;

const DATA_DIR = '..data';
const DATA_DIR_TMP = '..data_tmp';
const MAX_PATH = 4096;
const MAX_NAME = 255;

/** Upstream's rules for payload paths (the `..` prefix is reserved for the writer itself). */
export function validatePayloadPath(p: string): void {
  if (p === '') throw new Error(`invalid path: must not be empty: ""`);
  if (path.posix.isAbsolute(p)) throw new Error(`invalid path: must be relative path: ${p}`);
  if (p.length > MAX_PATH)
    throw new Error(`invalid path: must be less than or equal to ${MAX_PATH} characters`);
  const items = p.split('/');
  for (const item of items) {
    if (item === '..') throw new Error(`invalid path: must not contain '..': ${p}`);
    if (item.length > MAX_NAME)
      throw new Error(`invalid path: filenames must be less than or equal to ${MAX_NAME} characters`);
  }
  const first = items[0] ?? '';
  if (first.startsWith('..') && first.length > 2)
    throw new Error(`invalid path: must not start with '..': ${p}`);
}

function cleanPayload(payload: Payload): Payload {
  const out: Payload = new Map();
  for (const [p, f] of payload) {
    validatePayloadPath(p);
    out.set(path.posix.normalize(p).replace(/\/+$/, ''), f);
  }
  return out;
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

async function readlinkOrEmpty(p: string): Promise<string> {
  try {
    return await readlink(p);
  } catch (err) {
    if (isNotFound(err)) return '';
    throw err;
  }
}

/** Every path (files and directories) below `dir`, relative to it. */
async function walk(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    out.push(rel);
    if (e.isDirectory()) out.push(...(await walk(path.join(dir, e.name), rel)));
  }
  return out;
}

/** Whether the version in `tsDir` differs from the payload (content, mode or file type). */
async function differs(payload: Payload, tsDir: string): Promise<boolean> {
  for (const [p, f] of payload) {
    const full = path.join(tsDir, p);
    let st;
    try {
      st = await lstat(full);
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
    if (!st.isFile() || (st.mode & 0o7777) !== (f.mode & 0o7777)) return true;
    if (!(await readFile(full)).equals(f.data)) return true;
  }
  return false;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `..YYYY_MM_DD_HH_MM_SS.` in UTC, as upstream names version directories. */
export function timestampPrefix(d: Date): string {
  return (
    `..${d.getUTCFullYear()}_${pad(d.getUTCMonth() + 1)}_${pad(d.getUTCDate())}_` +
    `${pad(d.getUTCHours())}_${pad(d.getUTCMinutes())}_${pad(d.getUTCSeconds())}.`
  );
}

async function newVersionDir(dir: string, now: Date): Promise<string> {
  for (;;) {
    const name = `${timestampPrefix(now)}${randomInt(1_000_000_000)}`;
    const full = path.join(dir, name);
    try {
      await mkdir(full, { mode: 0o755 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    if (!modeSurvivesUmask(0o755)) await chmod(full, 0o755);
    return name;
  }
}

async function writeVersion(payload: Payload, dir: string): Promise<void> {
  const subdirs = new Set<string>();
  for (const p of payload.keys()) if (p.includes('/')) subdirs.add(path.posix.dirname(p));
  await Promise.all([...subdirs].map((d) => mkdir(path.join(dir, d), { recursive: true, mode: 0o755 })));
  await Promise.all(
    [...payload].map(async ([p, f]) => {
      const full = path.join(dir, p);
      const mode = f.mode & 0o7777;
      await writeFile(full, f.data, { mode });
      // writeFile's mode is filtered by the umask (and ignores setuid/setgid/sticky bits).
      if (!modeSurvivesUmask(mode)) await chmod(full, mode);
    }),
  );
}

/** True for version directories (`..2026_…`), which the writer owns. */
export function isVersionDir(name: string): boolean {
  return /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\./.test(name);
}

/** Options of {@link writeAtomic}. */
export interface AtomicWriteOptions {
  /** Clock for the version directory's name. */
  now?: () => Date;
}

/**
 * Projects `payload` into `dir` (which must exist) atomically. Returns true when a new version was
 * written, false when the directory already held exactly this payload.
 */
export async function writeAtomic(
  dir: string,
  payload: Payload,
  opts: AtomicWriteOptions = {},
): Promise<boolean> {
  const files = cleanPayload(payload);
  const dataLink = path.join(dir, DATA_DIR);
  const oldVersion = await readlinkOrEmpty(dataLink);
  if (oldVersion && (oldVersion.includes('/') || !isVersionDir(oldVersion)))
    throw new Error(`unexpected ${DATA_DIR} target ${JSON.stringify(oldVersion)} in ${dir}`);

  // Paths present in the current version that the new payload no longer has (directories included,
  // so that only top-level names are unlinked below).
  const toRemove = new Set<string>();
  let write = true;
  if (oldVersion) {
    const wanted = new Set<string>();
    for (const p of files.keys()) {
      for (let sub = p; sub && sub !== '.'; sub = path.posix.dirname(sub)) wanted.add(sub);
    }
    try {
      for (const p of await walk(path.join(dir, oldVersion))) if (!wanted.has(p)) toRemove.add(p);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (toRemove.size === 0 && !(await differs(files, path.join(dir, oldVersion)))) write = false;
  }

  let current = oldVersion;
  if (write) {
    const version = await newVersionDir(dir, (opts.now ?? (() => new Date()))());
    try {
      await writeVersion(files, path.join(dir, version));
      const tmpLink = path.join(dir, DATA_DIR_TMP);
      try {
        await symlink(version, tmpLink);
      } catch (err) {
        // Left by an interrupted write.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        await rm(tmpLink, { force: true });
        await symlink(version, tmpLink);
      }
      await rename(tmpLink, dataLink);
    } catch (err) {
      await rm(path.join(dir, version), { recursive: true, force: true });
      throw err;
    }
    current = version;
  }

  // User-visible names: one symlink per first path segment, created once and never changed.
  const tops = new Set<string>();
  for (const p of files.keys()) tops.add(p.split('/')[0] ?? p);
  await Promise.all([
    ...[...tops].map(async (top) => {
      const visible = path.join(dir, top);
      try {
        await symlink(path.posix.join(DATA_DIR, top), visible);
      } catch (err) {
        // Already there (a link made by an earlier version, or something else: left alone).
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }),
    ...[...toRemove]
      .filter((p) => !p.includes('/'))
      .map((p) =>
        unlink(path.join(dir, p)).catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        }),
      ),
  ]);

  // Drop the previous version and any version left behind by an interrupted write.
  const stale = (await readdir(dir)).filter((name) => isVersionDir(name) && name !== current);
  await Promise.all(stale.map((name) => rm(path.join(dir, name), { recursive: true, force: true })));
  return write;
}
