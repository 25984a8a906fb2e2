import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  credentialsFor,
  loadRegistriesFile,
  parseRegistriesConfig,
  RegistriesConfigError,
} from './registries.js';
import { removeTempDirs, tempDir } from './testing/tmp.js';

afterAll(removeTempDirs);

const FULL = `
mirrors:
  docker.io:
    endpoint:
      - "https://mirror.example.com:5000"
      - "http://10.0.0.5:5000/"
  "127.0.0.1:5000":
    endpoint: ["http://127.0.0.1:5000"]
  quay.io:
configs:
  "mirror.example.com:5000":
    tls:
      ca_file: /etc/k8ts/mirror-ca.pem
      cert_file: /etc/k8ts/client.pem
      key_file: /etc/k8ts/client-key.pem
    auth:
      username: mirroruser
      password: mirrorpass
  docker.io:
    auth:
      auth: ${Buffer.from('hub:hubpw').toString('base64')}
  secure.example.com:
    tls:
      insecure_skip_verify: true
    auth:
      identitytoken: tok123
`;

describe('parseRegistriesConfig', () => {
  it('reads mirrors and configs', () => {
    expect(parseRegistriesConfig(FULL)).toEqual({
      mirrors: {
        'docker.io': { endpoints: ['https://mirror.example.com:5000', 'http://10.0.0.5:5000'] },
        '127.0.0.1:5000': { endpoints: ['http://127.0.0.1:5000'] },
        'quay.io': { endpoints: [] },
      },
      configs: {
        'mirror.example.com:5000': {
          tls: {
            caFile: '/etc/k8ts/mirror-ca.pem',
            certFile: '/etc/k8ts/client.pem',
            keyFile: '/etc/k8ts/client-key.pem',
          },
          auth: { username: 'mirroruser', password: 'mirrorpass' },
        },
        'docker.io': { auth: { auth: Buffer.from('hub:hubpw').toString('base64') } },
        'secure.example.com': { tls: { insecureSkipVerify: true }, auth: { identityToken: 'tok123' } },
      },
    });
  });

  it('accepts an empty file and endpoints without a scheme (https)', () => {
    expect(parseRegistriesConfig('')).toEqual({ mirrors: {}, configs: {} });
    expect(parseRegistriesConfig('mirrors:\n  "*":\n    endpoint: [mirror.local]\n').mirrors).toEqual({
      '*': { endpoints: ['https://mirror.local'] },
    });
  });

  it.each([
    ['mirrors: [a]', 'registries.yaml: mirrors: must be a mapping of registry host to mirror, not a list'],
    ['mirror: {}', 'registries.yaml: mirror: unknown field (want one of: mirrors, configs)'],
    [
      'mirrors: {"https://docker.io": {endpoint: [x]}}',
      'registries.yaml: mirrors["https://docker.io"]: "https://docker.io" is not a registry host',
    ],
    [
      'mirrors: {docker.io: {endpoint: "https://m"}}',
      'registries.yaml: mirrors["docker.io"].endpoint: must be a list of URLs, not a string',
    ],
    [
      'mirrors: {docker.io: {endpoint: ["ftp://m"]}}',
      'registries.yaml: mirrors["docker.io"].endpoint[0]: "ftp://m": scheme must be http or https, not ftp',
    ],
    [
      'mirrors: {docker.io: {endpoint: ["https://u:p@m"]}}',
      'registries.yaml: mirrors["docker.io"].endpoint[0]: "https://u:p@m": put credentials under configs',
    ],
    [
      'mirrors: {docker.io: {endpoint: ["https://m"], rewrite: {"^x": "y"}}}',
      'registries.yaml: mirrors["docker.io"].rewrite: rewrite rules are not supported by k8ts',
    ],
    [
      'configs: {r.io: {tls: {ca_file: ca.pem}}}',
      'registries.yaml: configs["r.io"].tls.ca_file: must be an absolute path, not "ca.pem"',
    ],
    [
      'configs: {r.io: {tls: {cert_file: /c.pem}}}',
      'registries.yaml: configs["r.io"].tls: cert_file and key_file go together',
    ],
    [
      'configs: {r.io: {tls: {insecure_skip_verify: "yes"}}}',
      'registries.yaml: configs["r.io"].tls.insecure_skip_verify: must be true or false, not a string',
    ],
    [
      'configs: {r.io: {auth: {user: x}}}',
      'registries.yaml: configs["r.io"].auth.user: unknown field (want one of: username, password, auth, identitytoken)',
    ],
    ['configs: {r.io: {auth: {password: x}}}', 'registries.yaml: configs["r.io"].auth: needs username'],
    [
      'configs: {r.io: {auth: {auth: "bm9jb2xvbg=="}}}',
      'registries.yaml: configs["r.io"].auth.auth: must be base64 of username:password',
    ],
    [
      'configs: {r.io: {auth: {username: 5}}}',
      'registries.yaml: configs["r.io"].auth.username: must be a string, not a number',
    ],
    ['configs: {"*": {}}', 'registries.yaml: configs["*"]: "*" is not a registry host'],
    ['mirrors: {a: [', 'registries.yaml: not valid YAML'],
  ])('rejects %s', (text, message) => {
    let err: unknown;
    try {
      parseRegistriesConfig(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RegistriesConfigError);
    expect((err as Error).message).toContain(message);
    expect((err as Error).message).not.toContain('\n');
  });

  it('names the file it read', async () => {
    const dir = tempDir('k8ts-registries');
    const file = path.join(dir, 'registries.yaml');
    expect(await loadRegistriesFile(file)).toBeUndefined();
    writeFileSync(file, 'mirrors: 3\n');
    await expect(loadRegistriesFile(file)).rejects.toThrow(`${file}: mirrors: must be a mapping`);
  });
});

describe('credentialsFor', () => {
  const config = parseRegistriesConfig(FULL);

  it('gives the mirror credentials first, then the registry own, each bound to its host', () => {
    expect(credentialsFor(config, 'busybox')).toEqual([
      { username: 'mirroruser', password: 'mirrorpass', serverAddress: 'https://mirror.example.com:5000' },
      { auth: Buffer.from('hub:hubpw').toString('base64'), serverAddress: 'https://registry-1.docker.io' },
    ]);
  });

  it('gives a registry its own credentials', () => {
    expect(credentialsFor(config, 'secure.example.com/app:1')).toEqual([
      { identityToken: 'tok123', serverAddress: 'https://secure.example.com' },
    ]);
  });

  it('gives nothing where nothing is configured', () => {
    expect(credentialsFor(config, 'quay.io/x/y')).toEqual([]);
    expect(credentialsFor(config, '127.0.0.1:5000/busybox:1')).toEqual([]);
    expect(credentialsFor(undefined, 'busybox')).toEqual([]);
  });

  it('uses the "*" mirror for registries without their own', () => {
    const c = parseRegistriesConfig(`
mirrors:
  "*": {endpoint: ["http://mirror.local:5000"]}
configs:
  "mirror.local:5000": {auth: {username: u, password: p}}
`);
    expect(credentialsFor(c, 'ghcr.io/a/b')).toEqual([
      { username: 'u', password: 'p', serverAddress: 'http://mirror.local:5000' },
    ]);
  });
});
