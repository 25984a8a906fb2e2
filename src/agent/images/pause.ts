/**
 * The pod sandbox ("pause") image, built on the node from Debian's static catatonit so a machine with
 * no registry access still runs pods. The image holds one file, `/pause` (catatonit), started as
 * `/pause -P` (catatonit's pause mode: it only waits and reaps).
 */
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { OciArchive } from './oci.js';
import { listImageNames, runCtr, type CtrOptions } from './ctr.js';
import { parseImportOutput } from './importer.js';

/** The sandbox image name (fully qualified: CRI would otherwise look for it on docker.io). */
export const PAUSE_IMAGE = 'k8ts.local/pause:3.10';

/** Where Debian's catatonit package installs the program. */
export const DEFAULT_CATATONIT = '/usr/bin/catatonit';

/** Options of {@link buildPauseArchive}. */
export interface PauseBuildOptions {
  /** The static catatonit binary (default /usr/bin/catatonit). */
  catatonitPath?: string;
  /** Image name (default {@link PAUSE_IMAGE}). */
  name?: string;
  /** GOARCH of the image (default: this machine's). */
  architecture?: string;
}

/** Builds the pause image as an OCI archive in memory; the same catatonit gives the same digests. */
export async function buildPauseArchive(opts: PauseBuildOptions = {}): Promise<OciArchive> {
  const catatonitPath = opts.catatonitPath ?? DEFAULT_CATATONIT;
  let binary: Buffer;
  try {
    binary = await readFile(catatonitPath);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (e as Error).message;
    throw new Error(
      `cannot build the pause image: ${catatonitPath}: ${why} (install Debian's catatonit package)`,
    );
  }
  // Loaded only when the image must be built: the tar writer is not needed once containerd has it.
  const { buildOciArchive } = await import('./oci.js');
  return buildOciArchive({
    name: opts.name ?? PAUSE_IMAGE,
    ...(opts.architecture ? { architecture: opts.architecture } : {}),
    layers: [[{ name: 'pause', data: binary, mode: 0o755 }]],
    config: { Entrypoint: ['/pause', '-P'], WorkingDir: '/', User: '65535:65535' },
  });
}

/** What {@link ensurePauseImage} did. */
export interface EnsurePauseResult {
  image: string;
  /** False when containerd already had the image. */
  imported: boolean;
}

/**
 * Makes sure containerd holds the pause image, building and importing it when it is missing. Call it
 * once at agent start, before the first RunPodSandbox (containerd's CRI `sandbox_image` must name
 * {@link PAUSE_IMAGE}).
 */
export async function ensurePauseImage(
  ctr: CtrOptions,
  opts: PauseBuildOptions = {},
): Promise<EnsurePauseResult> {
  const image = opts.name ?? PAUSE_IMAGE;
  if ((await listImageNames(ctr)).includes(image)) return { image, imported: false };
  const { archive } = await buildPauseArchive(opts);
  const out = await runCtr(ctr, ['images', 'import', '-'], Readable.from([archive]));
  const names = parseImportOutput(out).map((i) => i.name);
  if (!names.includes(image))
    throw new Error(
      `importing the pause image: containerd did not report ${image} (got ${names.join(', ')})`,
    );
  return { image, imported: true };
}
