/**
 * The pod streaming subresources (`pods/log`, `pods/exec`, `pods/attach`, `pods/portforward`) and
 * `nodes/proxy`: each finds the pod's node and its kubelet, checks the options as upstream does, and
 * proxies to the kubelet endpoint (`/containerLogs`, `/exec`, `/attach`, `/portForward`, or any path
 * for nodes/proxy).
 */
import { ApiError, apiErrors, type FieldError } from '../../api/errors.js';
import { isObject, type KubeObject } from '../../api/meta.js';
import type { RequestContext } from '../http.js';
import type { ServedResources } from '../served.js';
import { getObject, kubeletTls, kubeletUrlOfNode, type KubeletClientConfig } from './kubelet.js';
import { backendRequest, pipeBackendBody, proxyHttp, proxyUpgrade } from './proxy.js';

/** What the streaming handlers need. */
export interface StreamingDeps {
  served: ServedResources;
  kubelet: KubeletClientConfig;
}

/** Subresources of pods served here. */
export const POD_STREAMING_SUBRESOURCES: ReadonlySet<string> = new Set([
  'log',
  'exec',
  'attach',
  'portforward',
]);

function containerNames(pod: KubeObject, kinds: string[]): string[] {
  const spec = isObject(pod['spec']) ? pod['spec'] : {};
  const out: string[] = [];
  for (const kind of kinds) {
    const list = spec[kind];
    if (!Array.isArray(list)) continue;
    for (const c of list) if (isObject(c) && typeof c['name'] === 'string') out.push(c['name']);
  }
  return out;
}

/** The container a request means (upstream's validateContainer), or a 400 worded as upstream. */
export function resolveContainer(pod: KubeObject, requested: string): string {
  const name = pod.metadata?.name ?? '';
  if (!requested) {
    const main = containerNames(pod, ['containers']);
    if (main.length === 1) return main[0] ?? '';
    if (main.length === 0) throw apiErrors.badRequest(`a container name must be specified for pod ${name}`);
    const all = containerNames(pod, ['initContainers', 'containers', 'ephemeralContainers']);
    throw apiErrors.badRequest(
      `a container name must be specified for pod ${name}, choose one of: [${all.join(' ')}]`,
    );
  }
  if (!containerNames(pod, ['initContainers', 'containers', 'ephemeralContainers']).includes(requested)) {
    throw apiErrors.badRequest(`container ${requested} is not valid for pod ${name}`);
  }
  return requested;
}

function nodeNameOf(pod: KubeObject): string {
  const spec = isObject(pod['spec']) ? pod['spec'] : {};
  return typeof spec['nodeName'] === 'string' ? spec['nodeName'] : '';
}

/** Query booleans as Go's strconv.ParseBool reads them. */
function bool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v !== null && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v);
}

function int(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n))
    throw apiErrors.badRequest(`${name}: invalid value ${JSON.stringify(v)}: not an integer`);
  return n;
}

/** The kubelet query of a log request, validated as upstream's ValidatePodLogOptions. */
export function logQuery(q: URLSearchParams, podName: string): URLSearchParams {
  const tailLines = int(q, 'tailLines');
  const limitBytes = int(q, 'limitBytes');
  const sinceSeconds = int(q, 'sinceSeconds');
  const sinceTime = q.get('sinceTime') || undefined;
  const errs: FieldError[] = [];
  if (tailLines !== undefined && tailLines < 0)
    errs.push({
      type: 'FieldValueInvalid',
      field: 'tailLines',
      badValue: tailLines,
      detail: 'must be greater than or equal to 0',
    });
  if (limitBytes !== undefined && limitBytes < 1)
    errs.push({
      type: 'FieldValueInvalid',
      field: 'limitBytes',
      badValue: limitBytes,
      detail: 'must be greater than 0',
    });
  if (sinceSeconds !== undefined && sinceTime !== undefined) {
    errs.push({
      type: 'FieldValueForbidden',
      field: '',
      detail: 'at most one of `sinceTime` or `sinceSeconds` may be specified',
    });
  } else if (sinceSeconds !== undefined && sinceSeconds < 1) {
    errs.push({
      type: 'FieldValueInvalid',
      field: 'sinceSeconds',
      badValue: sinceSeconds,
      detail: 'must be greater than 0',
    });
  }
  if (sinceTime !== undefined && Number.isNaN(Date.parse(sinceTime))) {
    throw apiErrors.badRequest(`parsing time "${sinceTime}" as "2006-01-02T15:04:05Z07:00": cannot parse`);
  }
  if (errs.length) throw apiErrors.invalid('', 'PodLogOptions', podName, errs);
  const out = new URLSearchParams();
  if (bool(q, 'follow')) out.set('follow', 'true');
  if (bool(q, 'previous')) out.set('previous', 'true');
  if (bool(q, 'timestamps')) out.set('timestamps', 'true');
  if (sinceSeconds !== undefined) out.set('sinceSeconds', String(sinceSeconds));
  if (sinceTime !== undefined)
    out.set('sinceTime', new Date(Date.parse(sinceTime)).toISOString().replace(/\.\d+Z$/, 'Z'));
  if (tailLines !== undefined) out.set('tailLines', String(tailLines));
  if (limitBytes !== undefined) out.set('limitBytes', String(limitBytes));
  return out;
}

/** GET pods/log: the container's log from its kubelet, streamed (and followed). */
async function podLog(deps: StreamingDeps, ctx: RequestContext): Promise<void> {
  const { namespace, name } = ctx.info;
  if (ctx.info.verb !== 'get')
    throw apiErrors.methodNotSupported({ group: '', resource: 'pods/log' }, ctx.info.verb);
  const pod = await getObject(deps.served, 'pods', namespace, name);
  const container = resolveContainer(pod, ctx.query.get('container') ?? '');
  const query = logQuery(ctx.query, name);
  const nodeName = nodeNameOf(pod);
  if (!nodeName) {
    // Not scheduled yet: an empty log, as upstream.
    ctx.res.writeHead(200, { 'content-type': 'text/plain' });
    ctx.res.end();
    return;
  }
  const base = await kubeletUrlOfNode(deps.served, nodeName, deps.kubelet);
  const path = `/containerLogs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}`;
  const target = new URL(`${path}${query.size ? `?${query}` : ''}`, base);
  const res = await backendRequest({ ...ctx, method: 'GET' }, target, kubeletTls(deps.kubelet));
  const code = res.statusCode ?? 500;
  if (code < 200 || code > 206) {
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8').trim();
    if (code === 400) throw apiErrors.badRequest(text);
    if (code === 500) throw apiErrors.internal(new Error(text));
    // Upstream's generic answer for what the kubelet said (the text goes in the causes).
    const causes = text ? [{ reason: 'UnexpectedServerResponse', message: text }] : [];
    const what = `the server could not find the requested resource ( pods/log ${name})`;
    if (code === 404) throw new ApiError(404, 'NotFound', what, { name, kind: 'pods/log', causes });
    throw new ApiError(code, '', text || `the server responded with the status code ${code}`, {
      name,
      kind: 'pods/log',
      causes,
    });
  }
  ctx.res.writeHead(200, { 'content-type': 'text/plain' });
  (ctx.res as { flushHeaders?: () => void }).flushHeaders?.();
  await pipeBackendBody(ctx, res);
}

/** exec, attach and portforward: an upgrade passed through to the kubelet. */
async function podStream(
  deps: StreamingDeps,
  ctx: RequestContext,
  sub: 'exec' | 'attach' | 'portforward',
): Promise<void> {
  const { namespace, name } = ctx.info;
  if (ctx.info.verb !== 'get' && ctx.info.verb !== 'create') {
    throw apiErrors.methodNotSupported({ group: '', resource: `pods/${sub}` }, ctx.info.verb);
  }
  if (!ctx.upgrade) throw apiErrors.badRequest('Upgrade request required');
  const pod = await getObject(deps.served, 'pods', namespace, name);
  const q = ctx.query;
  const out = new URLSearchParams();
  let path: string;
  if (sub === 'portforward') {
    const ports = q
      .getAll('ports')
      .flatMap((p) => p.split(','))
      .filter(Boolean);
    for (const p of ports) {
      const n = Number(p);
      if (!Number.isInteger(n) || n < 1 || n > 65535)
        throw apiErrors.badRequest(`invalid port ${JSON.stringify(p)}`);
    }
    if (ports.length) out.set('port', ports.join(','));
    path = `/portForward/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
  } else {
    const container = resolveContainer(pod, q.get('container') ?? '');
    if (bool(q, 'stdin')) out.append('input', '1');
    if (bool(q, 'stdout')) out.append('output', '1');
    if (bool(q, 'stderr')) out.append('error', '1');
    if (bool(q, 'tty')) out.append('tty', '1');
    if (sub === 'exec') for (const c of q.getAll('command')) out.append('command', c);
    path = `/${sub}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}`;
  }
  const nodeName = nodeNameOf(pod);
  if (!nodeName) throw apiErrors.badRequest(`pod ${name} does not have a host assigned`);
  const base = await kubeletUrlOfNode(deps.served, nodeName, deps.kubelet);
  const target = new URL(`${path}${out.size ? `?${out}` : ''}`, base);
  await proxyUpgrade(ctx, target, kubeletTls(deps.kubelet));
}

/** `pods/{log,exec,attach,portforward}`. */
export async function handlePodStreaming(
  deps: StreamingDeps,
  ctx: RequestContext,
  sub: string,
): Promise<void> {
  if (sub === 'log') return podLog(deps, ctx);
  if (sub === 'exec' || sub === 'attach' || sub === 'portforward') return podStream(deps, ctx, sub);
  throw apiErrors.pathNotFound();
}

/** `nodes/{name}/proxy/{path}`: any request passed to the node's kubelet at `/{path}`. */
export async function handleNodeProxy(deps: StreamingDeps, ctx: RequestContext): Promise<void> {
  const base = await kubeletUrlOfNode(deps.served, ctx.info.name, deps.kubelet);
  const rest = ctx.info.parts.map((p) => encodeURIComponent(decodeURIComponent(p))).join('/');
  const trailing = ctx.path.endsWith('/') && rest ? '/' : '';
  const search = ctx.query.size ? `?${ctx.query}` : '';
  const target = new URL(`/${rest}${trailing}${search}`, base);
  if (ctx.upgrade) return proxyUpgrade(ctx, target, kubeletTls(deps.kubelet));
  return proxyHttp(ctx, target, kubeletTls(deps.kubelet));
}
