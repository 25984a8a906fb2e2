/** Turning k8ts' etcd settings (endpoint list, TLS files) into connection options. */
import fs from 'node:fs';

/** TLS material for https endpoints, as file paths (PEM). */
export interface EtcdTlsFiles {
  /** CA bundle that signed the etcd server certificates; absent: the system roots. */
  caFile?: string;
  /** Client certificate, for etcd's --client-cert-auth. Needs keyFile. */
  certFile?: string;
  /** Client private key. Needs certFile. */
  keyFile?: string;
}

/** Splits `http://a:2379,http://b:2379` (or a list) into trimmed URLs; all http or all https. */
export function parseEndpoints(endpoints: string | string[]): string[] {
  const list = (Array.isArray(endpoints) ? endpoints : endpoints.split(','))
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (list.length === 0) throw new Error('no etcd endpoints given');
  for (const e of list) {
    if (!/^https?:\/\/[^/]+\/?$/.test(e)) {
      throw new Error(
        `invalid etcd endpoint ${JSON.stringify(e)}: want http://host:port or https://host:port`,
      );
    }
  }
  const secure = list.filter((e) => e.startsWith('https://')).length;
  if (secure !== 0 && secure !== list.length) {
    throw new Error(`etcd endpoints mix http and https: ${list.join(',')}`);
  }
  return list.map((e) => e.replace(/\/$/, ''));
}

function readPem(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read etcd ${what} ${file}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}

/** TLS material read from the files (PEM). */
export interface EtcdTlsMaterial {
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** The TLS material for the connections, or undefined for plain http / system-root https. */
export function tlsCredentials(
  endpoints: string[],
  tls: EtcdTlsFiles | undefined,
): EtcdTlsMaterial | undefined {
  if (!tls || (!tls.caFile && !tls.certFile && !tls.keyFile)) return undefined;
  if (!endpoints.every((e) => e.startsWith('https://'))) {
    throw new Error('etcd TLS files were given but the endpoints are not https://');
  }
  if (Boolean(tls.certFile) !== Boolean(tls.keyFile)) {
    throw new Error('etcd client certificate and key must be given together');
  }
  if (!tls.caFile) {
    throw new Error('an etcd client certificate needs the CA file of the etcd servers as well');
  }
  const creds: EtcdTlsMaterial = { ca: readPem(tls.caFile, 'CA file') };
  if (tls.certFile && tls.keyFile) {
    creds.cert = readPem(tls.certFile, 'client certificate');
    creds.key = readPem(tls.keyFile, 'client key');
  }
  return creds;
}
