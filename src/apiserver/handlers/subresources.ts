/**
 * Subresources with their own representation: scale (autoscaling/v1 Scale), pods/binding,
 * pods/eviction (policy/v1 Eviction, in ./eviction.ts) and namespaces/finalize.
 */
import type { ApiError } from '../../api/errors.js';
import { apiErrors } from '../../api/errors.js';
import { isObject, type KubeObject, type StoredObject } from '../../api/meta.js';
import type { ScaleSubresource } from '../../api/resources.js';
import { fromLabelSelectorObject } from '../../api/selectors/labels.js';
import type { Store } from '../../registry/store.js';
import { bindPod } from '../../registry/strategies/core/index.js';
import {
  decodeBody,
  readBody,
  requestMediaType,
  writeValue,
  type OutputFormat,
  type RequestContext,
} from '../http.js';
import type { ServedResource } from '../served.js';
import type { HandlerDeps } from './context.js';
import { writeObject } from './encode.js';
import { dryRun, PATCH_TYPES, strategyContext } from './write.js';

function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const seg of path.split('.').filter(Boolean)) {
    if (!isObject(cur)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const segs = path.split('.').filter(Boolean);
  let cur = obj;
  for (const seg of segs.slice(0, -1)) {
    const next = cur[seg];
    if (!isObject(next)) cur[seg] = {};
    cur = cur[seg] as Record<string, unknown>;
  }
  const last = segs[segs.length - 1];
  if (last) cur[last] = value;
}

/** The Scale of an object with a scale subresource. */
export function scaleOf(obj: StoredObject, spec: ScaleSubresource): Record<string, unknown> {
  const selector = getPath(obj, '.spec.selector');
  const status: Record<string, unknown> = { replicas: Number(getPath(obj, spec.statusReplicasPath) ?? 0) };
  if (isObject(selector)) status['selector'] = fromLabelSelectorObject(selector).toString();
  const m = obj.metadata;
  const metadata: Record<string, unknown> = {
    name: m.name,
    namespace: m.namespace,
    uid: m.uid,
    resourceVersion: m.resourceVersion,
    creationTimestamp: m.creationTimestamp,
  };
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata,
    spec: { replicas: Number(getPath(obj, spec.specReplicasPath) ?? 0) },
    status,
  };
}

function scaleInvalid(name: string, value: unknown, detail: string): ApiError {
  return apiErrors.invalid('autoscaling', 'Scale', name, [
    { type: 'FieldValueInvalid', field: 'spec.replicas', badValue: value, detail },
  ]);
}

function requireStore(served: ServedResource): Store {
  if (!served.store) throw apiErrors.pathNotFound();
  return served.store;
}

/** GET, PUT and PATCH of `{resource}/scale`. */
export async function handleScale(
  deps: HandlerDeps,
  ctx: RequestContext,
  served: ServedResource,
  out: OutputFormat,
): Promise<void> {
  const spec = served.type.scale;
  if (!spec) throw apiErrors.pathNotFound();
  const store = requireStore(served);
  const verb = ctx.info.verb;
  if (verb === 'get') {
    const c = await store.get(ctx.info.namespace, ctx.info.name, ctx.query.get('resourceVersion') ?? '');
    writeValue(ctx, 200, scaleOf(c.object, spec), { mediaType: out.mediaType });
    return;
  }
  if (verb !== 'update' && verb !== 'patch') {
    throw apiErrors.methodNotSupported(
      { group: served.type.group, resource: `${served.type.plural}/scale` },
      verb,
    );
  }
  const media = requestMediaType(ctx.req);
  if (verb === 'patch' && !PATCH_TYPES.includes(media)) throw apiErrors.unsupportedMediaType(media);
  const body = await readBody(ctx.req);
  const dry = dryRun(ctx);
  const result = await store.mutate(
    ctx.info.name,
    strategyContext(deps, ctx),
    { dryRun: dry, subresource: '' },
    (current) => {
      const before = scaleOf(current, spec);
      let scale: unknown;
      if (verb === 'patch') {
        scale = deps.schema.applyPatch(
          {
            ...served,
            type: {
              ...served.type,
              group: 'autoscaling',
              version: 'v1',
              kind: 'Scale',
              definition: 'io.k8s.api.autoscaling.v1.Scale',
            },
          },
          before,
          body,
          media,
        );
      } else {
        scale = decodeBody(body, media || 'application/json');
      }
      if (!isObject(scale)) throw apiErrors.badRequest('the body must be an autoscaling/v1 Scale object');
      const replicas = getPath(scale, '.spec.replicas');
      if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas))) {
        throw scaleInvalid(ctx.info.name, replicas, 'must be an integer');
      }
      if (typeof replicas === 'number' && replicas < 0)
        throw scaleInvalid(ctx.info.name, replicas, 'must be greater than or equal to 0');
      const meta = isObject(scale['metadata']) ? scale['metadata'] : {};
      if (typeof meta['name'] === 'string' && meta['name'] !== ctx.info.name) {
        throw apiErrors.badRequest(
          `the name of the object (${meta['name']}) does not match the name on the URL (${ctx.info.name})`,
        );
      }
      const rv = meta['resourceVersion'];
      if (typeof rv === 'string' && rv !== '' && rv !== current.metadata.resourceVersion) {
        throw apiErrors.conflict(
          { group: served.type.group, resource: served.type.plural },
          ctx.info.name,
          'the object has been modified; please apply your changes to the latest version and try again',
        );
      }
      setPath(current, spec.specReplicasPath, replicas ?? 0);
      return current;
    },
  );
  writeValue(ctx, 200, scaleOf(result, spec), { mediaType: out.mediaType });
}

/** POST `pods/{name}/binding`: assigns an unscheduled pod to a node. */
export async function handleBinding(
  deps: HandlerDeps,
  ctx: RequestContext,
  served: ServedResource,
): Promise<void> {
  if (ctx.info.verb !== 'create')
    throw apiErrors.methodNotSupported({ group: '', resource: 'pods/binding' }, ctx.info.verb);
  const store = requireStore(served);
  const body = decodeBody(await readBody(ctx.req), requestMediaType(ctx.req) || 'application/json');
  if (!isObject(body)) throw apiErrors.badRequest('the body must be a v1 Binding object');
  const binding = body as KubeObject;
  const meta = (binding.metadata ??= {});
  meta.name ||= ctx.info.name;
  const dry = dryRun(ctx);
  await store.mutate(
    ctx.info.name,
    strategyContext(deps, ctx),
    { dryRun: dry, subresource: 'binding' },
    (pod) => {
      const result = bindPod(pod, binding, ctx.info.name, deps.clock.now());
      if (result.error) throw result.error;
      return result.pod as StoredObject;
    },
  );
  writeValue(ctx, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

/** POST `pods/{name}/eviction`: see ./eviction.ts. */
export { handleEviction } from './eviction.js';

/** PUT `namespaces/{name}/finalize`: only spec.finalizers changes. */
export async function handleFinalize(
  deps: HandlerDeps,
  ctx: RequestContext,
  served: ServedResource,
  out: OutputFormat,
): Promise<void> {
  if (ctx.info.verb !== 'update')
    throw apiErrors.methodNotSupported({ group: '', resource: 'namespaces/finalize' }, ctx.info.verb);
  const store = requireStore(served);
  const body = decodeBody(await readBody(ctx.req), requestMediaType(ctx.req) || 'application/json');
  if (!isObject(body)) throw apiErrors.badRequest('the body must be a v1 Namespace object');
  const finalizers = isObject(body['spec']) ? body['spec']['finalizers'] : undefined;
  const result = await store.mutate(
    ctx.info.name,
    strategyContext(deps, ctx),
    { dryRun: dryRun(ctx), subresource: 'finalize' },
    (ns) => {
      ns['spec'] = { ...(isObject(ns['spec']) ? ns['spec'] : {}), finalizers };
      return ns;
    },
  );
  writeObject(ctx, served, 200, result, { mediaType: out.mediaType }, deps.clock.now());
}
