/**
 * A throwaway PKI for TLS tests, written as PEM files: a CA, a serving certificate for
 * 127.0.0.1/localhost and a client certificate (made with k8ts' own src/pki).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createCertificateAuthority, issueCertificate } from '../../pki/certs.js';

/** The files {@link makeTestPki} writes. */
export interface TestPki {
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
}

/** Writes a CA, a server and a client certificate (with keys) into `dir`. */
export async function makeTestPki(dir: string): Promise<TestPki> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = await createCertificateAuthority('k8ts-test-etcd-ca');
  const server = await issueCertificate(ca, {
    commonName: 'etcd-server',
    usage: 'server',
    sans: { dns: ['localhost'], ips: ['127.0.0.1'] },
  });
  const client = await issueCertificate(ca, { commonName: 'k8ts-apiserver', usage: 'client' });
  const files: TestPki = {
    caFile: path.join(dir, 'ca.crt'),
    serverCertFile: path.join(dir, 'server.crt'),
    serverKeyFile: path.join(dir, 'server.key'),
    clientCertFile: path.join(dir, 'client.crt'),
    clientKeyFile: path.join(dir, 'client.key'),
  };
  fs.writeFileSync(files.caFile, ca.certPem);
  fs.writeFileSync(files.serverCertFile, server.certPem);
  fs.writeFileSync(files.serverKeyFile, server.keyPem, { mode: 0o600 });
  fs.writeFileSync(files.clientCertFile, client.certPem);
  fs.writeFileSync(files.clientKeyFile, client.keyPem, { mode: 0o600 });
  return files;
}
