/**
 * Deletes a pod directory without ever leaving it: symlinks are unlinked, never followed, and a
 * directory on another filesystem (a mount still in place) stops the deletion instead of being
 * emptied, so a leftover bind mount of host data can never be wiped through the pod directory.
 */
import { lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';

/** A deletion refused because something is still mounted inside the tree. */
export class MountedInsideError extends Error {}

/** Empties and removes the directory `p` (already checked to be on `dev`); siblings go in parallel. */
async function removeDir(p: string, dev: number): Promise<void> {
  const entries = await readdir(p, { withFileTypes: true });
  await Promise.all(
    entries.map(async (e) => {
      const child = path.join(p, e.name);
      // Files and symlinks (never followed) are unlinked; directories are checked for a mount first.
      if (!e.isDirectory()) return unlink(child);
      const st = await lstat(child);
      if (!st.isDirectory()) return unlink(child);
      if (st.dev !== dev)
        throw new MountedInsideError(
          `refusing to delete ${child}: it is on another filesystem (still mounted?)`,
        );
      return removeDir(child, dev);
    }),
  );
  await rmdir(p);
}

/** Removes `root` and everything below it on the same filesystem; a missing root is fine. */
export async function removeTree(root: string): Promise<void> {
  let st;
  try {
    st = await lstat(root);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!st.isDirectory()) {
    await unlink(root);
    return;
  }
  await removeDir(root, st.dev);
}
