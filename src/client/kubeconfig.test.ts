import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { KubeconfigError, loadKubeconfig, parseKubeconfig } from './kubeconfig.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-kubeconfig-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function doc(user: Record<string, unknown>, cluster: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'main',
    clusters: [
      {
        name: 'c1',
        cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': b64('CA'), ...cluster },
      },
    ],
    users: [{ name: 'u1', user }],
    contexts: [
      { name: 'main', context: { cluster: 'c1', user: 'u1', namespace: 'team' } },
      { name: 'other', context: { cluster: 'c1', user: 'u1' } },
    ],
  };
}

function write(name: string, content: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : stringify(content));
  return file;
}

describe('kubeconfig', () => {
  it('reads embedded certificate data from the current context', () => {
    const file = write(
      'embedded.yaml',
      doc({ 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') }),
    );
    const cfg = loadKubeconfig(file);
    expect(cfg.server).toBe('https://127.0.0.1:6443');
    expect(cfg.ca?.toString()).toBe('CA');
    expect(cfg.cert?.toString()).toBe('CERT');
    expect(cfg.key?.toString()).toBe('KEY');
    expect(cfg.namespace).toBe('team');
    expect(cfg.token).toBeUndefined();
    expect(cfg.source).toBe(file);
  });

  it('reads file references relative to the kubeconfig directory', () => {
    fs.mkdirSync(path.join(dir, 'pki'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'pki', 'ca.crt'), 'CA-FILE');
    fs.writeFileSync(path.join(dir, 'pki', 'client.crt'), 'CERT-FILE');
    fs.writeFileSync(path.join(dir, 'pki', 'client.key'), 'KEY-FILE');
    const d = doc({
      'client-certificate': 'pki/client.crt',
      'client-key': path.join(dir, 'pki', 'client.key'),
    });
    const cluster = (d['clusters'] as { cluster: Record<string, unknown> }[])[0]!.cluster;
    delete cluster['certificate-authority-data'];
    cluster['certificate-authority'] = 'pki/ca.crt';
    const cfg = loadKubeconfig(write('paths.yaml', d));
    expect(cfg.ca?.toString()).toBe('CA-FILE');
    expect(cfg.cert?.toString()).toBe('CERT-FILE');
    expect(cfg.key?.toString()).toBe('KEY-FILE');
  });

  it('reads a bearer token or a token file, and a named context', () => {
    expect(loadKubeconfig(write('token.yaml', doc({ token: 'abc' }))).token).toBe('abc');
    fs.writeFileSync(path.join(dir, 'sa-token'), 'from-file\n');
    const cfg = loadKubeconfig(write('tokenfile.yaml', doc({ tokenFile: 'sa-token' })), { context: 'other' });
    expect(cfg.token).toBe('from-file');
    expect(cfg.tokenFile).toBe(path.join(dir, 'sa-token'));
    expect(cfg.namespace).toBeUndefined();
  });

  it('carries insecure-skip-tls-verify and tls-server-name', () => {
    const cfg = parseKubeconfig(
      stringify(doc({ token: 't' }, { 'insecure-skip-tls-verify': true, 'tls-server-name': 'kubernetes' })),
      '/x/config',
    );
    expect(cfg.insecureSkipTlsVerify).toBe(true);
    expect(cfg.tlsServerName).toBe('kubernetes');
  });

  it('names the file and the missing field', () => {
    const err = (text: string): string => {
      try {
        parseKubeconfig(text, '/etc/k8ts/agent.kubeconfig');
      } catch (e) {
        expect(e).toBeInstanceOf(KubeconfigError);
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    const base = doc({ token: 't' });
    expect(err(stringify({ ...base, 'current-context': undefined }))).toBe(
      'kubeconfig /etc/k8ts/agent.kubeconfig: current-context is not set',
    );
    expect(err(stringify({ ...base, 'current-context': 'nope' }))).toBe(
      'kubeconfig /etc/k8ts/agent.kubeconfig: no entry named "nope" in "contexts"',
    );
    expect(err(stringify({ ...base, clusters: [] }))).toBe(
      'kubeconfig /etc/k8ts/agent.kubeconfig: no entry named "c1" in "clusters"',
    );
    expect(err(stringify({ ...base, clusters: [{ name: 'c1', cluster: {} }] }))).toBe(
      'kubeconfig /etc/k8ts/agent.kubeconfig: clusters["c1"].cluster.server is not set',
    );
    expect(err(stringify(doc({ 'client-certificate-data': b64('CERT') })))).toBe(
      'kubeconfig /etc/k8ts/agent.kubeconfig: users["u1"].user has a client certificate but no client-key',
    );
    expect(err(stringify(doc({})))).toMatch(/users\["u1"\]\.user has no credentials/);
    expect(err(stringify(doc({ exec: { command: 'x' } })))).toMatch(
      /users\["u1"\]\.user\.exec is not supported/,
    );
    expect(err(stringify(doc({ 'client-certificate': 'missing.crt', 'client-key-data': b64('K') })))).toMatch(
      /users\["u1"\]\.user\.client-certificate: cannot read \/etc\/k8ts\/missing\.crt/,
    );
    expect(err('{')).toMatch(/^kubeconfig \/etc\/k8ts\/agent\.kubeconfig: not valid YAML/);
    expect(() => loadKubeconfig(path.join(dir, 'absent'))).toThrow(/kubeconfig .*absent: cannot read/);
  });
});
