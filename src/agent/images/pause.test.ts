import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { goArch, MEDIA_TYPES } from './oci.js';
import { buildPauseArchive, ensurePauseImage, PAUSE_IMAGE } from './pause.js';
import { fakeCtr } from './testing/fake-ctr.js';
import { removeTempDirs, tempDir } from './testing/tmp.js';

afterAll(removeTempDirs);

interface Entry {
  type: string;
  mode: number;
  mtime: number;
  uid: number;
  data: Buffer;
}

/** Reads every entry of a tar. */
async function untar(buf: Buffer): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>();
  const ex = extract();
  const done = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      const h = entry.header;
      out.set(h.name, {
        type: h.type ?? 'file',
        mode: h.mode ?? 0,
        mtime: h.mtime?.getTime() ?? -1,
        uid: h.uid ?? -1,
        data: Buffer.concat(chunks),
      });
    }
  })();
  Readable.from([buf]).pipe(ex);
  await done;
  return out;
}

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function fakeCatatonit(): string {
  const dir = tempDir('k8ts-pause-test');
  const file = path.join(dir, 'catatonit');
  writeFileSync(file, Buffer.from('\x7fELF pretend static catatonit binary'.repeat(100)));
  return file;
}

interface Json {
  [k: string]: unknown;
}

function json(b: Buffer | undefined): Json {
  expect(b).toBeDefined();
  return JSON.parse((b ?? Buffer.alloc(0)).toString()) as Json;
}

describe('pause image archive', () => {
  it('is a valid OCI image layout whose digests and sizes match the blobs', async () => {
    const catatonit = fakeCatatonit();
    const { archive, manifestDigest, configDigest } = await buildPauseArchive({ catatonitPath: catatonit });
    const files = await untar(archive);
    const blob = (digest: string): Buffer => {
      const e = files.get(`blobs/sha256/${digest.replace('sha256:', '')}`);
      expect(e, `blob ${digest}`).toBeDefined();
      const data = e?.data ?? Buffer.alloc(0);
      expect(sha(data)).toBe(digest);
      return data;
    };

    expect(json(files.get('oci-layout')?.data)).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = json(files.get('index.json')?.data) as {
      schemaVersion: number;
      manifests: { mediaType: string; digest: string; size: number; platform: unknown; annotations: Json }[];
    };
    expect(index.schemaVersion).toBe(2);
    expect(index.manifests).toHaveLength(1);
    const m0 = index.manifests[0];
    expect(m0?.mediaType).toBe(MEDIA_TYPES.manifest);
    expect(m0?.digest).toBe(manifestDigest);
    expect(m0?.annotations).toEqual({
      'io.containerd.image.name': PAUSE_IMAGE,
      'org.opencontainers.image.ref.name': '3.10',
    });
    expect(m0?.platform).toEqual({ architecture: goArch(), os: 'linux' });

    const manifestBytes = blob(manifestDigest);
    expect(manifestBytes.length).toBe(m0?.size);
    const manifest = json(manifestBytes) as {
      config: { digest: string; size: number; mediaType: string };
      layers: { digest: string; size: number; mediaType: string }[];
    };
    expect(manifest.config.digest).toBe(configDigest);
    expect(manifest.config.mediaType).toBe(MEDIA_TYPES.config);
    const configBytes = blob(configDigest);
    expect(configBytes.length).toBe(manifest.config.size);
    expect(manifest.layers).toHaveLength(1);
    const layerDesc = manifest.layers[0];
    expect(layerDesc?.mediaType).toBe(MEDIA_TYPES.layerGzip);
    const layerGz = blob(layerDesc?.digest ?? '');
    expect(layerGz.length).toBe(layerDesc?.size);

    const config = json(configBytes) as {
      os: string;
      architecture: string;
      config: { Entrypoint: string[] };
      rootfs: { type: string; diff_ids: string[] };
    };
    expect(config.os).toBe('linux');
    expect(config.architecture).toBe(goArch());
    expect(config.config.Entrypoint).toEqual(['/pause', '-P']);
    const layerTar = gunzipSync(layerGz);
    expect(config.rootfs).toEqual({ type: 'layers', diff_ids: [sha(layerTar)] });

    const layer = await untar(layerTar);
    expect([...layer.keys()]).toEqual(['pause']);
    const pause = layer.get('pause');
    expect(pause?.type).toBe('file');
    expect(pause?.mode).toBe(0o755);
    expect(pause?.uid).toBe(0);
    expect(pause?.data.equals(Buffer.from('\x7fELF pretend static catatonit binary'.repeat(100)))).toBe(true);
    for (const e of [...files.values(), ...layer.values()]) expect(e.mtime).toBe(0);
  });

  it('is byte-for-byte reproducible', async () => {
    const catatonit = fakeCatatonit();
    const a = await buildPauseArchive({ catatonitPath: catatonit });
    const b = await buildPauseArchive({ catatonitPath: catatonit });
    expect(b.manifestDigest).toBe(a.manifestDigest);
    expect(sha(b.archive)).toBe(sha(a.archive));
  });

  it('records the requested architecture', async () => {
    const { archive, configDigest } = await buildPauseArchive({
      catatonitPath: fakeCatatonit(),
      architecture: 'arm64',
    });
    const files = await untar(archive);
    const config = json(files.get(`blobs/sha256/${configDigest.slice(7)}`)?.data);
    expect(config['architecture']).toBe('arm64');
  });

  it('says what is missing when catatonit is not installed', async () => {
    await expect(buildPauseArchive({ catatonitPath: '/nonexistent/catatonit' })).rejects.toThrow(
      'cannot build the pause image: /nonexistent/catatonit: not found (install Debian',
    );
  });
});

describe('goArch', () => {
  it('maps Node architectures to Go names', () => {
    expect(goArch('x64')).toBe('amd64');
    expect(goArch('arm64')).toBe('arm64');
    expect(goArch('arm')).toBe('arm');
    expect(goArch('ia32')).toBe('386');
    expect(goArch('ppc64', 'LE')).toBe('ppc64le');
    expect(goArch('s390x')).toBe('s390x');
    expect(goArch('riscv64')).toBe('riscv64');
  });
});

describe('ensurePauseImage', () => {
  it('imports the image only when containerd does not have it', async () => {
    const ctr = fakeCtr();
    const opts = { socket: '/nonexistent.sock', ctrPath: ctr.ctrPath };
    ctr.setImages([PAUSE_IMAGE]);
    expect(await ensurePauseImage(opts, { catatonitPath: fakeCatatonit() })).toEqual({
      image: PAUSE_IMAGE,
      imported: false,
    });
    expect(ctr.calls().filter((c) => c.includes('import'))).toEqual([]);
  });

  it('fails clearly when the import does not produce the image', async () => {
    // The fake ctr names every import fake/…, so the pause image never shows up.
    const ctr = fakeCtr();
    await expect(
      ensurePauseImage({ socket: '/x.sock', ctrPath: ctr.ctrPath }, { catatonitPath: fakeCatatonit() }),
    ).rejects.toThrow(`importing the pause image: containerd did not report ${PAUSE_IMAGE}`);
    expect(ctr.calls()).toEqual([
      '-a /x.sock -n k8s.io --connect-timeout 5s images ls -q',
      '-a /x.sock -n k8s.io --connect-timeout 5s images import -',
    ]);
  });
});
