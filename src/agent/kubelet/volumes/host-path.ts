/**
 * hostPath volumes: the path is used as it is; its `type` is checked (or the directory/file created)
 * the way upstream does, with upstream's messages.
 */
import { mkdir, open, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  ENOTDIR: 'not a directory',
  EEXIST: 'file exists',
  EROFS: 'read-only file system',
  EISDIR: 'is a directory',
  ENOSPC: 'no space left on device',
};

/** An fs error worded like Go's `*PathError` (`open /x: no such file or directory`). */
export function goPathError(op: string, p: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  const text = ERRNO_TEXT[code] ?? (err instanceof Error ? err.message : String(err));
  return new Error(`${op} ${p}: ${text}`);
}

async function statOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await stat(p);
  } catch {
    return undefined;
  }
}

/**
 * Checks a hostPath against its type, creating it for DirectoryOrCreate (mode 0755) and
 * FileOrCreate (mode 0644). Throws an Error with upstream's wording when the check fails.
 */
export async function checkHostPath(p: string, type: string | undefined): Promise<void> {
  if (p.split('/').includes('..')) throw new Error(`invalid HostPath \`${p}\`: must not contain '..'`);
  if (!type) return;
  const st = await statOrUndefined(p);
  const fail = (what: string): Error => new Error(`hostPath type check failed: ${p} is not a ${what}`);
  switch (type) {
    case 'DirectoryOrCreate':
      if (!st) {
        try {
          await mkdir(p, { recursive: true, mode: 0o755 });
        } catch (err) {
          throw goPathError('mkdir', p, err);
        }
        return;
      }
      if (!st.isDirectory()) throw fail('directory');
      return;
    case 'Directory':
      if (!st?.isDirectory()) throw fail('directory');
      return;
    case 'FileOrCreate':
      if (!st) {
        try {
          await (await open(p, 'a', 0o644)).close();
        } catch (err) {
          throw goPathError('open', p, err);
        }
        return;
      }
      if (!st.isFile()) throw fail('file');
      return;
    case 'File':
      if (!st?.isFile()) throw fail('file');
      return;
    case 'Socket':
      if (!st?.isSocket()) throw fail('socket file');
      return;
    case 'CharDevice':
      if (!st?.isCharacterDevice()) throw fail('character device');
      return;
    case 'BlockDevice':
      if (!st?.isBlockDevice()) throw fail('block device');
      return;
    default:
      throw new Error(`${type} is an invalid volume type`);
  }
}
