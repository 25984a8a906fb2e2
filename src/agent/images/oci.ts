/**
 * A small OCI image writer: builds an image archive (a tar holding an OCI image layout: `oci-layout`,
 * `index.json`, `blobs/sha256/…`) in memory from a list of files, byte-for-byte reproducible (fixed
 * times and owners), so the same inputs always give the same digests.
 */
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

/** OCI media types used here. */
export const MEDIA_TYPES = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

/** Annotation containerd reads for the full image name of an index entry on import. */
export const ANNOTATION_CONTAINERD_NAME = 'io.containerd.image.name';
/** OCI annotation naming an index entry (a tag, for most tools). */
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';

/** An OCI content descriptor. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string; variant?: string };
  annotations?: Record<string, string>;
}

/** One entry of a layer (or of any tar this module writes). */
export interface TarFile {
  /** Path inside the tar, without a leading slash. */
  name: string;
  type?: 'file' | 'directory' | 'symlink';
  /** File contents (files only). */
  data?: Buffer;
  /** Permission bits (default 0644 for files, 0755 for directories, 0777 for symlinks). */
  mode?: number;
  /** Symlink target. */
  linkname?: string;
}

/** The runtime part of an image config (`config` in the OCI image config). */
export interface ImageRuntimeConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
}

/** What {@link buildOciArchive} builds. */
export interface OciImageSpec {
  /** Fully qualified name with tag (`k8ts.local/pause:3.10`), recorded in the index. */
  name: string;
  /** GOARCH-style architecture (default: this machine's). */
  architecture?: string;
  /** Each layer is a list of files; the layers are stacked in order. */
  layers: TarFile[][];
  config: ImageRuntimeConfig;
}

/** The result of {@link buildOciArchive}. */
export interface OciArchive {
  /** The tar bytes. */
  archive: Buffer;
  /** Digest of the image manifest (what containerd reports as the image's target). */
  manifestDigest: string;
  /** Digest of the image config (the image ID CRI reports). */
  configDigest: string;
}

/** Maps Node's `process.arch` to the GOARCH name image platforms use. */
export function goArch(arch: string = process.arch, byteOrder: 'BE' | 'LE' = endianness()): string {
  switch (arch) {
    case 'x64':
      return 'amd64';
    case 'ia32':
      return '386';
    case 'ppc64':
      return byteOrder === 'LE' ? 'ppc64le' : 'ppc64';
    case 'mipsel':
      return 'mipsle';
    default:
      // arm, arm64, s390x, riscv64, loong64, mips share their names with Go.
      return arch;
  }
}

/** `sha256:<hex>` of the bytes. */
export function sha256Digest(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Fixed metadata every entry gets, so archives are reproducible. */
const EPOCH = new Date(0);

/** Writes the entries into an uncompressed tar, in the order given. */
export async function tarBuffer(entries: TarFile[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    p.on('data', (c: unknown) => chunks.push(c as Buffer));
    p.on('end', () => resolve(Buffer.concat(chunks)));
    p.on('error', reject);
  });
  for (const e of entries) {
    const type = e.type ?? 'file';
    const common = { name: e.name, mtime: EPOCH, uid: 0, gid: 0, uname: '', gname: '' };
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (type === 'directory') p.entry({ ...common, type, mode: e.mode ?? 0o755 }, cb);
      else if (type === 'symlink')
        p.entry({ ...common, type, mode: e.mode ?? 0o777, linkname: e.linkname ?? '' }, cb);
      else p.entry({ ...common, type, mode: e.mode ?? 0o644 }, e.data ?? Buffer.alloc(0), cb);
    });
  }
  p.finalize();
  return done;
}

/** JSON bytes for a blob (stable key order is the caller's object order). */
function jsonBlob(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** Splits `registry/repo:tag` into the part before the tag and the tag (for the ref.name annotation). */
function tagOf(name: string): string {
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return colon > slash ? name.slice(colon + 1) : 'latest';
}

/**
 * Builds a single-platform linux image as an OCI image-layout tar. The index entry carries both the
 * full name (for containerd's importer) and the tag (for OCI tools such as skopeo's `oci-archive:`).
 */
export async function buildOciArchive(spec: OciImageSpec): Promise<OciArchive> {
  const architecture = spec.architecture ?? goArch();
  const blobs = new Map<string, Buffer>();
  const addBlob = (data: Buffer): string => {
    const digest = sha256Digest(data);
    blobs.set(digest, data);
    return digest;
  };

  const layerDescriptors: Descriptor[] = [];
  const diffIds: string[] = [];
  for (const files of spec.layers) {
    const tar = await tarBuffer(files);
    diffIds.push(sha256Digest(tar));
    // Node writes a zero MTIME and a fixed OS byte in the gzip header: the output is reproducible.
    const gz = gzipSync(tar, { level: 9 });
    layerDescriptors.push({ mediaType: MEDIA_TYPES.layerGzip, digest: addBlob(gz), size: gz.length });
  }

  const config = jsonBlob({
    created: EPOCH.toISOString(),
    architecture,
    os: 'linux',
    config: spec.config,
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: spec.layers.map(() => ({ created: EPOCH.toISOString(), created_by: 'k8ts' })),
  });
  const configDigest = addBlob(config);

  const manifest = jsonBlob({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: { mediaType: MEDIA_TYPES.config, digest: configDigest, size: config.length },
    layers: layerDescriptors,
  });
  const manifestDigest = addBlob(manifest);

  const index = jsonBlob({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.index,
    manifests: [
      {
        mediaType: MEDIA_TYPES.manifest,
        digest: manifestDigest,
        size: manifest.length,
        platform: { architecture, os: 'linux' },
        annotations: {
          [ANNOTATION_CONTAINERD_NAME]: spec.name,
          [ANNOTATION_REF_NAME]: tagOf(spec.name),
        },
      },
    ],
  });

  const entries: TarFile[] = [
    { name: 'oci-layout', data: jsonBlob({ imageLayoutVersion: '1.0.0' }) },
    { name: 'index.json', data: index },
    { name: 'blobs/', type: 'directory' },
    { name: 'blobs/sha256/', type: 'directory' },
    ...[...blobs].map(([digest, data]) => ({
      name: `blobs/sha256/${digest.slice('sha256:'.length)}`,
      data,
    })),
  ];
  return { archive: await tarBuffer(entries), manifestDigest, configDigest };
}
