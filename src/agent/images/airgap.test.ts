import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AIRGAP_STATE_FILE, importAirgapDir } from './airgap.js';
import { tarBuffer } from './oci.js';
import { fakeCtr } from './testing/fake-ctr.js';
import { removeTempDirs, tempDir } from './testing/tmp.js';

afterAll(removeTempDirs);

async function archive(dir: string, name: string, content: string): Promise<string> {
  const file = path.join(dir, name);
  writeFileSync(file, await tarBuffer([{ name: 'index.json', data: Buffer.from(content) }]));
  return file;
}

function importCalls(calls: string[]): number {
  return calls.filter((c) => c.endsWith('images import -')).length;
}

describe('importAirgapDir', () => {
  it('imports each archive once across restarts', async () => {
    const ctr = fakeCtr();
    const dir = tempDir('k8ts-airgap');
    const a = await archive(dir, 'a.tar', 'one');
    const b = await archive(dir, 'b.tar', 'two');
    writeFileSync(path.join(dir, 'README.txt'), 'not an archive');
    const opts = { socket: '/s', ctrPath: ctr.ctrPath };

    const first = await importAirgapDir(dir, opts);
    expect(first.imported.map((r) => [r.file, r.error, r.images.length])).toEqual([
      [a, undefined, 1],
      [b, undefined, 1],
    ]);
    expect(first.unchanged).toEqual([]);
    const state = JSON.parse(readFileSync(path.join(dir, AIRGAP_STATE_FILE), 'utf8')) as {
      files: Record<string, { images: string[] }>;
    };
    expect(Object.keys(state.files)).toEqual(['a.tar', 'b.tar']);

    // A restart imports nothing.
    const second = await importAirgapDir(dir, opts);
    expect(second).toEqual({ imported: [], unchanged: [a, b] });
    expect(importCalls(ctr.calls())).toBe(2);

    // A replaced file is imported again; so is one whose image containerd lost.
    await archive(dir, 'a.tar', 'one, newer and longer');
    utimesSync(a, new Date(), new Date(Date.now() + 5000));
    ctr.setImages(ctr.images().filter((n) => !state.files['b.tar']?.images.includes(n)));
    const third = await importAirgapDir(dir, opts);
    expect(third.imported.map((r) => r.file)).toEqual([a, b]);
    expect(third.unchanged).toEqual([]);
  });

  it('retries a failed file at the next start and does not stop at it', async () => {
    const ctr = fakeCtr();
    const dir = tempDir('k8ts-airgap');
    const bad = path.join(dir, 'a-bad.tar.gz');
    writeFileSync(bad, 'not gzip at all');
    const good = await archive(dir, 'b.tar', 'fine');
    const opts = { socket: '/s', ctrPath: ctr.ctrPath };

    const first = await importAirgapDir(dir, opts);
    expect(first.imported.map((r) => [r.file, r.error === undefined])).toEqual([
      [bad, false],
      [good, true],
    ]);
    const second = await importAirgapDir(dir, opts);
    expect(second.imported.map((r) => r.file)).toEqual([bad]);
    expect(second.unchanged).toEqual([good]);
  });

  it('treats a missing directory as empty', async () => {
    const ctr = fakeCtr();
    expect(await importAirgapDir('/nonexistent/k8ts/images', { socket: '/s', ctrPath: ctr.ctrPath })).toEqual(
      {
        imported: [],
        unchanged: [],
      },
    );
    expect(ctr.calls()).toEqual([]);
  });
});
