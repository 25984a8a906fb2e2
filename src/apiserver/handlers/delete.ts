/**
 * DELETE of one object and DELETECOLLECTION.
 */
import { apiErrors, ApiError } from '../../api/errors.js';
import { isObject, type StoredObject } from '../../api/meta.js';
import type { DeleteOptions } from '../../registry/list-options.js';
import type { Store } from '../../registry/store.js';
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
import { listKind, present, writeWritten } from './encode.js';
import { handleListForDelete } from './delete-collection.js';
import { dryRun, strategyContext } from './write.js';

/** DeleteOptions from the body (if any) and the query string. */
export async function deleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const opts: DeleteOptions = { dryRun: dryRun(ctx) };
  const body = await readBody(ctx.req);
  if (body.length > 0) {
    const v = decodeBody(body, requestMediaType(ctx.req) || 'application/json');
    if (!isObject(v)) throw apiErrors.badRequest('DeleteOptions must be a JSON object');
    if (typeof v['gracePeriodSeconds'] === 'number') opts.gracePeriodSeconds = v['gracePeriodSeconds'];
    const pre = v['preconditions'];
    if (isObject(pre)) {
      opts.preconditions = {};
      if (typeof pre['uid'] === 'string') opts.preconditions.uid = pre['uid'];
      if (typeof pre['resourceVersion'] === 'string')
        opts.preconditions.resourceVersion = pre['resourceVersion'];
    }
    const pp = v['propagationPolicy'];
    if (pp !== undefined && pp !== null) {
      if (pp !== 'Orphan' && pp !== 'Background' && pp !== 'Foreground') {
        throw new ApiError(
          422,
          'Invalid',
          `propagationPolicy: Unsupported value: ${JSON.stringify(pp)}: supported values: "Foreground", "Background", "Orphan", "nil"`,
        );
      }
      opts.propagationPolicy = pp;
    }
    if (typeof v['orphanDependents'] === 'boolean') opts.orphanDependents = v['orphanDependents'];
    const dr = v['dryRun'];
    if (Array.isArray(dr) && dr.length > 0) {
      if (!dr.every((x) => x === 'All'))
        throw apiErrors.badRequest(
          `dryRun: Unsupported value: ${JSON.stringify(dr[0])}: supported values: "All"`,
        );
      opts.dryRun = true;
    }
  }
  const q = ctx.query;
  const grace = q.get('gracePeriodSeconds');
  if (grace !== null && grace !== '') {
    if (!/^-?\d+$/.test(grace))
      throw apiErrors.badRequest(`gracePeriodSeconds: invalid value ${JSON.stringify(grace)}`);
    opts.gracePeriodSeconds = Number(grace);
  }
  const pp = q.get('propagationPolicy');
  if (pp) {
    if (pp !== 'Orphan' && pp !== 'Background' && pp !== 'Foreground') {
      throw new ApiError(
        422,
        'Invalid',
        `propagationPolicy: Unsupported value: ${JSON.stringify(pp)}: supported values: "Foreground", "Background", "Orphan", "nil"`,
      );
    }
    opts.propagationPolicy = pp;
  }
  const od = q.get('orphanDependents');
  if (od === 'true' || od === 'false') opts.orphanDependents = od === 'true';
  if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0) opts.gracePeriodSeconds = 0;
  if (opts.propagationPolicy && opts.orphanDependents !== undefined) {
    throw new ApiError(
      422,
      'Invalid',
      'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "' +
        opts.propagationPolicy +
        '": orphanDependents and deletionPropagation cannot be both set',
    );
  }
  return opts;
}

function requireStore(served: ServedResource, verb: string): Store {
  if (!served.store)
    throw apiErrors.methodNotSupported({ group: served.type.group, resource: served.type.plural }, verb);
  return served.store;
}

/** The success Status upstream answers a completed delete with. */
export function deletedStatus(served: ServedResource, obj: StoredObject): Record<string, unknown> {
  const details: Record<string, unknown> = {
    name: obj.metadata.name,
    kind: served.type.plural,
    uid: obj.metadata.uid,
  };
  if (served.type.group) details['group'] = served.type.group;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}

export async function handleDelete(
  deps: HandlerDeps,
  ctx: RequestContext,
  served: ServedResource,
  out: OutputFormat,
): Promise<void> {
  const store = requireStore(served, 'delete');
  const opts = await deleteOptions(ctx);
  const sctx = strategyContext(deps, ctx);
  const current = await store.get(ctx.info.namespace, ctx.info.name, '');
  await deps.admission.run({
    operation: 'DELETE',
    resource: served.type,
    subresource: '',
    namespace: ctx.info.namespace,
    name: ctx.info.name,
    oldObject: current.object,
    user: ctx.user,
    dryRun: opts.dryRun,
  });
  const res = await store.delete(ctx.info.name, sctx, opts);
  if (res.deleted) {
    writeValue(ctx, 200, deletedStatus(served, res.object), { mediaType: out.mediaType });
    return;
  }
  const code = opts.orphanDependents === false ? 202 : 200;
  writeWritten(ctx, served, code, res.object, { mediaType: out.mediaType }, deps.clock.now());
}

export async function handleDeleteCollection(
  deps: HandlerDeps,
  ctx: RequestContext,
  served: ServedResource,
  out: OutputFormat,
): Promise<void> {
  const store = requireStore(served, 'deletecollection');
  const opts = await deleteOptions(ctx);
  const items = await handleListForDelete(ctx, served, store);
  const sctx = strategyContext(deps, ctx);
  const deleted: unknown[] = [];
  for (const c of items) {
    await deps.admission.run({
      operation: 'DELETE',
      resource: served.type,
      subresource: '',
      namespace: c.namespace,
      name: c.name,
      oldObject: c.object,
      user: ctx.user,
      dryRun: opts.dryRun,
    });
    try {
      const res = await store.delete(c.name, { ...sctx, namespace: c.namespace }, opts);
      deleted.push(present(served, res.object));
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) continue;
      throw err;
    }
  }
  const { apiVersion, kind } = listKind(served);
  writeValue(ctx, 200, { apiVersion, kind, metadata: {}, items: deleted }, { mediaType: out.mediaType });
}
