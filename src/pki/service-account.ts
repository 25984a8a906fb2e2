/**
 * The key that signs service-account tokens, kept beside the cluster PKI:
 *
 *   DATA/tls/service-account.key   RSA 2048 private key, PKCS#8 PEM, 0600
 *   DATA/tls/service-account.pub   its public key, SubjectPublicKeyInfo PEM, 0644
 *
 * Created on the first start of `k8ts server` and reused after. Tokens are RS256 JWTs: RSA is what
 * upstream's key files hold, what every OIDC relying party accepts, and an RSA signature is cheap to
 * verify, which is the operation the API server repeats on every request that carries a token.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

/** Smallest RSA modulus accepted from an existing key file. */
const MIN_RSA_BITS = 2048;

/** Where the signing key lives in a data directory. */
export interface ServiceAccountKeyPaths {
  key: string;
  pub: string;
}

/** The loaded signing key. */
export interface ServiceAccountKey {
  paths: ServiceAccountKeyPaths;
  privateKeyPem: string;
  publicKeyPem: string;
  /** The `kid` of tokens signed with this key: unpadded base64url of the SHA-256 of the DER public key. */
  keyId: string;
  /** What this start created or repaired, for the log. */
  changes: string[];
}

/** The key file paths of a data directory. */
export function serviceAccountKeyPaths(dataDir: string): ServiceAccountKeyPaths {
  const dir = join(dataDir, 'tls');
  return { key: join(dir, 'service-account.key'), pub: join(dir, 'service-account.pub') };
}

/** The key ID upstream derives from a public key, so tools that compare `kid`s agree with us. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data, { mode });
  await chmod(tmp, mode);
  await rename(tmp, path);
}

function loadPrivateKey(pem: string, path: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new Error(
      `cannot load the service-account signing key ${path}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < MIN_RSA_BITS) {
    throw new Error(
      `the service-account signing key ${path} must be an RSA key of at least ${MIN_RSA_BITS} bits (found ${key.asymmetricKeyType ?? 'unknown'}${bits ? ` ${bits}` : ''}); remove it to create a new one`,
    );
  }
  return key;
}

/**
 * Loads DATA/tls/service-account.key, creating it (and the .pub beside it) when missing; rewrites the
 * .pub when it is missing or does not match the private key. Safe to call on every start.
 */
export async function ensureServiceAccountKey(dataDir: string): Promise<ServiceAccountKey> {
  const paths = serviceAccountKeyPaths(dataDir);
  await mkdir(join(dataDir, 'tls'), { recursive: true, mode: 0o700 });
  const changes: string[] = [];
  let privateKeyPem = await readIfExists(paths.key);
  let privateKey: KeyObject;
  if (privateKeyPem === undefined) {
    const pair = await generateKeyPairAsync('rsa', { modulusLength: MIN_RSA_BITS });
    privateKey = pair.privateKey;
    privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await writeAtomic(paths.key, privateKeyPem, 0o600);
    changes.push('service-account signing key created');
  } else {
    privateKey = loadPrivateKey(privateKeyPem, paths.key);
    await chmod(paths.key, 0o600);
  }
  const publicKey = createPublicKey(privateKey);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  if ((await readIfExists(paths.pub)) !== publicKeyPem) {
    await writeAtomic(paths.pub, publicKeyPem, 0o644);
    if (!changes.length) changes.push('service-account public key written');
  }
  return { paths, privateKeyPem, publicKeyPem, keyId: keyIdOf(publicKey), changes };
}
