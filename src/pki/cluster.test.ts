import { X509Certificate as NodeX509, createPrivateKey } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type { NetworkInterfaceInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { ensureClusterPki, tlsServerOptions, userKubeconfig, type ClusterPkiOptions } from './cluster.js';

const interfaces = (): NodeJS.Dict<NetworkInterfaceInfo[]> => ({
  lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '', internal: true, cidr: null }],
  eth0: [
    { address: '192.0.2.10', netmask: '255.255.255.0', family: 'IPv4', mac: '', internal: false, cidr: null },
    {
      address: '2001:db8::10',
      netmask: 'ffff:ffff:ffff:ffff::',
      family: 'IPv6',
      mac: '',
      internal: false,
      cidr: null,
      scopeid: 0,
    },
    {
      address: 'fe80::1',
      netmask: 'ffff:ffff:ffff:ffff::',
      family: 'IPv6',
      mac: '',
      internal: false,
      cidr: null,
      scopeid: 2,
    },
  ],
});

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'k8ts-pki-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function options(extra: Partial<ClusterPkiOptions> = {}): ClusterPkiOptions {
  return { dataDir, port: 6443, hostname: 'node-a', networkInterfaces: interfaces, ...extra };
}

interface Kubeconfig {
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { name: string; user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
  'current-context': string;
}

const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

describe('ensureClusterPki', () => {
  it('creates CAs, a serving certificate with every SAN, and an admin kubeconfig', async () => {
    const pki = await ensureClusterPki(options({ tlsSans: ['api.example.com', '203.0.113.7'] }));
    expect(pki.changes).toEqual([
      'server CA created',
      'client CA created',
      'serving certificate issued (missing)',
      'admin client certificate issued (missing)',
      'kubelet client certificate issued (missing)',
      'admin kubeconfig written',
    ]);

    const serverCa = new NodeX509(pki.serverCA.certPem);
    const clientCa = new NodeX509(pki.clientCA.certPem);
    expect(serverCa.ca).toBe(true);
    expect(serverCa.fingerprint256).not.toBe(clientCa.fingerprint256);
    const caYears = (Date.parse(serverCa.validTo) - Date.now()) / (365 * 86400_000);
    expect(caYears).toBeGreaterThan(9.9);

    const serving = new NodeX509(pki.serving.certPem);
    expect(serving.verify(serverCa.publicKey)).toBe(true);
    expect(serving.verify(clientCa.publicKey)).toBe(false);
    for (const host of [
      'node-a',
      'localhost',
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
      'api.example.com',
    ]) {
      expect(serving.checkHost(host), host).toBe(host);
    }
    for (const ip of ['127.0.0.1', '::1', '10.43.0.1', '192.0.2.10', '2001:db8::10', '203.0.113.7']) {
      expect(serving.checkIP(ip), ip).toBe(ip);
    }
    expect(serving.checkIP('fe80::1')).toBeUndefined();
    const servingDays = (Date.parse(serving.validTo) - Date.now()) / 86400_000;
    expect(servingDays).toBeGreaterThan(364);
    expect(servingDays).toBeLessThan(366);

    const admin = new NodeX509(pki.admin.certPem);
    expect(admin.verify(clientCa.publicKey)).toBe(true);
    expect(admin.subject).toContain('CN=system:admin');
    expect(admin.subject).toContain('O=system:masters');

    const tls = join(dataDir, 'tls');
    expect((await stat(tls)).mode & 0o777).toBe(0o700);
    for (const key of ['server-ca.key', 'client-ca.key', 'serving-kube-apiserver.key', 'client-admin.key']) {
      expect((await stat(join(tls, key))).mode & 0o777, key).toBe(0o600);
    }
    expect((await stat(join(dataDir, 'kubeconfig.yaml'))).mode & 0o777).toBe(0o600);

    const kc = parse(await readFile(join(dataDir, 'kubeconfig.yaml'), 'utf8')) as Kubeconfig;
    expect(kc['current-context']).toBe('default');
    expect(kc.clusters[0]?.name).toBe('default');
    expect(kc.clusters[0]?.cluster.server).toBe('https://127.0.0.1:6443');
    expect(unb64(kc.clusters[0]?.cluster['certificate-authority-data'] ?? '')).toBe(pki.serverCA.certPem);
    expect(unb64(kc.users[0]?.user['client-certificate-data'] ?? '')).toBe(pki.admin.certPem);
    expect(unb64(kc.users[0]?.user['client-key-data'] ?? '')).toContain('BEGIN PRIVATE KEY');
    expect(kc.contexts[0]?.context).toEqual({ cluster: 'default', user: 'default' });
  });

  it('reuses everything on restart and re-issues the serving certificate when SANs change', async () => {
    const first = await ensureClusterPki(options());
    const second = await ensureClusterPki(options());
    expect(second.changes).toEqual([]);
    expect(second.serverCA.certPem).toBe(first.serverCA.certPem);
    expect(second.serving.certPem).toBe(first.serving.certPem);
    expect(second.admin.certPem).toBe(first.admin.certPem);

    const third = await ensureClusterPki(options({ tlsSans: ['k8ts.example.org'] }));
    expect(third.changes).toEqual(['serving certificate issued (SANs changed)']);
    expect(third.serverCA.certPem).toBe(first.serverCA.certPem);
    expect(third.admin.certPem).toBe(first.admin.certPem);
    expect(new NodeX509(third.serving.certPem).checkHost('k8ts.example.org')).toBe('k8ts.example.org');
  });

  it('checks existing certificates on restart without loading the X.509 library', async () => {
    const first = await ensureClusterPki(options());
    vi.resetModules();
    const cluster = await import('./cluster.js');
    const library = await import('./x509.js');
    const second = await cluster.ensureClusterPki(options());
    expect(second.changes).toEqual([]);
    expect(second.serving.certPem).toBe(first.serving.certPem);
    expect(library.x509LibraryRequested()).toBe(false);
    // A changed SAN list needs a new serving certificate, so the library is loaded then.
    const third = await cluster.ensureClusterPki(options({ tlsSans: ['10.9.8.7'] }));
    expect(third.changes).toEqual(['serving certificate issued (SANs changed)']);
    expect(library.x509LibraryRequested()).toBe(true);
  });

  it('re-issues a leaf certificate whose key file holds another key', async () => {
    const first = await ensureClusterPki(options());
    const tls = join(dataDir, 'tls');
    await copyFile(join(tls, 'client-admin.key'), join(tls, 'serving-kube-apiserver.key'));
    const second = await ensureClusterPki(options());
    expect(second.changes).toEqual(['serving certificate issued (key does not match)']);
    expect(second.serving.certPem).not.toBe(first.serving.certPem);
    expect(
      new NodeX509(second.serving.certPem).checkPrivateKey(createPrivateKey(second.serving.keyPem)),
    ).toBe(true);
  });

  it('re-issues the serving certificate when the server CA is replaced', async () => {
    await ensureClusterPki(options());
    const tls = join(dataDir, 'tls');
    await rm(join(tls, 'server-ca.crt'));
    await rm(join(tls, 'server-ca.key'));
    const second = await ensureClusterPki(options());
    expect(second.changes).toEqual([
      'server CA created',
      'serving certificate issued (not signed by the current CA)',
      'admin kubeconfig written',
    ]);
    expect(new NodeX509(second.serving.certPem).verify(new NodeX509(second.serverCA.certPem).publicKey)).toBe(
      true,
    );
  });

  it('renews leaf certificates within 90 days of expiry', async () => {
    const first = await ensureClusterPki(options());
    const later = new Date(Date.now() + 280 * 86400_000);
    const renewed = await ensureClusterPki(options({ now: () => later }));
    expect(renewed.changes).toEqual([
      expect.stringMatching(/^serving certificate issued \(expires /),
      expect.stringMatching(/^admin client certificate issued \(expires /),
      expect.stringMatching(/^kubelet client certificate issued \(expires /),
      'admin kubeconfig written',
    ]);
    expect(renewed.serverCA.certPem).toBe(first.serverCA.certPem);
    expect(renewed.serving.notAfter.getTime()).toBeGreaterThan(first.serving.notAfter.getTime());
  });

  it('issues a restricted user kubeconfig from the client CA', async () => {
    const pki = await ensureClusterPki(options());
    const kc = parse(await userKubeconfig(pki, { name: 'jane', groups: ['dev'], port: 7443 })) as Kubeconfig;
    expect(kc.clusters[0]?.cluster.server).toBe('https://127.0.0.1:7443');
    const cert = new NodeX509(unb64(kc.users[0]?.user['client-certificate-data'] ?? ''));
    expect(cert.subject.split('\n').sort()).toEqual(['CN=jane', 'O=dev']);
    expect(cert.verify(new NodeX509(pki.clientCA.certPem).publicKey)).toBe(true);
  });

  it('serves TLS that a client verifies and that verifies the client certificate', async () => {
    const pki = await ensureClusterPki(options());
    const server = createServer(tlsServerOptions(pki), (socket: TLSSocket) => {
      const peer = socket.getPeerCertificate();
      socket.end(JSON.stringify({ authorized: socket.authorized, cn: peer.subject?.CN, o: peer.subject?.O }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const request = (cert?: string, key?: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port, ca: pki.serverCA.certPem, cert, key }, () => {
          let data = '';
          socket.on('data', (d: Buffer) => (data += d.toString()));
          socket.on('end', () => resolve(data));
        });
        socket.on('error', reject);
      });
    try {
      expect(JSON.parse(await request(pki.admin.certPem, pki.admin.keyPem))).toEqual({
        authorized: true,
        cn: 'system:admin',
        o: 'system:masters',
      });
      expect(JSON.parse(await request())).toMatchObject({ authorized: false });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
