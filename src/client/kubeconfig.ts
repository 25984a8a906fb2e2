/**
 * Reading kubeconfig files: the current (or a named) context resolved to what a client needs to
 * connect — server URL, CA, and either a client certificate or a bearer token. File references are
 * read here (relative paths count from the kubeconfig's own directory), so a {@link ClientConfig}
 * carries PEM bytes, not paths; a token file is kept as a path because its token can rotate.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { isObject } from '../api/meta.js';

/** Connection settings resolved from a kubeconfig (or built by hand). */
export interface ClientConfig {
  /** API server URL, e.g. `https://127.0.0.1:6443`. */
  server: string;
  /** PEM of the CA(s) that sign the serving certificate; the system roots when absent. */
  ca?: Buffer;
  /** Client certificate and key (PEM). */
  cert?: Buffer;
  key?: Buffer;
  /** A bearer token. */
  token?: string;
  /** A file holding a bearer token, re-read now and then (projected service-account tokens rotate). */
  tokenFile?: string;
  /** Skip verification of the server certificate (never in production). */
  insecureSkipTlsVerify?: boolean;
  /** Name to verify the server certificate against instead of the URL's host. */
  tlsServerName?: string;
  /** The context's default namespace, if it names one. */
  namespace?: string;
  /** Where this came from, for error messages. */
  source?: string;
}

/** Options of {@link loadKubeconfig}. */
export interface KubeconfigLoadOptions {
  /** Use this context instead of `current-context`. */
  context?: string;
}

/** A kubeconfig that cannot be used, naming the file and the missing or bad field. */
export class KubeconfigError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`kubeconfig ${file}: ${detail}`);
    this.name = 'KubeconfigError';
  }
}

type Doc = Record<string, unknown>;

/** Finds the entry called `name` in a named list (`clusters`, `users`, `contexts`). */
function namedEntry(doc: Doc, list: string, field: string, name: string, file: string): Doc {
  const items = doc[list];
  if (items !== undefined && items !== null && !Array.isArray(items)) {
    throw new KubeconfigError(file, `"${list}" must be a list`);
  }
  const entry = (items ?? []).find((e): e is Doc => isObject(e) && e['name'] === name);
  if (!entry) throw new KubeconfigError(file, `no entry named "${name}" in "${list}"`);
  const body = entry[field];
  if (body === undefined || body === null) return {};
  if (!isObject(body)) throw new KubeconfigError(file, `${list}["${name}"].${field} must be a mapping`);
  return body;
}

function stringField(obj: Doc, key: string, where: string, file: string): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new KubeconfigError(file, `${where}.${key} must be a string`);
  return v;
}

/**
 * Reads a `<name>-data` (base64) field or its `<name>` path twin; `-data` wins when both are set,
 * as upstream does.
 */
function bytesField(
  obj: Doc,
  pathKey: string,
  where: string,
  file: string,
  baseDir: string,
): Buffer | undefined {
  const data = stringField(obj, `${pathKey}-data`, where, file);
  if (data !== undefined) {
    const buf = Buffer.from(data, 'base64');
    if (buf.length === 0) throw new KubeconfigError(file, `${where}.${pathKey}-data is not valid base64`);
    return buf;
  }
  const p = stringField(obj, pathKey, where, file);
  if (p === undefined) return undefined;
  const resolved = path.resolve(baseDir, p);
  try {
    return fs.readFileSync(resolved);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new KubeconfigError(file, `${where}.${pathKey}: cannot read ${resolved}: ${why}`);
  }
}

/**
 * Resolves a kubeconfig document (already read from `file`) to connection settings. Paths in it are
 * resolved against `baseDir` (default: the file's directory).
 */
export function parseKubeconfig(
  text: string,
  file: string,
  opts: KubeconfigLoadOptions & { baseDir?: string } = {},
): ClientConfig {
  const baseDir = opts.baseDir ?? path.dirname(path.resolve(file));
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new KubeconfigError(file, `not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isObject(doc)) throw new KubeconfigError(file, 'not a kubeconfig (expected a mapping)');
  const contextName = opts.context ?? stringField(doc, 'current-context', 'kubeconfig', file);
  if (contextName === undefined) throw new KubeconfigError(file, 'current-context is not set');
  const context = namedEntry(doc, 'contexts', 'context', contextName, file);
  const ctxWhere = `contexts["${contextName}"].context`;
  const clusterName = stringField(context, 'cluster', ctxWhere, file);
  if (clusterName === undefined) throw new KubeconfigError(file, `${ctxWhere}.cluster is not set`);
  const cluster = namedEntry(doc, 'clusters', 'cluster', clusterName, file);
  const clWhere = `clusters["${clusterName}"].cluster`;
  const server = stringField(cluster, 'server', clWhere, file);
  if (server === undefined) throw new KubeconfigError(file, `${clWhere}.server is not set`);
  try {
    new URL(server);
  } catch {
    throw new KubeconfigError(file, `${clWhere}.server is not a URL: ${JSON.stringify(server)}`);
  }
  const config: ClientConfig = { server, source: file };
  const ca = bytesField(cluster, 'certificate-authority', clWhere, file, baseDir);
  if (ca) config.ca = ca;
  if (cluster['insecure-skip-tls-verify'] === true) config.insecureSkipTlsVerify = true;
  const tlsServerName = stringField(cluster, 'tls-server-name', clWhere, file);
  if (tlsServerName) config.tlsServerName = tlsServerName;
  const namespace = stringField(context, 'namespace', ctxWhere, file);
  if (namespace) config.namespace = namespace;

  const userName = stringField(context, 'user', ctxWhere, file);
  if (userName === undefined) return config; // anonymous
  const user = namedEntry(doc, 'users', 'user', userName, file);
  const uWhere = `users["${userName}"].user`;
  for (const unsupported of ['exec', 'auth-provider']) {
    if (user[unsupported] !== undefined && user[unsupported] !== null) {
      throw new KubeconfigError(file, `${uWhere}.${unsupported} is not supported by k8ts`);
    }
  }
  const cert = bytesField(user, 'client-certificate', uWhere, file, baseDir);
  const key = bytesField(user, 'client-key', uWhere, file, baseDir);
  if (cert && !key) throw new KubeconfigError(file, `${uWhere} has a client certificate but no client-key`);
  if (key && !cert) throw new KubeconfigError(file, `${uWhere} has a client-key but no client-certificate`);
  if (cert && key) {
    config.cert = cert;
    config.key = key;
  }
  const token = stringField(user, 'token', uWhere, file);
  const tokenFile = stringField(user, 'tokenFile', uWhere, file);
  if (token) config.token = token;
  else if (tokenFile) {
    const resolved = path.resolve(baseDir, tokenFile);
    try {
      config.token = fs.readFileSync(resolved, 'utf8').trim();
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new KubeconfigError(file, `${uWhere}.tokenFile: cannot read ${resolved}: ${why}`);
    }
    config.tokenFile = resolved;
  }
  if (!config.cert && !config.token) {
    throw new KubeconfigError(
      file,
      `${uWhere} has no credentials (client-certificate and client-key, token or tokenFile)`,
    );
  }
  return config;
}

/** Reads and resolves a kubeconfig file. */
export function loadKubeconfig(file: string, opts: KubeconfigLoadOptions = {}): ClientConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new KubeconfigError(file, `cannot read: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseKubeconfig(text, file, opts);
}
