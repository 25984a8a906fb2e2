/**
 * Test images built locally (no registry is reachable): OCI archives made with umoci from Debian's
 * static binaries, cached in the temp dir, and imported into a test containerd with `ctr`.
 * - pause: catatonit as `/pause`, entrypoint `["/pause", "-P"]`;
 * - busybox: busybox-static with its applets linked in /bin, default command `sh`.
 * (A stand-in for the product's image tooling; small on purpose.)
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Image names the tests use (fully qualified, so CRI never looks at docker.io). */
export const TEST_PAUSE_IMAGE = 'k8ts.local/pause:3.10';
export const TEST_BUSYBOX_IMAGE = 'k8ts.local/busybox:1';

/** Bump when the recipes below change. */
const RECIPE_VERSION = 'v1';

interface Recipe {
  name: string;
  tag: string;
  /** Fills the root filesystem. */
  fill(rootfs: string): Promise<void>;
  config: string[];
}

const RECIPES: Record<'pause' | 'busybox', Recipe> = {
  pause: {
    name: 'k8ts.local/pause',
    tag: '3.10',
    fill: async (rootfs) => {
      fs.copyFileSync('/usr/bin/catatonit', path.join(rootfs, 'pause'));
      fs.chmodSync(path.join(rootfs, 'pause'), 0o755);
    },
    config: ['--config.entrypoint', '/pause', '--config.entrypoint', '-P'],
  },
  busybox: {
    name: 'k8ts.local/busybox',
    tag: '1',
    fill: async (rootfs) => {
      const bin = path.join(rootfs, 'bin');
      fs.mkdirSync(bin, { recursive: true });
      fs.copyFileSync('/bin/busybox', path.join(bin, 'busybox'));
      fs.chmodSync(path.join(bin, 'busybox'), 0o755);
      const { stdout } = await run('/bin/busybox', ['--list']);
      for (const applet of stdout.split('\n').map((s) => s.trim())) {
        if (applet && applet !== 'busybox') fs.symlinkSync('busybox', path.join(bin, applet));
      }
      for (const dir of ['etc', 'tmp', 'root', 'var/www', 'usr/bin', 'usr/sbin', 'sbin']) {
        fs.mkdirSync(path.join(rootfs, dir), { recursive: true });
      }
      fs.chmodSync(path.join(rootfs, 'tmp'), 0o1777);
      fs.writeFileSync(
        path.join(rootfs, 'etc/passwd'),
        'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n',
      );
      fs.writeFileSync(path.join(rootfs, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
    },
    config: [
      '--config.env',
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--config.cmd',
      'sh',
    ],
  },
};

function stamp(file: string): string {
  const st = fs.statSync(file);
  return `${st.size}-${Math.floor(st.mtimeMs)}`;
}

/** The cache directory for the current recipes and host binaries. */
function cacheDir(): string {
  const key = `${RECIPE_VERSION}-${stamp('/usr/bin/catatonit')}-${stamp('/bin/busybox')}`;
  return path.join(os.tmpdir(), 'k8ts-test-images', key);
}

/** Builds (or finds in the cache) the OCI archive of a test image; returns the tar path. */
export async function testImageArchive(which: 'pause' | 'busybox'): Promise<string> {
  const recipe = RECIPES[which];
  const dir = cacheDir();
  const out = path.join(dir, `${which}.tar`);
  if (fs.existsSync(out)) return out;
  fs.mkdirSync(dir, { recursive: true });
  const work = fs.mkdtempSync(path.join(dir, `.build-${which}-`));
  try {
    const layout = path.join(work, 'oci');
    const bundle = path.join(work, 'bundle');
    const image = `${layout}:${recipe.tag}`;
    await run('umoci', ['init', '--layout', layout]);
    await run('umoci', ['new', '--image', image]);
    await run('umoci', ['unpack', '--image', image, bundle]);
    await recipe.fill(path.join(bundle, 'rootfs'));
    await run('umoci', ['repack', '--image', image, bundle]);
    await run('umoci', ['config', '--image', image, ...recipe.config]);
    await run('umoci', ['gc', '--layout', layout]);
    const tmpTar = path.join(work, 'image.tar');
    await run('tar', ['-C', layout, '-cf', tmpTar, '.']);
    fs.renameSync(tmpTar, out); // atomic: concurrent builders race harmlessly
    return out;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Imports the test images into the containerd at `socket` (namespace k8s.io, where CRI looks). The
 * image is named `--base-name` + `:` + the layout's ref (its tag). (`--index-name` is not used: it
 * also stores the layout's index, and that failed now and then with "content digest … not found".)
 */
export async function importTestImages(
  socket: string,
  which: ('pause' | 'busybox')[] = ['pause', 'busybox'],
): Promise<void> {
  for (const name of which) {
    const recipe = RECIPES[name];
    const tar = await testImageArchive(name);
    const args = [
      '--address',
      socket,
      '--namespace',
      'k8s.io',
      'images',
      'import',
      '--base-name',
      recipe.name,
      tar,
    ];
    await run('ctr', args);
  }
}
