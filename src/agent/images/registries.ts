/**
 * The registries file (`<data-dir>/agent/etc/registries.yaml`, the shape of k3s's registries.yaml):
 *
 * ```yaml
 * mirrors:
 *   docker.io:                  # a registry host[:port], or "*" for every registry
 *     endpoint: ["https://mirror.example:5000", "http://10.0.0.5:5000"]
 * configs:
 *   mirror.example:5000:        # a registry or mirror host[:port]
 *     tls: {ca_file: /etc/ca.pem, cert_file: …, key_file: …, insecure_skip_verify: false}
 *     auth: {username: …, password: …}   # or auth (base64 user:pass) or identitytoken
 * ```
 *
 * Mirrors and TLS settings become containerd registry host directories (`hosts.toml` files under the
 * CRI plugin's `registry.config_path`, see hosts-toml.ts). Credentials cannot live there (containerd
 * 1.6), so {@link credentialsFor} hands them to the kubelet, which passes them as CRI `AuthConfig`.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { parseImageRef, DOCKER_HUB } from './reference.js';
import type { AuthConfig } from './types.js';

/** TLS settings for talking to one registry host. */
export interface RegistryTLS {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  insecureSkipVerify?: boolean;
}

/** Credentials for one registry host. */
export interface RegistryAuth {
  username?: string;
  password?: string;
  /** base64 of `username:password`. */
  auth?: string;
  identityToken?: string;
}

/** The parsed registries file. */
export interface RegistriesConfig {
  /** Registry host (or `*`) → endpoint URLs, tried in order before the registry itself. */
  mirrors: Record<string, { endpoints: string[] }>;
  /** Registry or mirror host[:port] → its TLS settings and credentials. */
  configs: Record<string, { tls?: RegistryTLS; auth?: RegistryAuth }>;
}

/** A registries file that does not validate; the message names the file and the field. */
export class RegistriesConfigError extends Error {
  constructor(
    message: string,
    /** Field path, e.g. `mirrors["docker.io"].endpoint[0]`. */
    readonly field: string,
  ) {
    super(message);
    this.name = 'RegistriesConfigError';
  }
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `host`, `host:port`, `1.2.3.4:5000` or `[::1]:5000`, with no scheme or path. */
const HOST_PORT =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

/** The validator's running context: the source name for messages. */
class Checker {
  constructor(private readonly source: string) {}

  fail(field: string, detail: string): never {
    throw new RegistriesConfigError(`${this.source}: ${field}: ${detail}`, field);
  }

  /** Rejects keys outside `allowed`. */
  only(o: Obj, field: string, allowed: string[], hint: Record<string, string> = {}): void {
    for (const k of Object.keys(o))
      if (!allowed.includes(k))
        this.fail(
          field ? `${field}.${k}` : k,
          hint[k] ?? `unknown field (want one of: ${allowed.join(', ')})`,
        );
  }

  str(o: Obj, key: string, field: string): string | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.fail(`${field}.${key}`, `must be a string, not ${typeName(v)}`);
    return v;
  }

  absPath(o: Obj, key: string, field: string): string | undefined {
    const v = this.str(o, key, field);
    if (v !== undefined && !v.startsWith('/'))
      this.fail(`${field}.${key}`, `must be an absolute path, not "${v}"`);
    return v;
  }

  host(key: string, field: string, allowWildcard: boolean): void {
    if (allowWildcard && key === '*') return;
    if (!HOST_PORT.test(key))
      this.fail(
        field,
        `"${key}" is not a registry host (want host or host:port, without scheme or path${allowWildcard ? ', or "*"' : ''})`,
      );
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;
}

/** Checks an endpoint URL and returns it with a scheme (https when none is written). */
function endpointUrl(c: Checker, raw: unknown, field: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') c.fail(field, 'must be a non-empty URL string');
  const text = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return c.fail(field, `"${raw}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    c.fail(field, `"${raw}": scheme must be http or https, not ${url.protocol.slice(0, -1)}`);
  if (url.username || url.password) c.fail(field, `"${raw}": put credentials under configs, not in the URL`);
  if (url.search || url.hash) c.fail(field, `"${raw}": no query or fragment allowed`);
  return text.replace(/\/+$/, '');
}

/**
 * Parses and validates registries YAML. `source` names the file in messages. Throws
 * {@link RegistriesConfigError} naming the offending field.
 */
export function parseRegistriesConfig(text: string, source = 'registries.yaml'): RegistriesConfig {
  const c = new Checker(source);
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    const first = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
    throw new RegistriesConfigError(`${source}: not valid YAML: ${first}`, '');
  }
  const out: RegistriesConfig = { mirrors: {}, configs: {} };
  if (doc === null || doc === undefined) return out;
  if (!isObj(doc))
    return c.fail('(top level)', `must be a mapping with mirrors and configs, not ${typeName(doc)}`);
  c.only(doc, '', ['mirrors', 'configs']);

  const mirrors = doc['mirrors'];
  if (mirrors !== undefined && mirrors !== null) {
    if (!isObj(mirrors))
      c.fail('mirrors', `must be a mapping of registry host to mirror, not ${typeName(mirrors)}`);
    for (const [registry, m] of Object.entries(mirrors)) {
      const field = `mirrors[${JSON.stringify(registry)}]`;
      c.host(registry, field, true);
      if (m === null || m === undefined) {
        out.mirrors[registry] = { endpoints: [] };
        continue;
      }
      if (!isObj(m)) c.fail(field, `must be a mapping with endpoint, not ${typeName(m)}`);
      c.only(m, field, ['endpoint'], { rewrite: 'rewrite rules are not supported by k8ts' });
      const ep = m['endpoint'];
      let endpoints: string[] = [];
      if (ep !== undefined && ep !== null) {
        if (!Array.isArray(ep)) c.fail(`${field}.endpoint`, `must be a list of URLs, not ${typeName(ep)}`);
        endpoints = (ep as unknown[]).map((e, i) => endpointUrl(c, e, `${field}.endpoint[${i}]`));
      }
      out.mirrors[registry] = { endpoints };
    }
  }

  const configs = doc['configs'];
  if (configs !== undefined && configs !== null) {
    if (!isObj(configs))
      c.fail('configs', `must be a mapping of registry host to settings, not ${typeName(configs)}`);
    for (const [host, cfg] of Object.entries(configs)) {
      const field = `configs[${JSON.stringify(host)}]`;
      c.host(host, field, false);
      if (cfg === null || cfg === undefined) {
        out.configs[host] = {};
        continue;
      }
      if (!isObj(cfg)) c.fail(field, `must be a mapping with tls and auth, not ${typeName(cfg)}`);
      c.only(cfg, field, ['tls', 'auth']);
      const entry: { tls?: RegistryTLS; auth?: RegistryAuth } = {};
      const tls = cfg['tls'];
      if (tls !== undefined && tls !== null) {
        const f = `${field}.tls`;
        if (!isObj(tls)) c.fail(f, `must be a mapping, not ${typeName(tls)}`);
        c.only(tls, f, ['ca_file', 'cert_file', 'key_file', 'insecure_skip_verify']);
        const t: RegistryTLS = {};
        const ca = c.absPath(tls, 'ca_file', f);
        const cert = c.absPath(tls, 'cert_file', f);
        const key = c.absPath(tls, 'key_file', f);
        if ((cert === undefined) !== (key === undefined))
          c.fail(f, 'cert_file and key_file go together (a client certificate needs its key)');
        const skip = tls['insecure_skip_verify'];
        if (skip !== undefined && skip !== null && typeof skip !== 'boolean')
          c.fail(`${f}.insecure_skip_verify`, `must be true or false, not ${typeName(skip)}`);
        if (ca !== undefined) t.caFile = ca;
        if (cert !== undefined) t.certFile = cert;
        if (key !== undefined) t.keyFile = key;
        if (typeof skip === 'boolean') t.insecureSkipVerify = skip;
        entry.tls = t;
      }
      const auth = cfg['auth'];
      if (auth !== undefined && auth !== null) {
        const f = `${field}.auth`;
        if (!isObj(auth)) c.fail(f, `must be a mapping, not ${typeName(auth)}`);
        c.only(auth, f, ['username', 'password', 'auth', 'identitytoken']);
        const a: RegistryAuth = {};
        const username = c.str(auth, 'username', f);
        const password = c.str(auth, 'password', f);
        const basic = c.str(auth, 'auth', f);
        const token = c.str(auth, 'identitytoken', f);
        if (basic !== undefined) {
          const decoded = /^[A-Za-z0-9+/]*={0,2}$/.test(basic) ? Buffer.from(basic, 'base64').toString() : '';
          if (!decoded.includes(':')) c.fail(`${f}.auth`, 'must be base64 of username:password');
        }
        if (username === undefined && basic === undefined && token === undefined)
          c.fail(f, 'needs username (with password), auth or identitytoken');
        if (username !== undefined) a.username = username;
        if (password !== undefined) a.password = password;
        if (basic !== undefined) a.auth = basic;
        if (token !== undefined) a.identityToken = token;
        entry.auth = a;
      }
      out.configs[host] = entry;
    }
  }
  return out;
}

/** Reads a registries file; undefined when it does not exist. */
export async function loadRegistriesFile(file: string): Promise<RegistriesConfig | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`reading ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseRegistriesConfig(text, file);
}

/** The host containerd really talks to for a registry namespace (Docker Hub's API host). */
export function serverHost(registry: string): string {
  return registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
}

/** `host[:port]` of an endpoint URL. */
export function endpointHost(endpoint: string): string {
  return new URL(endpoint).host;
}

/** The endpoints tried for a registry: its own mirror entry, else the `*` entry. */
export function mirrorEndpoints(config: RegistriesConfig, registry: string): string[] {
  return (config.mirrors[registry] ?? config.mirrors['*'])?.endpoints ?? [];
}

function toAuthConfig(auth: RegistryAuth, serverAddress: string): AuthConfig {
  return {
    ...(auth.username !== undefined ? { username: auth.username } : {}),
    ...(auth.password !== undefined ? { password: auth.password } : {}),
    ...(auth.auth !== undefined ? { auth: auth.auth } : {}),
    ...(auth.identityToken !== undefined ? { identityToken: auth.identityToken } : {}),
    serverAddress,
  };
}

/**
 * The node-level credentials for pulling `image` from the registries file: first those of its mirror
 * endpoints (in order), then those of the registry itself. Each carries `serverAddress`, so
 * containerd sends it only to that host. The kubelet tries them after the pod's pull-Secret
 * credentials (like the kubelet's node keyring after the pod's Secrets). Throws for an unparsable
 * image reference.
 */
export function credentialsFor(config: RegistriesConfig | undefined, image: string): AuthConfig[] {
  if (!config) return [];
  const { registry } = parseImageRef(image);
  const out: AuthConfig[] = [];
  const seen = new Set<string>();
  const add = (host: string, scheme: string): void => {
    const auth = config.configs[host]?.auth;
    const address = `${scheme}//${host}`;
    if (!auth || seen.has(address)) return;
    seen.add(address);
    out.push(toAuthConfig(auth, address));
  };
  for (const ep of mirrorEndpoints(config, registry)) {
    const url = new URL(ep);
    add(url.host, url.protocol);
  }
  const server = serverHost(registry);
  const own = config.configs[registry]?.auth ?? config.configs[server]?.auth;
  const address = `https://${server}`;
  if (own && !seen.has(address)) out.push(toAuthConfig(own, address));
  return out;
}
