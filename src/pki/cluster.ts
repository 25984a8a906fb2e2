/**
 * The cluster's PKI on disk, created on first start of `k8ts server` and reused after:
 *
 *   DATA/tls/ (0700)
 *     server-ca.crt, server-ca.key           CA that signs serving certificates (clients trust it)
 *     client-ca.crt, client-ca.key           CA that signs client certificates (the server trusts it)
 *     serving-kube-apiserver.crt, .key       the API server's serving certificate
 *     client-admin.crt, client-admin.key     CN=system:admin, O=system:masters
 *     client-kube-apiserver-kubelet.crt, .key  CN=kube-apiserver-kubelet-client (the API server
 *                                            calling kubelets: logs, exec, attach, port-forward)
 *   DATA/kubeconfig.yaml (0600)             admin kubeconfig
 *
 * Two CAs, as k3s: a certificate that the server CA signed for serving (an agent's kubelet, say) can
 * never be presented as a client identity, and each CA can be replaced without touching the other.
 * Keys are 0600. Leaf certificates are re-issued at start when they are missing, not signed by the
 * current CA, not matching their key, within RENEW_BEFORE_DAYS of expiry, or (serving) when the SAN
 * list changed. Checking uses Node's crypto only; the X.509 library is loaded when something must be
 * issued.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { X509Certificate } from 'node:crypto';
import {
  RENEW_BEFORE_DAYS,
  createCertificateAuthority,
  issueCertificate,
  issueClientCertificate,
  loadCertificateAuthority,
  type CertificateAuthority,
  type IssuedCertificate,
} from './certs.js';
import {
  certificateSans,
  expiresWithin,
  keyMatches,
  notAfter,
  parseCertificate,
  sameSans,
  signedBy,
  subjectIdentity,
  type SubjectAltNames,
} from './inspect.js';
import { kubeconfigYaml, localServerUrl } from './kubeconfig.js';
import { servingSans, type ServingSanOptions } from './sans.js';

/** The admin identity of the generated kubeconfig. */
export const ADMIN_USER = 'system:admin';
export const ADMIN_GROUP = 'system:masters';
/** The identity the API server presents to kubelets (kubeadm's name for it); kubelets allow it. */
export const KUBELET_CLIENT_USER = 'kube-apiserver-kubelet-client';

export interface ClusterPkiOptions extends ServingSanOptions {
  /** The data directory (DATA); certificates go to DATA/tls. */
  dataDir: string;
  /** The API server's HTTPS port, for the kubeconfig's server URL (6443). */
  port: number;
  /** The clock; tests inject one. */
  now?: () => Date;
}

/** File paths of the PKI. */
export interface ClusterPkiPaths {
  dir: string;
  serverCaCert: string;
  serverCaKey: string;
  clientCaCert: string;
  clientCaKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  kubeletClientCert: string;
  kubeletClientKey: string;
  kubeconfig: string;
}

/** The loaded PKI: what the server needs for TLS, and the CAs to issue more certificates. */
export interface ClusterPki {
  paths: ClusterPkiPaths;
  serverCA: CertificateAuthority;
  clientCA: CertificateAuthority;
  serving: { certPem: string; keyPem: string; sans: SubjectAltNames; notAfter: Date };
  admin: { certPem: string; keyPem: string };
  /** The API server's client certificate for kubelets (CN=kube-apiserver-kubelet-client). */
  kubeletClient: { certPem: string; keyPem: string };
  /** What this start created or re-issued, for the log (e.g. "server CA created", "serving certificate renewed: SANs changed"). */
  changes: string[];
}

/** The paths of a data directory's PKI. */
export function clusterPkiPaths(dataDir: string): ClusterPkiPaths {
  const dir = join(dataDir, 'tls');
  return {
    dir,
    serverCaCert: join(dir, 'server-ca.crt'),
    serverCaKey: join(dir, 'server-ca.key'),
    clientCaCert: join(dir, 'client-ca.crt'),
    clientCaKey: join(dir, 'client-ca.key'),
    servingCert: join(dir, 'serving-kube-apiserver.crt'),
    servingKey: join(dir, 'serving-kube-apiserver.key'),
    adminCert: join(dir, 'client-admin.crt'),
    adminKey: join(dir, 'client-admin.key'),
    kubeletClientCert: join(dir, 'client-kube-apiserver-kubelet.crt'),
    kubeletClientKey: join(dir, 'client-kube-apiserver-kubelet.key'),
    kubeconfig: join(dataDir, 'kubeconfig.yaml'),
  };
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes through a temporary file and rename, so a crash never leaves half a key. */
async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data, { mode });
  await chmod(tmp, mode);
  await rename(tmp, path);
}

async function ensureCA(
  certPath: string,
  keyPath: string,
  commonName: string,
  now: Date,
  changes: string[],
  label: string,
): Promise<CertificateAuthority> {
  const [certText, keyText] = await Promise.all([readIfExists(certPath), readIfExists(keyPath)]);
  if (certText !== undefined && keyText !== undefined) {
    try {
      const ca = await loadCertificateAuthority(certText, keyText);
      await chmod(keyPath, 0o600);
      return ca;
    } catch (err) {
      throw new Error(
        `cannot load ${label} from ${certPath} and ${keyPath}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  if (certText !== undefined || keyText !== undefined) {
    throw new Error(
      `${label}: found only one of ${certPath} and ${keyPath}; restore the missing file or remove both to create a new CA`,
    );
  }
  const ca = await createCertificateAuthority(`${commonName}@${Math.floor(now.getTime() / 1000)}`, now);
  await writeAtomic(keyPath, ca.keyPem, 0o600);
  await writeAtomic(certPath, ca.certPem, 0o644);
  changes.push(`${label} created`);
  return ca;
}

/** Why an existing leaf must be re-issued, or undefined when it can stay. */
function leafProblem(
  certText: string | undefined,
  keyText: string | undefined,
  ca: CertificateAuthority,
  now: Date,
  check: (cert: X509Certificate) => string | undefined,
): string | undefined {
  if (certText === undefined || keyText === undefined) return 'missing';
  let cert: X509Certificate;
  try {
    cert = parseCertificate(certText);
  } catch {
    return 'unreadable';
  }
  if (!signedBy(cert, ca.cert)) return 'not signed by the current CA';
  if (!keyMatches(cert, keyText)) return 'key does not match';
  if (expiresWithin(cert, RENEW_BEFORE_DAYS, now)) return `expires ${notAfter(cert).toISOString()}`;
  return check(cert);
}

async function writeLeaf(certPath: string, keyPath: string, issued: IssuedCertificate): Promise<void> {
  await writeAtomic(keyPath, issued.keyPem, 0o600);
  await writeAtomic(certPath, issued.certPem, 0o644);
}

/**
 * Creates or loads the cluster PKI in DATA/tls and writes DATA/kubeconfig.yaml for the admin. Safe to
 * call on every start: it reuses what is valid and re-issues what is not.
 */
export async function ensureClusterPki(opts: ClusterPkiOptions): Promise<ClusterPki> {
  const now = (opts.now ?? (() => new Date()))();
  const paths = clusterPkiPaths(opts.dataDir);
  const changes: string[] = [];
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  await chmod(paths.dir, 0o700);

  const serverCA = await ensureCA(
    paths.serverCaCert,
    paths.serverCaKey,
    'k8ts-server-ca',
    now,
    changes,
    'server CA',
  );
  const clientCA = await ensureCA(
    paths.clientCaCert,
    paths.clientCaKey,
    'k8ts-client-ca',
    now,
    changes,
    'client CA',
  );

  // Serving certificate.
  const sans = servingSans(opts);
  let servingCert = await readIfExists(paths.servingCert);
  let servingKey = await readIfExists(paths.servingKey);
  const servingProblem = leafProblem(servingCert, servingKey, serverCA, now, (cert) =>
    sameSans(certificateSans(cert), sans) ? undefined : 'SANs changed',
  );
  if (servingProblem !== undefined) {
    const issued = await issueCertificate(serverCA, {
      commonName: 'kube-apiserver',
      usage: 'server',
      sans,
      now,
    });
    await writeLeaf(paths.servingCert, paths.servingKey, issued);
    servingCert = issued.certPem;
    servingKey = issued.keyPem;
    changes.push(`serving certificate issued (${servingProblem})`);
  } else {
    await chmod(paths.servingKey, 0o600);
  }

  // Admin client certificate.
  let adminCert = await readIfExists(paths.adminCert);
  let adminKey = await readIfExists(paths.adminKey);
  const adminProblem = leafProblem(adminCert, adminKey, clientCA, now, (cert) => {
    const { commonName, organizations } = subjectIdentity(cert);
    return commonName === ADMIN_USER && organizations.includes(ADMIN_GROUP) ? undefined : 'wrong subject';
  });
  if (adminProblem !== undefined) {
    const issued = await issueClientCertificate(clientCA, { name: ADMIN_USER, groups: [ADMIN_GROUP], now });
    await writeLeaf(paths.adminCert, paths.adminKey, issued);
    adminCert = issued.certPem;
    adminKey = issued.keyPem;
    changes.push(`admin client certificate issued (${adminProblem})`);
  } else {
    await chmod(paths.adminKey, 0o600);
  }
  // The API server's client certificate for kubelets.
  let kubeletCert = await readIfExists(paths.kubeletClientCert);
  let kubeletKey = await readIfExists(paths.kubeletClientKey);
  const kubeletProblem = leafProblem(kubeletCert, kubeletKey, clientCA, now, (cert) =>
    subjectIdentity(cert).commonName === KUBELET_CLIENT_USER ? undefined : 'wrong subject',
  );
  if (kubeletProblem !== undefined) {
    const issued = await issueClientCertificate(clientCA, { name: KUBELET_CLIENT_USER, now });
    await writeLeaf(paths.kubeletClientCert, paths.kubeletClientKey, issued);
    kubeletCert = issued.certPem;
    kubeletKey = issued.keyPem;
    changes.push(`kubelet client certificate issued (${kubeletProblem})`);
  } else {
    await chmod(paths.kubeletClientKey, 0o600);
  }
  if (
    kubeletCert === undefined ||
    kubeletKey === undefined ||
    servingCert === undefined ||
    servingKey === undefined ||
    adminCert === undefined ||
    adminKey === undefined
  ) {
    throw new Error('internal error: certificates missing after issuing');
  }

  // Admin kubeconfig.
  const kubeconfig = kubeconfigYaml({
    server: localServerUrl(opts.port),
    caPem: serverCA.certPem,
    certPem: adminCert,
    keyPem: adminKey,
  });
  if ((await readIfExists(paths.kubeconfig)) !== kubeconfig) {
    await writeAtomic(paths.kubeconfig, kubeconfig, 0o600);
    changes.push('admin kubeconfig written');
  } else {
    await chmod(paths.kubeconfig, 0o600);
  }

  const serving = parseCertificate(servingCert);
  return {
    paths,
    serverCA,
    clientCA,
    serving: {
      certPem: servingCert,
      keyPem: servingKey,
      sans: certificateSans(serving),
      notAfter: notAfter(serving),
    },
    admin: { certPem: adminCert, keyPem: adminKey },
    kubeletClient: { certPem: kubeletCert, keyPem: kubeletKey },
    changes,
  };
}

/**
 * Node `tls`/`https` server options for the API server: the serving certificate, and client
 * certificates requested and verified against the client CA. Unverified or absent client
 * certificates do not end the handshake (rejectUnauthorized false), so anonymous and token requests
 * still reach the server; the server passes a peer certificate to authentication only when
 * `socket.authorized` is true.
 */
export function tlsServerOptions(pki: ClusterPki): {
  cert: string;
  key: string;
  ca: string;
  requestCert: true;
  rejectUnauthorized: false;
} {
  return {
    cert: pki.serving.certPem,
    key: pki.serving.keyPem,
    ca: pki.clientCA.certPem,
    requestCert: true,
    rejectUnauthorized: false,
  };
}

/** A kubeconfig for a user with a fresh client certificate (e.g. CN=jane, O=dev) from the client CA. */
export async function userKubeconfig(
  pki: ClusterPki,
  user: { name: string; groups?: string[]; port: number; validityDays?: number; now?: Date },
): Promise<string> {
  const issued = await issueClientCertificate(pki.clientCA, user);
  return kubeconfigYaml({
    server: localServerUrl(user.port),
    caPem: pki.serverCA.certPem,
    certPem: issued.certPem,
    keyPem: issued.keyPem,
  });
}
