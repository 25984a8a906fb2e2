/**
 * Image archive import into containerd (offline machines): OCI image-layout tars and `docker save`
 * tars, plain or compressed with gzip or zstd, through containerd's own importer (`ctr images
 * import`). Only this machine's platform is imported and unpacked: archives of multi-platform images
 * often hold the blobs of one platform only, which an all-platforms import would reject.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { runCtr, type CtrOptions } from './ctr.js';

/** An image containerd created or updated from an archive. */
export interface ImportedImage {
  /** Full image name (`k8ts.local/busybox:1`, `docker.io/library/nginx:1.27`). */
  name: string;
  /** Digest of the image's manifest (or index). */
  digest: string;
}

/** The outcome for one archive file. */
export interface ImportResult {
  file: string;
  images: ImportedImage[];
  /** One readable line when the file could not be imported. */
  error?: string;
}

/** Options of {@link importImages}. */
export interface ImportOptions extends CtrOptions {
  /** The zstd program for `.tar.zst` archives (default `zstd` on PATH). */
  zstdPath?: string;
}

/** How an archive is compressed, from its first bytes. */
export type ArchiveKind = 'tar' | 'gzip' | 'zstd';

/** Recognises a tar, gzip or zstd stream from its first bytes; undefined for anything else. */
export function detectArchiveKind(head: Buffer): ArchiveKind | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  // POSIX (`ustar\0`) and GNU (`ustar  `) tar headers carry their magic at offset 257.
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  return undefined;
}

/** Extracts the images from `ctr images import` output (`unpacking NAME (DIGEST)...done`). */
export function parseImportOutput(stdout: string): ImportedImage[] {
  const images: ImportedImage[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^unpacking (\S+) \((sha256:[0-9a-f]{64})\)/.exec(line.trim());
    if (m?.[1] && m[2]) images.push({ name: m[1], digest: m[2] });
  }
  return images;
}

/** Reads the first bytes of a file (to recognise its format). */
async function readHead(file: string): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** A stream of the archive's uncompressed tar bytes. */
function tarStream(file: string, kind: ArchiveKind, zstdPath: string): Readable {
  if (kind === 'tar') return createReadStream(file);
  if (kind === 'gzip') {
    const gunzip = createGunzip();
    gunzip.on('error', (e) => {
      e.message = `gzip: ${e.message}`;
    });
    const src = createReadStream(file);
    src.on('error', (e) => gunzip.destroy(e));
    return src.pipe(gunzip);
  }
  const child = spawn(zstdPath, ['-dc', '--', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const err: Buffer[] = [];
  child.stderr.on('data', (c: Buffer) => err.push(c));
  child.on('error', (e: NodeJS.ErrnoException) =>
    child.stdout.destroy(
      new Error(
        e.code === 'ENOENT'
          ? `zstd-compressed archive, but ${zstdPath} is not installed (install Debian's zstd)`
          : `running ${zstdPath}: ${e.message}`,
      ),
    ),
  );
  child.on('close', (code) => {
    if (code !== 0 && code !== null) {
      const why = Buffer.concat(err).toString().trim().split('\n').pop() ?? '';
      child.stdout.destroy(new Error(`zstd: ${why || `exit code ${code}`}`));
    }
  });
  return child.stdout;
}

/** A file-system error as a short reason. */
function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return e instanceof Error ? e.message : String(e);
}

/** Imports one archive; never throws (a failure is the result's `error`). */
export async function importArchive(file: string, opts: ImportOptions): Promise<ImportResult> {
  let head: Buffer;
  try {
    head = await readHead(file);
  } catch (e) {
    return { file, images: [], error: `${file}: ${fsReason(e)}` };
  }
  const kind = detectArchiveKind(head);
  if (!kind)
    return {
      file,
      images: [],
      error: `${file}: not an image archive (want a tar of an OCI layout or of docker save, optionally gzip- or zstd-compressed)`,
    };
  try {
    const out = await runCtr(opts, ['images', 'import', '-'], tarStream(file, kind, opts.zstdPath ?? 'zstd'));
    const images = parseImportOutput(out);
    if (images.length === 0)
      return {
        file,
        images,
        error: `${file}: the archive names no image (an OCI index needs an org.opencontainers.image.ref.name or io.containerd.image.name annotation)`,
      };
    return { file, images };
  } catch (e) {
    return { file, images: [], error: `${file}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * Imports archives one after the other (containerd unpacks layers with all cores already) and
 * returns one result per file, in order. A bad file does not stop the others.
 */
export async function importImages(files: string[], opts: ImportOptions): Promise<ImportResult[]> {
  const results: ImportResult[] = [];
  for (const file of files) results.push(await importArchive(file, opts));
  return results;
}
