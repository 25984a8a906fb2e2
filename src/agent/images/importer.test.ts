import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ctrErrorLine } from './ctr.js';
import { detectArchiveKind, importImages, parseImportOutput } from './importer.js';
import { tarBuffer } from './oci.js';
import { fakeCtr } from './testing/fake-ctr.js';
import { removeTempDirs, tempDir } from './testing/tmp.js';

afterAll(removeTempDirs);

const hex = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function tmp(): string {
  return tempDir('k8ts-import-test');
}

describe('detectArchiveKind', () => {
  it('recognises tar, gzip and zstd by their first bytes', async () => {
    const tar = await tarBuffer([{ name: 'index.json', data: Buffer.from('{}') }]);
    expect(detectArchiveKind(tar)).toBe('tar');
    expect(detectArchiveKind(gzipSync(tar))).toBe('gzip');
    expect(detectArchiveKind(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0]))).toBe('zstd');
    expect(detectArchiveKind(Buffer.from('hello'))).toBeUndefined();
    expect(detectArchiveKind(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('parseImportOutput', () => {
  it('reads the images ctr unpacked', () => {
    const d1 = 'a'.repeat(64);
    const d2 = 'b'.repeat(64);
    expect(
      parseImportOutput(
        `unpacking k8ts.local/busybox:1 (sha256:${d1})...done\nunpacking docker.io/library/nginx:1 (sha256:${d2})...done\n`,
      ),
    ).toEqual([
      { name: 'k8ts.local/busybox:1', digest: `sha256:${d1}` },
      { name: 'docker.io/library/nginx:1', digest: `sha256:${d2}` },
    ]);
    expect(parseImportOutput('')).toEqual([]);
  });
});

describe('ctrErrorLine', () => {
  it('keeps the ctr error without its prefix', () => {
    expect(ctrErrorLine('time=… level=warning msg=x\nctr: unrecognized image format\n')).toBe(
      'unrecognized image format',
    );
    expect(ctrErrorLine('something odd\n')).toBe('something odd');
  });
});

describe('importImages', () => {
  it('feeds ctr the uncompressed tar of plain, gzip and zstd archives', async () => {
    const ctr = fakeCtr();
    const dir = tmp();
    const tar = await tarBuffer([
      { name: 'oci-layout', data: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
    ]);
    writeFileSync(path.join(dir, 'a.tar'), tar);
    writeFileSync(path.join(dir, 'b.tar.gz'), gzipSync(tar));
    const files = [path.join(dir, 'a.tar'), path.join(dir, 'b.tar.gz')];
    const zstd = spawnSync('zstd', ['-q', '-o', path.join(dir, 'c.tar.zst'), path.join(dir, 'a.tar')]);
    if (zstd.status === 0) files.push(path.join(dir, 'c.tar.zst'));

    const results = await importImages(files, { socket: '/run/x.sock', ctrPath: ctr.ctrPath });
    const want = { name: `fake/${hex(tar).slice(0, 12)}:1`, digest: `sha256:${hex(tar)}` };
    expect(results).toEqual(files.map((file) => ({ file, images: [want] })));
    expect(ctr.calls()[0]).toBe('-a /run/x.sock -n k8s.io --connect-timeout 5s images import -');
  });

  it('gives one readable line per bad file and still imports the good ones', async () => {
    const ctr = fakeCtr();
    const dir = tmp();
    const good = path.join(dir, 'good.tar');
    writeFileSync(good, await tarBuffer([{ name: 'index.json', data: Buffer.from('{}') }]));
    const text = path.join(dir, 'notes.tar');
    writeFileSync(text, 'just some text, not a tar');
    const rejected = path.join(dir, 'rejected.tar');
    // A tar whose bytes the fake ctr refuses, the way ctr refuses a tar that holds no image.
    const failing = await tarBuffer([{ name: 'x', data: Buffer.from('y') }]);
    failing.write('FAIL', 0);
    failing.write('ustar', 257, 'latin1');
    writeFileSync(rejected, failing);
    const subdir = path.join(dir, 'sub.tar');
    mkdirSync(subdir);

    const results = await importImages([path.join(dir, 'missing.tar'), text, rejected, subdir, good], {
      socket: '/s',
      ctrPath: ctr.ctrPath,
    });
    expect(results.map((r) => r.error)).toEqual([
      `${dir}/missing.tar: no such file`,
      `${text}: not an image archive (want a tar of an OCI layout or of docker save, optionally gzip- or zstd-compressed)`,
      `${rejected}: unrecognized image format`,
      `${subdir}: is a directory`,
      undefined,
    ]);
    expect(results[4]?.images).toHaveLength(1);
    for (const r of results) expect(r.error ?? '').not.toContain('\n');
  });

  it('reports a missing ctr program clearly', async () => {
    const dir = tmp();
    const file = path.join(dir, 'a.tar');
    writeFileSync(file, await tarBuffer([{ name: 'index.json', data: Buffer.from('{}') }]));
    const [r] = await importImages([file], { socket: '/s', ctrPath: '/nonexistent/ctr' });
    expect(r?.error).toBe(
      `${file}: cannot run /nonexistent/ctr: not found (install containerd, which ships ctr)`,
    );
  });
});

describe('importImages with a damaged compressed archive', () => {
  it('names the decompression error', async () => {
    const ctr = fakeCtr();
    const dir = tmp();
    const file = path.join(dir, 'broken.tar.gz');
    writeFileSync(file, Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(40, 0x55)]));
    const [r] = await importImages([file], { socket: '/s', ctrPath: ctr.ctrPath });
    expect(r?.error).toMatch(new RegExp(`^${file}: gzip: `));
  });
});
