/**
 * POST `pods/{name}/eviction`: a delete that respects PodDisruptionBudgets, as upstream's
 * EvictionREST.
 *
 * - Pods that are Pending, Succeeded, Failed or already being deleted go at once (conditional on
 *   the resourceVersion read, so a pod that starts running meanwhile is looked at again).
 * - Otherwise the pod's budget (several: 500, as upstream) must allow a disruption: its
 *   `disruptionsAllowed` is decremented and the pod recorded in `disruptedPods` in one status write
 *   conditional on the budget's resourceVersion (a lost race re-reads it and tries again); with none
 *   left the answer is 429 TooManyRequests with a DisruptionBudget cause, and clients retry.
 * - An unready pod costs nothing from a budget that is currently met (or whose
 *   unhealthyPodEvictionPolicy is AlwaysAllow); it is deleted only if still at the resourceVersion
 *   the decision was made on.
 * - The pod gets the DisruptionTarget condition (EvictionByEvictionAPI) before it is deleted.
 */
import { ApiError, apiErrors } from '../../api/errors.js';
import { isObject, type KubeObject, type StoredObject } from '../../api/meta.js';
import { evictionDeleteOptions } from '../../api/policy/eviction.js';
import {
  MAX_DISRUPTED_POD_SIZE,
  pdbSelects,
  pdbStatusOf,
  podReady,
  updateDisruptionAllowedCondition,
} from '../../api/policy/pdb.js';
import { rec, records, str } from '../../api/core/util.js';
import type { DeleteOptions } from '../../registry/list-options.js';
import type { Store } from '../../registry/store.js';
import type { StrategyContext } from '../../registry/strategy.js';
import { rfc3339 } from '../../util/time.js';
import { decodeBody, readBody, requestMediaType, writeValue, type RequestContext } from '../http.js';
import type { ServedResource } from '../served.js';
import type { HandlerDeps } from './context.js';
import { strategyContext } from './write.js';

/** Attempts on resourceVersion conflicts (upstream's EvictionsRetry has 20 steps). */
const EVICTION_RETRIES = 20;
const PODS = { group: '', resource: 'pods' };
const PDB_SINGULAR = { group: 'policy', resource: 'poddisruptionbudget' };
const MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";

/** 429 while the controller has not caught up with a budget's spec (upstream's createTooManyRequestsError). */
function stillProcessing(pdbName: string): ApiError {
  return new ApiError(429, 'TooManyRequests', MESSAGE, {
    retryAfterSeconds: 10,
    causes: [
      {
        reason: 'DisruptionBudget',
        message: `The disruption budget ${pdbName} is still being processed by the server.`,
      },
    ],
  });
}

function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.code === 409;
}

function phaseOf(pod: KubeObject): string {
  return str(rec(pod['status'])?.['phase']);
}

/** Pods whose eviction needs no budget: not started, finished, or already going. */
function canIgnoreBudget(pod: StoredObject): boolean {
  const phase = phaseOf(pod);
  return (
    phase === 'Pending' || phase === 'Succeeded' || phase === 'Failed' || !!pod.metadata.deletionTimestamp
  );
}

function shouldEnforceResourceVersion(pod: StoredObject): boolean {
  const phase = phaseOf(pod);
  return !(phase === 'Succeeded' || phase === 'Failed' || pod.metadata.deletionTimestamp);
}

function withResourceVersion(opts: DeleteOptions, rv: string | undefined): DeleteOptions {
  return { ...opts, preconditions: { ...(opts.preconditions ?? {}), resourceVersion: rv } };
}

/** What an eviction needs of the server. */
export type EvictionDeps = Pick<HandlerDeps, 'served' | 'clock'>;

class Eviction {
  constructor(
    private readonly deps: EvictionDeps,
    private readonly pods: Store,
    private readonly sctx: StrategyContext,
    private readonly name: string,
    private readonly options: DeleteOptions,
  ) {}

  private get rvUnset(): boolean {
    return !this.options.preconditions?.resourceVersion;
  }

  /** Evicts; resolves with the Status to answer. */
  async run(): Promise<KubeObject> {
    let pod: StoredObject | undefined;
    for (let attempt = 0; ; attempt++) {
      pod = (await this.pods.get(this.sctx.namespace, this.name, '')).object;
      if (!canIgnoreBudget(pod)) break;
      const opts =
        shouldEnforceResourceVersion(pod) && this.rvUnset
          ? withResourceVersion(this.options, pod.metadata.resourceVersion)
          : this.options;
      try {
        await this.markAndDelete(opts);
        return success();
      } catch (err) {
        if (!isConflict(err) || !this.rvUnset || attempt + 1 >= EVICTION_RETRIES) throw err;
      }
    }

    const budgets = await this.budgetsOf(pod);
    if (budgets.length > 1)
      return {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message:
          'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
        code: 500,
      };
    let conditional = false;
    let pdbName = '';
    const pdb = budgets[0];
    if (pdb) {
      pdbName = pdb.metadata?.name ?? '';
      const status = pdbStatusOf(pdb);
      const spec = rec(pdb['spec']) ?? {};
      if (
        !podReady(pod) &&
        (str(spec['unhealthyPodEvictionPolicy']) === 'AlwaysAllow' ||
          (status.currentHealthy >= status.desiredHealthy && status.desiredHealthy > 0))
      )
        conditional = true;
      else await this.takeFromBudget(pdb);
    }
    const opts = conditional ? withResourceVersion(this.options, pod.metadata.resourceVersion) : this.options;
    try {
      await this.markAndDelete(opts);
    } catch (err) {
      // The unready pod changed (it may be ready now): let the client try again.
      if (isConflict(err) && conditional && this.rvUnset) throw stillProcessing(pdbName);
      throw err;
    }
    return success();
  }

  /** The budgets in the pod's namespace that select it (read after the caches caught up). */
  private async budgetsOf(pod: StoredObject): Promise<KubeObject[]> {
    const cache = this.deps.served.cache('policy', 'poddisruptionbudgets');
    await this.deps.served.caches.waitFresh();
    const labels = pod.metadata.labels ?? {};
    return [...(cache?.values(this.sctx.namespace) ?? [])]
      .map((c) => c.object)
      .filter((b) => pdbSelects(b, labels));
  }

  /** Verifies and decrements the budget, retrying on conflicts with a fresh read (upstream's checkAndDecrement). */
  private async takeFromBudget(initial: KubeObject): Promise<void> {
    const store = this.deps.served.get('policy', 'v1', 'poddisruptionbudgets')?.store;
    if (!store) throw apiErrors.internal(new Error('poddisruptionbudgets are not served'));
    const name = initial.metadata?.name ?? '';
    let pdb = initial;
    for (let attempt = 0; attempt < EVICTION_RETRIES; attempt++) {
      if (attempt > 0) pdb = (await store.get(this.sctx.namespace, name, '')).object;
      const status = pdbStatusOf(pdb);
      if ((status.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0)) throw stillProcessing(name);
      if (status.disruptionsAllowed < 0)
        throw apiErrors.forbidden(PDB_SINGULAR, name, 'pdb disruptions allowed is negative');
      if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE)
        throw apiErrors.forbidden(
          PDB_SINGULAR,
          name,
          'DisruptedPods map too big - too many evictions not confirmed by PDB controller',
        );
      if (status.disruptionsAllowed === 0)
        throw new ApiError(429, 'TooManyRequests', MESSAGE, {
          causes: [
            {
              reason: 'DisruptionBudget',
              message: `The disruption budget ${name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`,
            },
          ],
        });
      status.disruptionsAllowed--;
      const now = rfc3339(this.deps.clock.now());
      if (status.disruptionsAllowed === 0) updateDisruptionAllowedCondition(status, now);
      if (this.options.dryRun) return;
      status.disruptedPods = { ...(status.disruptedPods ?? {}), [this.name]: now };
      const next = structuredClone(pdb);
      next['status'] = status;
      try {
        await store.update(name, next, this.sctx, { dryRun: false, subresource: 'status' });
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
    throw apiErrors.timeout(
      `couldn't update PodDisruptionBudget ${JSON.stringify(name)} due to conflicts`,
      10,
    );
  }

  /** Adds the DisruptionTarget condition (not on dry runs), then deletes with `opts`. */
  private async markAndDelete(opts: DeleteOptions): Promise<void> {
    let deleteOpts = opts;
    if (!opts.dryRun) {
      const latest = (await this.pods.get(this.sctx.namespace, this.name, '')).object;
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== latest.metadata.uid)
        throw apiErrors.conflict(
          PODS,
          this.name,
          `the UID in the precondition (${pre.uid}) does not match the UID in record (${latest.metadata.uid ?? ''}). The object might have been deleted and then recreated`,
        );
      if (pre?.resourceVersion && pre.resourceVersion !== latest.metadata.resourceVersion)
        throw apiErrors.conflict(
          PODS,
          this.name,
          `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${latest.metadata.resourceVersion ?? ''}). The object might have been modified`,
        );
      const updated = await this.pods.mutate(
        this.name,
        this.sctx,
        { dryRun: false, subresource: 'status' },
        (cur) => {
          cur.metadata.resourceVersion = latest.metadata.resourceVersion;
          return withDisruptionTarget(cur, rfc3339(this.deps.clock.now()));
        },
      );
      if (pre?.resourceVersion) deleteOpts = withResourceVersion(opts, updated.metadata.resourceVersion);
    }
    await this.pods.delete(this.name, this.sctx, deleteOpts);
  }
}

/** The pod with DisruptionTarget=True (EvictionByEvictionAPI), as upstream's UpdatePodCondition sets it. */
function withDisruptionTarget(pod: StoredObject, now: string): StoredObject {
  const status = (rec(pod['status']) ?? {}) as Record<string, unknown>;
  const conditions = records(status['conditions']).map(([c]) => c);
  const cond: Record<string, unknown> = {
    type: 'DisruptionTarget',
    status: 'True',
    lastProbeTime: null,
    lastTransitionTime: now,
    reason: 'EvictionByEvictionAPI',
    message: 'Eviction API: evicting',
  };
  const i = conditions.findIndex((c) => str(c['type']) === 'DisruptionTarget');
  if (i < 0) conditions.push(cond);
  else {
    if (str(conditions[i]?.['status']) === 'True')
      cond['lastTransitionTime'] = conditions[i]?.['lastTransitionTime'];
    conditions[i] = cond;
  }
  status['conditions'] = conditions;
  pod['status'] = status;
  return pod;
}

function success(): KubeObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}

/**
 * Evicts pod `name` in `sctx.namespace` with the eviction's DeleteOptions; resolves with the Status
 * to answer (success, or upstream's 500 for several budgets), rejects with an ApiError (429 when a
 * budget allows no disruption).
 */
export function evictPod(
  deps: EvictionDeps,
  sctx: StrategyContext,
  name: string,
  options: DeleteOptions,
): Promise<KubeObject> {
  const pods = deps.served.get('', 'v1', 'pods')?.store;
  if (!pods) return Promise.reject(apiErrors.pathNotFound());
  return new Eviction(deps, pods, sctx, name, options).run();
}

/** The handler. */
export async function handleEviction(
  deps: HandlerDeps,
  ctx: RequestContext,
  served: ServedResource,
): Promise<void> {
  if (ctx.info.verb !== 'create')
    throw apiErrors.methodNotSupported({ group: '', resource: 'pods/eviction' }, ctx.info.verb);
  const body = decodeBody(await readBody(ctx.req), requestMediaType(ctx.req) || 'application/json');
  if (!isObject(body)) throw apiErrors.badRequest('the body must be a policy/v1 Eviction object');
  const eviction = body as KubeObject;
  (eviction.metadata ??= {}).name ||= ctx.info.name;
  const deleteOpts = evictionDeleteOptions(eviction, ctx.info.name, ctx.query.getAll('dryRun'));
  const dry = (deleteOpts.dryRun ?? []).length > 0;
  await deps.admission.run({
    operation: 'CREATE',
    resource: served.type,
    subresource: 'eviction',
    namespace: ctx.info.namespace,
    name: ctx.info.name,
    object: eviction,
    user: ctx.user,
    dryRun: dry,
  });
  const pre = deleteOpts.preconditions;
  const options: DeleteOptions = {
    dryRun: dry,
    gracePeriodSeconds: deleteOpts.gracePeriodSeconds ?? undefined,
    preconditions: pre
      ? { uid: pre.uid ?? undefined, resourceVersion: pre.resourceVersion ?? undefined }
      : undefined,
    propagationPolicy: (deleteOpts.propagationPolicy as DeleteOptions['propagationPolicy']) ?? undefined,
    orphanDependents: deleteOpts.orphanDependents ?? undefined,
  };
  const status = await evictPod(deps, strategyContext(deps, ctx), ctx.info.name, options);
  writeValue(ctx, Number(status['code']) || 201, status);
}
