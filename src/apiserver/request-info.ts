/**
 * What a request is about, read off its method, path and query like upstream's RequestInfoFactory:
 * `/apis/apps/v1/namespaces/web/deployments/nginx/scale` → verb, group, version, namespace,
 * resource, name, subresource.
 */

export interface RequestInfo {
  /** True for `/api/...` and `/apis/...` resource paths with at least a resource. */
  isResourceRequest: boolean;
  path: string;
  /** Kubernetes verb: get list watch create update patch delete deletecollection, or the lower-case HTTP method for non-resource requests. */
  verb: string;
  apiPrefix: 'api' | 'apis' | '';
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** Path segments after the resource name and subresource (proxy paths). */
  parts: string[];
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** Parses a request; `query` is the parsed query string. */
export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const info: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiPrefix: '',
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
    parts: [],
  };
  let parts = path.split('/').filter((p, i) => i > 0 || p !== '');
  if (parts[0] === '') parts = parts.slice(1);
  while (parts.length && parts[parts.length - 1] === '') parts.pop();
  const prefix = parts[0];
  if (prefix !== 'api' && prefix !== 'apis') return info;
  info.apiPrefix = prefix;
  parts = parts.slice(1);
  if (prefix === 'apis') {
    if (parts.length < 2) return info;
    info.apiGroup = parts[0] ?? '';
    parts = parts.slice(1);
  } else if (parts.length < 1) {
    return info;
  }
  info.apiVersion = parts[0] ?? '';
  parts = parts.slice(1);
  if (parts.length === 0) return info;
  info.isResourceRequest = true;

  let watchPath = false;
  if (parts[0] === 'watch') {
    watchPath = true;
    parts = parts.slice(1);
    if (parts.length === 0) {
      info.isResourceRequest = false;
      return info;
    }
  }
  switch (method) {
    case 'POST':
      info.verb = 'create';
      break;
    case 'GET':
    case 'HEAD':
      info.verb = 'get';
      break;
    case 'PUT':
      info.verb = 'update';
      break;
    case 'PATCH':
      info.verb = 'patch';
      break;
    case 'DELETE':
      info.verb = 'delete';
      break;
    default:
      info.verb = '';
  }
  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      info.namespace = parts[1] ?? '';
      if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2] ?? '')) parts = parts.slice(2);
    }
  }
  info.resource = parts[0] ?? '';
  if (parts.length >= 2) info.name = parts[1] ?? '';
  if (parts.length >= 3) info.subresource = parts[2] ?? '';
  info.parts = parts.slice(3);
  if (info.resource === 'namespaces' && info.name === '' && info.namespace !== '') {
    // `/api/v1/namespaces/foo`: the namespace is the object.
    info.name = info.namespace;
  }
  if (info.resource === 'namespaces') info.namespace = info.name ? info.name : '';

  const watchParam = query.get('watch');
  const isWatch = watchPath || watchParam === 'true' || watchParam === '1';
  if (info.verb === 'get' && info.name === '') info.verb = isWatch ? 'watch' : 'list';
  else if (info.verb === 'get' && watchPath) info.verb = 'watch';
  if (info.verb === 'delete' && info.name === '') info.verb = 'deletecollection';
  return info;
}

/**
 * The name a request authorizes as: its own, or for a list/watch narrowed by a
 * `metadata.name` field selector, that name (so resourceNames rules apply, as upstream).
 */
export function authorizationName(info: RequestInfo, query: URLSearchParams): string {
  if (info.name || (info.verb !== 'list' && info.verb !== 'watch')) return info.name;
  const m = /^metadata\.name==?([^,]*)$/.exec(query.get('fieldSelector') ?? '');
  return m?.[1] ?? '';
}
