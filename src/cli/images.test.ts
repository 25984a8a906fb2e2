import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { tarBuffer } from '../agent/images/oci.js';
import { fakeCtr } from '../agent/images/testing/fake-ctr.js';
import { agentContainerdSocket, runImagesCommand } from './images.js';
import { removeTempDirs, tempDir } from '../agent/images/testing/tmp.js';

afterAll(removeTempDirs);

/** Runs the command, capturing what it prints. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await runImagesCommand(argv);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const servers: Server[] = [];
const oldPath = process.env['PATH'];
afterEach(async () => {
  process.env['PATH'] = oldPath;
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('k8ts images', () => {
  it('finds the agent socket under the data dir', () => {
    expect(agentContainerdSocket('/var/lib/k8ts')).toBe('/var/lib/k8ts/agent/containerd/containerd.sock');
  });

  it('explains its usage', async () => {
    expect((await run(['--help'])).code).toBe(0);
    const none = await run([]);
    expect(none.code).toBe(1);
    expect(none.out).toContain('k8ts images import');
    expect(await run(['export', 'x'])).toMatchObject({
      code: 1,
      err: 'error: unknown action "export" for "k8ts images" (want import)\n',
    });
    expect(await run(['import'])).toMatchObject({
      code: 1,
      err: 'error: k8ts images import needs at least one FILE\n',
    });
    expect((await run(['import', '--bogus', 'x'])).err).toMatch(/^error: Unknown option '--bogus'/);
  });

  it('says when containerd is not there', async () => {
    const dir = tempDir('k8ts-cli-images');
    const r = await run(['import', '--data-dir', dir, 'a.tar']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `error: containerd socket ${dir}/agent/containerd/containerd.sock: not found (is the k8ts agent running? --containerd-socket names another)\n`,
    );
  });

  it('prints one line per image and one per bad file', async () => {
    const dir = tempDir('k8ts-cli-images');
    const socket = path.join(dir, 'c.sock');
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    const ctr = fakeCtr();
    process.env['PATH'] = `${path.dirname(ctr.ctrPath)}:${oldPath ?? ''}`;
    const good = path.join(dir, 'good.tar');
    writeFileSync(good, await tarBuffer([{ name: 'index.json', data: Buffer.from('{}') }]));

    const ok = await run(['import', '--containerd-socket', socket, good]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^imported fake\/[0-9a-f]{12}:1 \(sha256:[0-9a-f]{64}\) from .*good\.tar\n$/);
    expect(ok.err).toBe('');

    const bad = await run(['import', '--containerd-socket', socket, good, path.join(dir, 'nope.tar')]);
    expect(bad.code).toBe(1);
    expect(bad.out.split('\n').filter(Boolean)).toHaveLength(1);
    expect(bad.err).toBe(`error: ${dir}/nope.tar: no such file\n`);
  });
});
