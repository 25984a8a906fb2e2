import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GENERATED_MARKER, renderHostsFiles, writeHostsDir } from './hosts-toml.js';
import { parseRegistriesConfig } from './registries.js';
import { removeTempDirs, tempDir } from './testing/tmp.js';

afterAll(removeTempDirs);

const CONFIG = parseRegistriesConfig(`
mirrors:
  docker.io:
    endpoint: ["https://mirror.example.com:5000", "http://10.0.0.5:5000"]
  "127.0.0.1:5000":
    endpoint: ["http://127.0.0.1:5000"]
  "*":
    endpoint: ["http://catchall.local"]
configs:
  "mirror.example.com:5000":
    tls: {ca_file: /etc/ca.pem, cert_file: /etc/c.pem, key_file: /etc/k.pem}
    auth: {username: u, password: p}
  "secure.example.com":
    tls: {insecure_skip_verify: true}
  "auth-only.example.com":
    auth: {username: u, password: p}
`);

describe('renderHostsFiles', () => {
  const files = renderHostsFiles(CONFIG);

  it('writes one directory per mirrored or TLS-configured registry', () => {
    expect([...files.keys()]).toEqual([
      '_default',
      '127.0.0.1:5000',
      'docker.io',
      'mirror.example.com:5000',
      'secure.example.com',
    ]);
    // A mirror pulled from directly gets its TLS settings too.
    expect(files.get('mirror.example.com:5000')).toBe(
      [
        GENERATED_MARKER,
        'server = "https://mirror.example.com:5000"',
        'ca = "/etc/ca.pem"',
        'client = [["/etc/c.pem", "/etc/k.pem"]]',
        '',
      ].join('\n'),
    );
  });

  it('lists mirrors in order before Docker Hub, with their TLS settings', () => {
    expect(files.get('docker.io')).toBe(
      [
        GENERATED_MARKER,
        'server = "https://registry-1.docker.io"',
        '',
        '[host."https://mirror.example.com:5000"]',
        '  capabilities = ["pull", "resolve"]',
        '  ca = "/etc/ca.pem"',
        '  client = [["/etc/c.pem", "/etc/k.pem"]]',
        '',
        '[host."http://10.0.0.5:5000"]',
        '  capabilities = ["pull", "resolve"]',
        '',
      ].join('\n'),
    );
  });

  it('makes a plain-HTTP registry reachable through an http:// endpoint', () => {
    expect(files.get('127.0.0.1:5000')).toBe(
      [
        GENERATED_MARKER,
        'server = "https://127.0.0.1:5000"',
        '',
        '[host."http://127.0.0.1:5000"]',
        '  capabilities = ["pull", "resolve"]',
        '',
      ].join('\n'),
    );
  });

  it('puts a registry TLS settings on its server and the "*" mirror in _default', () => {
    expect(files.get('secure.example.com')).toBe(
      [GENERATED_MARKER, 'server = "https://secure.example.com"', 'skip_verify = true', ''].join('\n'),
    );
    expect(files.get('_default')).toBe(
      [
        GENERATED_MARKER,
        '',
        '[host."http://catchall.local"]',
        '  capabilities = ["pull", "resolve"]',
        '',
      ].join('\n'),
    );
  });

  it('escapes strings for TOML', () => {
    const c = parseRegistriesConfig('configs: {r.io: {tls: {ca_file: "/etc/a \\"b\\"\\\\c.pem"}}}');
    expect(renderHostsFiles(c).get('r.io')).toContain('ca = "/etc/a \\"b\\"\\\\c.pem"');
  });
});

describe('writeHostsDir', () => {
  it('writes the files, replaces its own, removes stale ones and leaves hand-written ones alone', async () => {
    const dir = tempDir('k8ts-certsd');
    mkdirSync(path.join(dir, 'docker.io'));
    const handWritten = 'server = "https://my-own-mirror"\n';
    mkdirSync(path.join(dir, 'hand.example.com'));
    writeFileSync(path.join(dir, 'hand.example.com', 'hosts.toml'), handWritten);

    expect(await writeHostsDir(dir, CONFIG)).toEqual([
      '_default',
      '127.0.0.1:5000',
      'docker.io',
      'mirror.example.com:5000',
      'secure.example.com',
    ]);
    expect(readFileSync(path.join(dir, 'docker.io', 'hosts.toml'), 'utf8')).toBe(
      renderHostsFiles(CONFIG).get('docker.io'),
    );

    // Next start: the file no longer has the secure registry nor the catch-all.
    const smaller = parseRegistriesConfig('mirrors: {docker.io: {endpoint: ["http://m.local"]}}');
    writeFileSync(path.join(dir, 'secure.example.com', 'ca.crt'), 'a CA someone put here');
    expect(await writeHostsDir(dir, smaller)).toEqual(['docker.io']);
    expect(readFileSync(path.join(dir, 'docker.io', 'hosts.toml'), 'utf8')).toContain(
      '[host."http://m.local"]',
    );
    expect(existsSync(path.join(dir, '_default'))).toBe(false);
    expect(existsSync(path.join(dir, '127.0.0.1:5000'))).toBe(false);
    expect(readdirSync(path.join(dir, 'secure.example.com'))).toEqual(['ca.crt']);
    expect(readFileSync(path.join(dir, 'hand.example.com', 'hosts.toml'), 'utf8')).toBe(handWritten);

    // No registries file at all: nothing generated remains.
    expect(await writeHostsDir(dir, undefined)).toEqual([]);
    expect(existsSync(path.join(dir, 'docker.io'))).toBe(false);
    expect(readFileSync(path.join(dir, 'hand.example.com', 'hosts.toml'), 'utf8')).toBe(handWritten);
  });

  it('does not overwrite a hosts.toml written by hand for a configured registry', async () => {
    const dir = tempDir('k8ts-certsd');
    mkdirSync(path.join(dir, 'docker.io'));
    writeFileSync(path.join(dir, 'docker.io', 'hosts.toml'), 'server = "https://mine"\n');
    expect(await writeHostsDir(dir, CONFIG)).not.toContain('docker.io');
    expect(readFileSync(path.join(dir, 'docker.io', 'hosts.toml'), 'utf8')).toBe('server = "https://mine"\n');
  });
});
