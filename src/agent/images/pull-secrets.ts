/**
 * Credentials from a pod's `imagePullSecrets`: Secrets of type `kubernetes.io/dockerconfigjson`
 * (key `.dockerconfigjson`, `{"auths": {REGISTRY: ENTRY}}`) and legacy `kubernetes.io/dockercfg`
 * (key `.dockercfg`, `{REGISTRY: ENTRY}`), matched against an image like the kubelet's keyring:
 *
 * - a registry key may carry a scheme, a port and a path (`https://quay.io/team`); `/v1/` and `/v2/`
 *   path prefixes stand for the bare host;
 * - a key matches an image when the ports are equal, the hosts have the same number of dot-separated
 *   parts and each part matches (glob patterns such as `*.example.com` allowed), and the key's path is
 *   a prefix of the image's repository path;
 * - more specific keys come first (keys sorted in reverse), all matches are returned so the kubelet can
 *   try each in turn;
 * - when nothing matches, an image on Docker Hub gets the credentials of `index.docker.io` (the key
 *   `docker login` writes, `https://index.docker.io/v1/`), or else of `registry-1.docker.io`.
 */
import { parseImageRef, DOCKER_HUB } from './reference.js';
import type { AuthConfig } from './types.js';

export { parseImageRef, defaultPullPolicy, InvalidImageRefError, type ImageRef } from './reference.js';

/** Secret types and keys holding Docker credentials. */
export const DOCKER_CONFIG_JSON_TYPE = 'kubernetes.io/dockerconfigjson';
export const DOCKER_CONFIG_JSON_KEY = '.dockerconfigjson';
export const DOCKERCFG_TYPE = 'kubernetes.io/dockercfg';
export const DOCKERCFG_KEY = '.dockercfg';

/** The parts of a Secret this module reads (`data` values base64, as in the API). */
export interface PullSecret {
  metadata?: { name?: string; namespace?: string };
  type?: string;
  data?: Record<string, string>;
}

/** A Secret whose Docker config cannot be read. */
export class PullSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PullSecretError';
  }
}

/**
 * Keys whose credentials serve Docker Hub images when no key matches: `index.docker.io` (what
 * `docker login` writes, as the kubelet does) and, beyond the kubelet, `registry-1.docker.io` (the
 * host Docker Hub pulls really go to).
 */
const DOCKER_HUB_KEYS = ['index.docker.io', 'registry-1.docker.io'];

/** One registry's credentials from a Docker config. */
interface Entry {
  username: string;
  password: string;
}

/** Decodes an `auth` field: base64 of `user:password`, padded or not. */
function decodeAuthField(field: string): Entry {
  const text = field.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new Error('illegal base64 data in auth field');
  const decoded = Buffer.from(text, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) throw new Error('unable to parse auth field, must be formatted as base64(username:password)');
  return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

/** Reads one Docker config entry; an `auth` field overrides username and password. */
function readEntry(value: unknown): Entry {
  const o = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const str = (k: string): string => (typeof o[k] === 'string' ? o[k] : '');
  if (str('auth') !== '') return decodeAuthField(str('auth'));
  return { username: str('username'), password: str('password') };
}

/** The key a registry location is indexed under: host plus the path without `/v1`/`/v2`. */
function keyOf(location: string): string {
  const rest = location.replace(/^https?:\/\//, '');
  const end = rest.search(/[/?#]/);
  const host = end < 0 ? rest : rest.slice(0, end);
  let p = end < 0 ? '' : (rest.slice(end).split(/[?#]/)[0] ?? '');
  if (p.startsWith('/v2/') || p.startsWith('/v1/')) p = p.slice(3);
  return p.length > 0 && p !== '/' ? host + p : host;
}

/** Host parts, port and path of a scheme-less location (`host[:port][/path]`). */
function splitLocation(location: string): { parts: string[]; port: string; path: string } {
  const slash = location.indexOf('/');
  const hostPort = slash < 0 ? location : location.slice(0, slash);
  const path = slash < 0 ? '' : location.slice(slash);
  const m = /^(.*):(\d*)$/.exec(hostPort);
  const host = m && !hostPort.endsWith(']') ? (m[1] ?? '') : hostPort;
  const port = m && !hostPort.endsWith(']') ? (m[2] ?? '') : '';
  return { parts: host.split('.'), port, path };
}

/** A shell-style glob (`*`, `?`, `[…]`) for one host part. */
function globMatch(pattern: string, text: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') re += '[^.]*';
    else if (c === '?') re += '[^.]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return false;
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^')) cls = `^${cls.slice(1)}`;
      re += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '\\' && i + 1 < pattern.length) {
      re += (pattern[++i] ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  try {
    return new RegExp(`${re}$`).test(text);
  } catch {
    return false;
  }
}

/** Whether a credential key (maybe with globs) covers an image name `host[:port]/path`. */
export function registryKeyMatches(key: string, image: string): boolean {
  const k = splitLocation(key);
  const t = splitLocation(image);
  if (k.port !== t.port) return false;
  if (k.parts.length !== t.parts.length) return false;
  if (!t.path.startsWith(k.path)) return false;
  return k.parts.every((p, i) => globMatch(p, t.parts[i] ?? ''));
}

/** Whether a (normalised or not) image name lives on Docker Hub. */
function onDockerHub(image: string): boolean {
  const [first, ...rest] = image.split('/');
  if (!first) return false;
  if (rest.length === 0) return true;
  if (first === DOCKER_HUB || first === 'index.docker.io') return true;
  return !/[.:]/.test(first);
}

/** Credentials indexed by registry key, looked up for images. */
export class DockerKeyring {
  private readonly creds = new Map<string, Entry[]>();
  private index: string[] = [];

  /** Adds the entries of one Docker config (`{REGISTRY: {username, password, auth}}`). */
  add(config: Record<string, unknown>): void {
    for (const [location, value] of Object.entries(config)) {
      const key = keyOf(location);
      const entry = readEntry(value);
      const list = this.creds.get(key) ?? [];
      list.push(entry);
      this.creds.set(key, list);
    }
    this.index = [...this.creds.keys()].sort().reverse();
  }

  /** All credentials for the image (`registry/repository`, as {@link parseImageRef}'s `name`). */
  lookup(image: string): AuthConfig[] {
    const out: AuthConfig[] = [];
    for (const key of this.index)
      if (registryKeyMatches(key, image)) for (const e of this.creds.get(key) ?? []) out.push(toAuth(e));
    if (out.length === 0 && onDockerHub(image))
      for (const key of DOCKER_HUB_KEYS) for (const e of this.creds.get(key) ?? []) out.push(toAuth(e));
    return out;
  }
}

function toAuth(e: Entry): AuthConfig {
  return { username: e.username, password: e.password };
}

/** Parses the JSON of a Secret's base64 data value. */
function secretJson(secret: PullSecret, key: string): unknown {
  const raw = secret.data?.[key] ?? '';
  const name = `${secret.metadata?.namespace ?? ''}/${secret.metadata?.name ?? ''}`;
  try {
    return JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
  } catch (e) {
    throw new PullSecretError(
      `image pull secret ${name}: ${key} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/**
 * Builds one keyring from a pod's pull Secrets (Secrets of other types, or without their key, are
 * ignored). Throws {@link PullSecretError} for a Secret whose config is not valid JSON or has a bad
 * `auth` field.
 */
export function keyringFromSecrets(secrets: PullSecret[]): DockerKeyring {
  const keyring = new DockerKeyring();
  for (const s of secrets) {
    const name = `${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}`;
    let config: unknown;
    if (s.type === DOCKER_CONFIG_JSON_TYPE && (s.data?.[DOCKER_CONFIG_JSON_KEY] ?? '') !== '') {
      const parsed = secretJson(s, DOCKER_CONFIG_JSON_KEY);
      config = parsed && typeof parsed === 'object' ? (parsed as { auths?: unknown }).auths : undefined;
    } else if (s.type === DOCKERCFG_TYPE && (s.data?.[DOCKERCFG_KEY] ?? '') !== '') {
      config = secretJson(s, DOCKERCFG_KEY);
    } else continue;
    if (config === undefined || config === null) continue;
    if (typeof config !== 'object' || Array.isArray(config))
      throw new PullSecretError(`image pull secret ${name}: registry credentials must be a JSON object`);
    try {
      keyring.add(config as Record<string, unknown>);
    } catch (e) {
      throw new PullSecretError(`image pull secret ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return keyring;
}

/**
 * The credentials to try, in order, when pulling `image` for a pod with these pull Secrets (empty:
 * pull anonymously). Throws for an unparsable image reference or a broken Secret.
 */
export function credentialsFromSecrets(image: string, secrets: PullSecret[]): AuthConfig[] {
  const ref = parseImageRef(image);
  return keyringFromSecrets(secrets).lookup(ref.name);
}
