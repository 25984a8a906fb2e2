/**
 * Reads the admin kubeconfig that `k8ts server` writes (DATA/kubeconfig.yaml): server URL, CA and the
 * embedded client certificate and key.
 */
import fs from 'node:fs';
import { parse } from 'yaml';

/** Everything a TLS client needs to talk to the server as the kubeconfig's user. */
export interface ClientCredentials {
  /** e.g. https://127.0.0.1:6443 */
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

function field(obj: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

function b64Field(obj: unknown, what: string, ...path: (string | number)[]): string {
  const v = field(obj, ...path);
  if (typeof v !== 'string') throw new Error(`kubeconfig has no ${what} (${path.join('.')})`);
  return Buffer.from(v, 'base64').toString('utf8');
}

/** Parses the first cluster and user of a kubeconfig file with embedded data. */
export function readKubeconfig(file: string): ClientCredentials {
  const doc: unknown = parse(fs.readFileSync(file, 'utf8'));
  const server = field(doc, 'clusters', 0, 'cluster', 'server');
  if (typeof server !== 'string') throw new Error(`kubeconfig ${file} has no clusters[0].cluster.server`);
  return {
    server,
    caPem: b64Field(doc, 'CA', 'clusters', 0, 'cluster', 'certificate-authority-data'),
    certPem: b64Field(doc, 'client certificate', 'users', 0, 'user', 'client-certificate-data'),
    keyPem: b64Field(doc, 'client key', 'users', 0, 'user', 'client-key-data'),
  };
}
