/**
 * subPath safety. A subPath must stay inside its volume even when the volume holds symlinks (which a
 * container can create in its own emptyDir): missing directories are created one level at a time
 * without following links, and the final path is opened without following links and checked through
 * /proc/self/fd, which names the file the kernel actually opened. With a mounter, that very file is
 * then bind-mounted under `<pod>/volume-subpaths/…` (through /proc/<pid>/fd/N), so the container gets
 * what was checked even if the volume changes afterwards.
 */
import { constants, type Stats } from 'node:fs';
import {
  chmod,
  lstat,
  mkdir,
  open,
  readlink,
  realpath,
  rmdir,
  stat,
  unlink,
  type FileHandle,
} from 'node:fs/promises';
import path from 'node:path';
import type { Mounter } from './mounter.js';
import { isWithin } from './paths.js';

/** open(2)'s O_PATH on Linux (not exported by Node): a handle that only names a file. */
const O_PATH = 0o10000000;

function notFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await lstat(p);
  } catch (err) {
    if (notFound(err)) return undefined;
    throw err;
  }
}

/**
 * Creates `subPath` inside `volume` (both existing components and new ones must stay inside it),
 * giving new directories `mode`.
 */
export async function safeMakeDir(volume: string, subPath: string, mode: number): Promise<void> {
  const base = await realpath(volume);
  let current = base;
  for (const part of subPath.split('/').filter((s) => s !== '' && s !== '.')) {
    if (part === '..') throw new Error(`subpath ${JSON.stringify(subPath)} contains '..'`);
    const next = path.join(current, part);
    const st = await lstatOrUndefined(next);
    if (!st) {
      // mkdir(2) never follows a symlink in its last component: if one appears meanwhile this fails.
      await mkdir(next, { mode });
      await chmod(next, mode);
      current = next;
      continue;
    }
    const resolved = st.isSymbolicLink() ? await realpath(next) : next;
    if (!isWithin(base, resolved))
      throw new Error(`subpath ${JSON.stringify(next)} not within volume path ${JSON.stringify(base)}`);
    const target = st.isSymbolicLink() ? await stat(resolved) : st;
    if (!target.isDirectory()) throw new Error(`subpath ${JSON.stringify(next)} is not a directory`);
    current = resolved;
  }
}

/** An opened, verified subPath: close it when done. */
export interface OpenedSubPath {
  handle: FileHandle;
  /** The real path of what was opened (inside the volume). */
  realPath: string;
  stats: Stats;
}

/**
 * Opens `<volume>/<subPath>` (which must exist) without following a link in its last component and
 * checks that the opened file lies inside the volume.
 */
export async function openSubPath(volume: string, subPath: string): Promise<OpenedSubPath> {
  const base = await realpath(volume);
  const resolved = await realpath(path.join(volume, subPath));
  if (!isWithin(base, resolved))
    throw new Error(`subpath ${JSON.stringify(resolved)} not within volume path ${JSON.stringify(base)}`);
  const handle = await open(resolved, O_PATH | constants.O_NOFOLLOW);
  try {
    const opened = await readlink(`/proc/self/fd/${handle.fd}`);
    const stats = await handle.stat();
    if (stats.isSymbolicLink() || !isWithin(base, opened))
      throw new Error(`subpath ${JSON.stringify(opened)} not within volume path ${JSON.stringify(base)}`);
    return { handle, realPath: opened, stats };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/**
 * Bind-mounts the opened subPath onto `target` (created as a file or directory to match), reusing a
 * mount already there when it shows the same file. Returns the mount point.
 */
export async function bindSubPath(opened: OpenedSubPath, target: string, mounter: Mounter): Promise<string> {
  await mkdir(path.dirname(target), { recursive: true, mode: 0o750 });
  const canonical = path.join(await realpath(path.dirname(target)), path.basename(target));
  if ((await mounter.mountPoints()).includes(canonical)) {
    const st = await stat(canonical);
    if (st.dev === opened.stats.dev && st.ino === opened.stats.ino) return canonical;
    await mounter.unmount(canonical);
  }
  const existing = await lstatOrUndefined(canonical);
  const wantDir = opened.stats.isDirectory();
  if (existing && (existing.isDirectory() !== wantDir || existing.isSymbolicLink())) {
    // Only an empty directory or a plain file of ours can be here (nothing is mounted on it).
    if (existing.isDirectory()) await rmdir(canonical);
    else await unlink(canonical);
  }
  if (wantDir) await mkdir(canonical, { recursive: true, mode: 0o750 });
  else await (await open(canonical, 'a', 0o640)).close();
  await mounter.bindMount(`/proc/${process.pid}/fd/${opened.handle.fd}`, canonical);
  return canonical;
}
