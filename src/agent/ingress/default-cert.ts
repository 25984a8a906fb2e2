/**
 * The certificate port 443 serves when the client's SNI name matches no Ingress TLS entry: a fresh
 * self-signed pair per agent start (clients that reach it get a certificate they cannot verify, as
 * with any ingress controller's fallback certificate).
 *
 * It is made in a short-lived node process of its own ({@link defaultCertificatePem}): the X.509
 * library, its ASN.1 schemas and the WebCrypto modules under them would otherwise stay in the agent's
 * heap for the rest of its life (~4 MiB, measured), for one certificate per start. The child runs
 * {@link generateDefaultCertificatePem}.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Common name of the fallback certificate. */
export const DEFAULT_CERT_NAME = 'k8ts ingress default certificate';

/** Bound on the helper process; it takes ~0.3 s. */
const HELPER_TIMEOUT_MS = 30_000;

/** The fallback certificate chain and key as one PEM text, made in this process. */
export async function generateDefaultCertificatePem(): Promise<string> {
  const { createCertificateAuthority, issueCertificate } = await import('../../pki/certs.js');
  const ca = await createCertificateAuthority('k8ts-ingress-default-ca');
  const leaf = await issueCertificate(ca, {
    commonName: DEFAULT_CERT_NAME,
    usage: 'server',
    sans: { dns: ['ingress.local'], ips: [] },
  });
  return `${leaf.certPem.trimEnd()}\n${ca.certPem.trimEnd()}\n${leaf.keyPem.trimEnd()}\n`;
}

/**
 * {@link generateDefaultCertificatePem} in a child node process that exits afterwards. Run from the
 * TypeScript sources (tests), the child loads them through tsx, as its parent does.
 */
export function defaultCertificatePem(): Promise<string> {
  const fromSource = import.meta.url.endsWith('.ts');
  const code =
    `const m = await import(${JSON.stringify(import.meta.url)});\n` +
    'process.stdout.write(await m.generateDefaultCertificatePem());\n';
  const args = [...(fromSource ? ['--import', 'tsx'] : []), '--input-type=module', '-e', code];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: HELPER_TIMEOUT_MS,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const pem = Buffer.concat(out).toString();
      if (code === 0 && pem.includes('PRIVATE KEY')) return resolve(pem);
      const why = Buffer.concat(err).toString().trim().split('\n').pop() ?? '';
      reject(
        new Error(
          `making the default ingress certificate failed (${signal ?? `exit ${String(code)}`})${why ? `: ${why}` : ''}`,
        ),
      );
    });
  });
}
