import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, unlinkSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureServiceAccountKey, serviceAccountKeyPaths } from './service-account.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'k8ts-sa-key-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('service-account signing key', () => {
  it('is created once, private 0600 and public 0644, and reused on the next start', async () => {
    const first = await ensureServiceAccountKey(dir);
    expect(first.changes).toEqual(['service-account signing key created']);
    const paths = serviceAccountKeyPaths(dir);
    expect(paths.key).toBe(join(dir, 'tls', 'service-account.key'));
    expect(statSync(paths.key).mode & 0o777).toBe(0o600);
    expect(statSync(paths.pub).mode & 0o777).toBe(0o644);
    expect(readFileSync(paths.key, 'utf8')).toContain('BEGIN PRIVATE KEY');
    expect(readFileSync(paths.pub, 'utf8')).toContain('BEGIN PUBLIC KEY');
    expect(first.keyId).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const second = await ensureServiceAccountKey(dir);
    expect(second.changes).toEqual([]);
    expect(second.keyId).toBe(first.keyId);
    expect(second.privateKeyPem).toBe(first.privateKeyPem);
  });

  it('rewrites a missing public key from the private key', async () => {
    const first = await ensureServiceAccountKey(dir);
    unlinkSync(serviceAccountKeyPaths(dir).pub);
    const again = await ensureServiceAccountKey(dir);
    expect(again.changes).toEqual(['service-account public key written']);
    expect(again.publicKeyPem).toBe(first.publicKeyPem);
    expect(readFileSync(serviceAccountKeyPaths(dir).pub, 'utf8')).toBe(first.publicKeyPem);
  });

  it('refuses a key that is not RSA, naming the file', async () => {
    mkdirSync(join(dir, 'tls'));
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(serviceAccountKeyPaths(dir).key, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await expect(ensureServiceAccountKey(dir)).rejects.toThrow(
      /service-account\.key must be an RSA key of at least 2048 bits \(found ec\)/,
    );
  });
});
