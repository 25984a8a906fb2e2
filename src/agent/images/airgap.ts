/**
 * The airgap images directory (`<data-dir>/agent/images/`): every image archive in it is imported into
 * containerd when the agent starts. A small state file remembers which files (by name, size and
 * modification time) were imported and the images they gave, so a restart imports only new or
 * changed files, or files whose images containerd no longer has.
 */
import { readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { listImageNames } from './ctr.js';
import { importArchive, type ImportOptions, type ImportResult } from './importer.js';

/** File names the directory scan treats as image archives. */
export const ARCHIVE_NAME = /\.(tar|tar\.gz|tgz|tar\.zst|tar\.zstd|tzst)$/;

/** The state file's default name, inside the images directory. */
export const AIRGAP_STATE_FILE = '.k8ts-imported.json';

interface FileRecord {
  size: number;
  mtimeMs: number;
  images: string[];
}

interface AirgapState {
  files: Record<string, FileRecord>;
}

/** Options of {@link importAirgapDir}. */
export interface AirgapOptions extends ImportOptions {
  /** Where to remember what was imported (default `<dir>/.k8ts-imported.json`). */
  stateFile?: string;
}

/** The outcome of one directory import. */
export interface AirgapResult {
  /** Files imported now (with their images, or an error). */
  imported: ImportResult[];
  /** Files skipped because they were imported before and containerd still has their images. */
  unchanged: string[];
}

async function readState(file: string): Promise<AirgapState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { files: {} };
    throw e;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    const files = (parsed as { files?: unknown } | null)?.files;
    if (files && typeof files === 'object') return { files: files as Record<string, FileRecord> };
  } catch {
    // A damaged state file only costs a re-import: start over.
  }
  return { files: {} };
}

async function writeState(file: string, state: AirgapState): Promise<void> {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, JSON.stringify(state, null, 1) + '\n', { mode: 0o600 });
  await rename(tmp, file);
}

/**
 * Imports every archive of `dir` that was not imported before (a missing directory is not an
 * error: it imports nothing). Files are taken in name order; a bad file is reported in its result
 * and retried at the next start.
 */
export async function importAirgapDir(dir: string, opts: AirgapOptions): Promise<AirgapResult> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => ARCHIVE_NAME.test(n)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { imported: [], unchanged: [] };
    throw e;
  }
  const stateFile = opts.stateFile ?? path.join(dir, AIRGAP_STATE_FILE);
  const state = await readState(stateFile);
  const result: AirgapResult = { imported: [], unchanged: [] };
  if (names.length === 0) return result;
  const present = new Set(await listImageNames(opts));
  const next: AirgapState = { files: {} };

  for (const name of names) {
    const file = path.join(dir, name);
    let st;
    try {
      st = await stat(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed meanwhile
      throw e;
    }
    if (!st.isFile()) continue;
    const seen = state.files[name];
    if (
      seen &&
      seen.size === st.size &&
      seen.mtimeMs === st.mtimeMs &&
      Array.isArray(seen.images) &&
      seen.images.every((i) => present.has(i))
    ) {
      next.files[name] = seen;
      result.unchanged.push(file);
      continue;
    }
    const r = await importArchive(file, opts);
    result.imported.push(r);
    if (!r.error)
      next.files[name] = { size: st.size, mtimeMs: st.mtimeMs, images: r.images.map((i) => i.name) };
  }
  await writeState(stateFile, next);
  return result;
}
