import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeImagePaths, prepareImages, prepareRegistries, pullCredentials } from './node-images.js';
import { tarBuffer } from './oci.js';
import { PAUSE_IMAGE } from './pause.js';
import { parseRegistriesConfig } from './registries.js';
import { fakeCtr } from './testing/fake-ctr.js';
import { removeTempDirs, tempDir } from './testing/tmp.js';

afterAll(removeTempDirs);

describe('nodeImagePaths', () => {
  it('follows the agent data-dir layout', () => {
    expect(nodeImagePaths('/var/lib/k8ts')).toEqual({
      containerdSocket: '/var/lib/k8ts/agent/containerd/containerd.sock',
      imagesDir: '/var/lib/k8ts/agent/images',
      registriesFile: '/var/lib/k8ts/agent/etc/registries.yaml',
      certsDir: '/var/lib/k8ts/agent/etc/certs.d',
    });
  });
});

describe('prepareRegistries', () => {
  it('writes the hosts directory from the registries file, and nothing without one', async () => {
    const paths = nodeImagePaths(tempDir('k8ts-node-images'));
    expect(await prepareRegistries(paths)).toBeUndefined();
    expect(existsSync(paths.certsDir)).toBe(true);

    mkdirSync(path.dirname(paths.registriesFile), { recursive: true });
    writeFileSync(paths.registriesFile, 'mirrors:\n  docker.io:\n    endpoint: ["http://127.0.0.1:5000"]\n');
    const config = await prepareRegistries(paths);
    expect(config?.mirrors['docker.io']).toEqual({ endpoints: ['http://127.0.0.1:5000'] });
    expect(readFileSync(path.join(paths.certsDir, 'docker.io', 'hosts.toml'), 'utf8')).toContain(
      '[host."http://127.0.0.1:5000"]',
    );

    writeFileSync(paths.registriesFile, 'mirrors:\n  docker.io:\n    endpoints: []\n');
    await expect(prepareRegistries(paths)).rejects.toThrow(
      `${paths.registriesFile}: mirrors["docker.io"].endpoints: unknown field (want one of: endpoint)`,
    );
  });
});

describe('prepareImages', () => {
  it('ensures the pause image and imports the airgap directory', async () => {
    const ctr = fakeCtr();
    ctr.setImages([PAUSE_IMAGE]);
    const dir = tempDir('k8ts-node-images');
    writeFileSync(
      path.join(dir, 'app.tar'),
      await tarBuffer([{ name: 'index.json', data: Buffer.from('{}') }]),
    );
    const r = await prepareImages({ socket: '/s', imagesDir: dir, ctrPath: ctr.ctrPath });
    expect(r.pause).toEqual({ image: PAUSE_IMAGE, imported: false });
    expect(r.airgap.imported.map((i) => [path.basename(i.file), i.error])).toEqual([['app.tar', undefined]]);
  });
});

describe('pullCredentials', () => {
  it('tries the pod secrets before the registries file', () => {
    const secret = {
      type: 'kubernetes.io/dockerconfigjson',
      data: {
        '.dockerconfigjson': Buffer.from(
          JSON.stringify({ auths: { 'reg.example.com': { username: 'pod', password: 'p1' } } }),
        ).toString('base64'),
      },
    };
    const registries = parseRegistriesConfig(
      'configs:\n  reg.example.com:\n    auth: {username: node, password: p2}\n',
    );
    expect(pullCredentials('reg.example.com/app:1', [secret], registries)).toEqual([
      { username: 'pod', password: 'p1' },
      { username: 'node', password: 'p2', serverAddress: 'https://reg.example.com' },
    ]);
    expect(pullCredentials('other.example.com/app:1', [secret], undefined)).toEqual([]);
  });
});
