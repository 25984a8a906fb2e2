/**
 * Dispatches a resource request to its verb's handler, after checking that the resource, scope and
 * verb exist.
 */
import { apiErrors } from '../../api/errors.js';
import { negotiate, writeValue, type OutputFormat, type RequestContext } from '../http.js';
import type { ServedResource } from '../served.js';
import type { HandlerDeps } from './context.js';
import { handleDelete, handleDeleteCollection } from './delete.js';
import { handleGet, handleList, handleWatch } from './read.js';
import { handleBinding, handleEviction, handleFinalize, handleScale } from './subresources.js';
import { handleServiceAccountToken } from './subresources-token.js';
import { handleCreate, handlePatch, handleUpdate } from './write.js';
import { handleNodeProxy, handlePodStreaming, POD_STREAMING_SUBRESOURCES } from '../streaming/pods.js';

const READ_TRANSFORMS = ['Table', 'PartialObjectMetadata', 'PartialObjectMetadataList'];

export async function handleResource(deps: HandlerDeps, ctx: RequestContext): Promise<void> {
  const info = ctx.info;
  const served = deps.served.get(info.apiGroup, info.apiVersion, info.resource);
  if (!served) {
    if (isCrdList(ctx)) {
      // CustomResourceDefinitions are not served yet, so there are none: kubectl lists them to tell
      // an unknown kind ("no matches for kind …") from a failed lookup.
      writeValue(ctx, 200, {
        kind: 'CustomResourceDefinitionList',
        apiVersion: 'apiextensions.k8s.io/v1',
        metadata: { resourceVersion: String(deps.served.caches.revision) },
        items: [],
      });
      return;
    }
    throw apiErrors.pathNotFound();
  }
  const t = served.type;
  // Scope: cluster-scoped kinds have no namespace in the path; namespaced kinds need one except to
  // list or watch across all namespaces.
  if (!t.namespaced && info.namespace && info.resource !== 'namespaces') throw apiErrors.pathNotFound();
  if (t.namespaced && !info.namespace && !(info.verb === 'list' || info.verb === 'watch')) {
    if (!(t.virtual && t.namespaced)) throw apiErrors.pathNotFound();
  }
  // `/api/v1/namespaces/foo` carries the namespace for authorization; the store keys cluster-scoped
  // objects (namespaces included) without one.
  if (!t.namespaced && info.namespace) ctx.info = { ...info, namespace: '' };
  const isRead = info.verb === 'get' || info.verb === 'list' || info.verb === 'watch';
  const out: OutputFormat | undefined = negotiate(ctx.accept, isRead ? READ_TRANSFORMS : []);
  if (!out) throw apiErrors.notAcceptable(['application/json', 'application/yaml']);
  if (out.as === 'Table' && info.verb !== 'get' && info.verb !== 'list' && info.verb !== 'watch') {
    throw apiErrors.notAcceptable(['application/json', 'application/yaml']);
  }
  if (info.subresource) return handleSubresource(deps, ctx, served, out);
  if (!(t.verbs as readonly string[]).includes(info.verb)) {
    throw apiErrors.methodNotSupported({ group: t.group, resource: t.plural }, info.verb);
  }
  switch (info.verb) {
    case 'get':
      return handleGet(deps, ctx, served, out);
    case 'list':
      return handleList(deps, ctx, served, out);
    case 'watch':
      return handleWatch(deps, ctx, served, out);
    case 'create':
      return handleCreate(deps, ctx, served, out);
    case 'update':
      return handleUpdate(deps, ctx, served, out, '');
    case 'patch':
      return handlePatch(deps, ctx, served, out, '');
    case 'delete':
      return handleDelete(deps, ctx, served, out);
    case 'deletecollection':
      return handleDeleteCollection(deps, ctx, served, out);
    default:
      throw apiErrors.methodNotSupported({ group: t.group, resource: t.plural }, info.verb || ctx.method);
  }
}

function isCrdList(ctx: RequestContext): boolean {
  const i = ctx.info;
  return (
    i.apiGroup === 'apiextensions.k8s.io' &&
    i.apiVersion === 'v1' &&
    i.resource === 'customresourcedefinitions' &&
    i.verb === 'list'
  );
}

async function handleSubresource(
  deps: HandlerDeps,
  ctx: RequestContext,
  served: ServedResource,
  out: OutputFormat,
): Promise<void> {
  const info = ctx.info;
  const t = served.type;
  const sub = info.subresource;
  if (sub === 'status' && t.status) {
    switch (info.verb) {
      case 'get':
        return handleGet(deps, ctx, served, out);
      case 'update':
        return handleUpdate(deps, ctx, served, out, 'status');
      case 'patch':
        return handlePatch(deps, ctx, served, out, 'status');
      default:
        throw apiErrors.methodNotSupported({ group: t.group, resource: `${t.plural}/status` }, info.verb);
    }
  }
  if (sub === 'scale' && t.scale) return handleScale(deps, ctx, served, out);
  if (t.group === '' && t.plural === 'pods' && sub === 'binding') return handleBinding(deps, ctx, served);
  if (t.group === '' && t.plural === 'pods' && sub === 'eviction') return handleEviction(deps, ctx, served);
  if (t.group === '' && t.plural === 'serviceaccounts' && sub === 'token')
    return handleServiceAccountToken(deps, ctx, served, out);
  if (t.group === '' && t.plural === 'namespaces' && sub === 'finalize')
    return handleFinalize(deps, ctx, served, out);
  if (deps.kubelet && t.group === '' && t.plural === 'pods' && POD_STREAMING_SUBRESOURCES.has(sub))
    return handlePodStreaming({ served: deps.served, kubelet: deps.kubelet }, ctx, sub);
  if (deps.kubelet && t.group === '' && t.plural === 'nodes' && sub === 'proxy')
    return handleNodeProxy({ served: deps.served, kubelet: deps.kubelet }, ctx);
  throw apiErrors.pathNotFound();
}
