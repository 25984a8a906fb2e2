/**
 * Filesystem figures: capacity, free space and inodes of the filesystem holding a path (statfs), and
 * what a directory tree uses on disk (a `du`-like walk: allocated blocks, inodes counted once per
 * hard link), cached for a short while because walking log and volume directories on every scrape
 * would cost more than the figures are worth.
 */
import { lstat, readdir, statfs } from 'node:fs/promises';
import path from 'node:path';

/** The filesystem type number of tmpfs (statfs f_type). */
export const TMPFS_MAGIC = 0x01021994;

/** Size and free space of a filesystem. */
export interface FsInfo {
  capacityBytes: number;
  /** Free to unprivileged users. */
  availableBytes: number;
  /** Blocks in use (capacity − all free blocks). */
  usedBytes: number;
  inodes: number;
  inodesFree: number;
  inodesUsed: number;
  /** statfs f_type (e.g. {@link TMPFS_MAGIC}). */
  type: number;
}

/** statfs of the filesystem holding `p`; undefined when it cannot be read (e.g. gone). */
export async function statFs(p: string): Promise<FsInfo | undefined> {
  try {
    const s = await statfs(p);
    const bsize = Number(s.bsize);
    const blocks = Number(s.blocks);
    const files = Number(s.files);
    const ffree = Number(s.ffree);
    return {
      capacityBytes: blocks * bsize,
      availableBytes: Number(s.bavail) * bsize,
      usedBytes: (blocks - Number(s.bfree)) * bsize,
      inodes: files,
      inodesFree: ffree,
      inodesUsed: Math.max(0, files - ffree),
      type: Number(s.type),
    };
  } catch {
    return undefined;
  }
}

/** What a directory tree uses. */
export interface DirUsage {
  /** Allocated bytes (512-byte blocks, as du counts). */
  bytes: number;
  /** Inodes, the directory itself included, hard links once. */
  inodes: number;
}

/** Walks `root` (not following symlinks); undefined when `root` does not exist. */
export async function dirUsage(root: string): Promise<DirUsage | undefined> {
  const seen = new Set<string>();
  let bytes = 0;
  let inodes = 0;
  const visit = async (p: string, isRoot: boolean): Promise<void> => {
    let st;
    try {
      st = await lstat(p, { bigint: true });
    } catch (err) {
      if (isRoot) throw err;
      return; // removed while walking
    }
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) return;
    seen.add(key);
    inodes += 1;
    bytes += Number(st.blocks) * 512;
    if (!st.isDirectory()) return;
    let names: string[];
    try {
      names = await readdir(p);
    } catch {
      return;
    }
    for (const name of names) await visit(path.join(p, name), false);
  };
  try {
    await visit(root, true);
  } catch {
    return undefined;
  }
  return { bytes, inodes };
}

interface CacheEntry {
  at: number;
  usage: Promise<DirUsage | undefined>;
}

/** {@link dirUsage} results kept for `ttlMs` per path (concurrent askers share one walk). */
export class DirUsageCache {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly walk: (p: string) => Promise<DirUsage | undefined> = dirUsage,
  ) {}

  /** Usage of `p`, walked at most once per `ttlMs`. */
  usage(p: string): Promise<DirUsage | undefined> {
    const t = this.now();
    const hit = this.entries.get(p);
    if (hit && t - hit.at < this.ttlMs) return hit.usage;
    const usage = this.walk(p);
    this.entries.set(p, { at: t, usage });
    return usage;
  }

  /** Drops entries older than the TTL (paths of pods that went away). */
  prune(): void {
    const t = this.now();
    for (const [p, e] of this.entries) if (t - e.at >= this.ttlMs) this.entries.delete(p);
  }
}
