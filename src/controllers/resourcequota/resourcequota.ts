/**
 * The ResourceQuota controller: keeps each quota's `status.hard` equal to its spec and `status.used`
 * equal to what the objects of its namespace (within its scopes) consume.
 *
 * Admission charges usage as objects are created; this controller recomputes it when a quota is
 * created or its spec changes, when objects it counts are deleted or change what they consume (a
 * pod that finished, a Service that became a NodePort), and for every quota once per sync period
 * (which also returns what was charged for creates that failed after admission). It never recounts
 * on creation: admission has charged those already, and a recount racing a burst of creates could
 * undercount. Kinds are watched only once a quota names something they consume.
 */
import { untilAborted } from '../framework/manager.js';
import { rec, type JsonObject } from '../../api/core/util.js';
import { evaluatorsForNames, matchesScopes, zeros, type QuotaEvaluator } from '../../api/quota/evaluators.js';
import {
  addLists,
  listsEqual,
  maskList,
  parseResourceList,
  resourceListJson,
  type ResourceList,
} from '../../api/quota/resourcelist.js';
import { RESOURCES } from '../../api/resources.js';
import { refOf } from '../../client/resources.js';
import { objectKey, type ApiObject, type Informer, type ResourceRef } from '../../client/types.js';
import type { Logger } from '../../util/log.js';
import { BY_NAMESPACE, indexByNamespace } from '../framework/indexes.js';
import type { Controller, ControllerContext } from '../framework/types.js';
import { WorkQueue } from '../queue.js';

/** Upstream's --resource-quota-sync-period default. */
export const DEFAULT_QUOTA_SYNC_PERIOD_MS = 5 * 60_000;

/** The ref of a stored kind by group and plural (its first served version), if k8ts serves it. */
export function refOfResource(group: string, resource: string): ResourceRef | undefined {
  const res = RESOURCES.find((r) => r.group === group && r.plural === resource && !r.virtual && !r.storage);
  return res ? refOf(res) : undefined;
}

const RESOURCEQUOTAS = refOfResource('', 'resourcequotas') as ResourceRef;

/** What usage a quota should publish, from the objects of its namespace. */
export function computeUsage(
  quota: JsonObject,
  objectsOf: (ev: QuotaEvaluator) => ApiObject[] | undefined,
  now: Date,
): { hard: ResourceList; used: ResourceList } {
  const hard = parseResourceList(rec(quota['spec'])?.['hard']);
  const hardNames = [...hard.keys()];
  let usage: ResourceList = new Map();
  for (const ev of evaluatorsForNames(hardNames)) {
    const names = ev.matchingResources(hardNames);
    let used = zeros(names);
    for (const obj of objectsOf(ev) ?? []) {
      if (matchesScopes(ev, quota, obj)) used = addLists(used, maskList(ev.usage(obj, now), names));
    }
    usage = addLists(usage, used);
  }
  // Names no evaluator tracks keep what was published before.
  const merged = new Map(parseResourceList(rec(quota['status'])?.['used']));
  for (const [k, v] of usage) merged.set(k, v);
  return { hard, used: maskList(merged, hardNames) };
}

/** Whether a quota's published status differs from `hard` and `used`. */
export function statusDiffers(quota: JsonObject, hard: ResourceList, used: ResourceList): boolean {
  const status = rec(quota['status']) ?? {};
  return (
    !listsEqual(parseResourceList(status['hard']), hard) ||
    !listsEqual(parseResourceList(status['used']), used) ||
    Object.keys(rec(status['hard']) ?? {}).length !== hard.size
  );
}

function specChanged(a: ApiObject, b: ApiObject): boolean {
  return JSON.stringify(a['spec']) !== JSON.stringify(b['spec']);
}

/** A quota whose status lacks usage for one of its limits (new, or its spec just changed). */
function needsUsage(q: ApiObject): boolean {
  const hard = Object.keys(rec(rec(q['spec'])?.['hard']) ?? {});
  const used = rec(rec(q['status'])?.['used']) ?? {};
  return hard.some((k) => !(k in used));
}

class QuotaSyncer {
  private readonly quotas: Informer;
  private readonly quotasIn: (ns: string) => ApiObject[];
  private readonly watched = new Map<string, Promise<((ns: string) => ApiObject[]) | undefined>>();
  private readonly listers = new Map<string, (ns: string) => ApiObject[]>();
  readonly queue: WorkQueue;
  private readonly log: Logger;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly signal: AbortSignal,
  ) {
    this.log = ctx.logger('resourcequota-controller');
    this.quotas = ctx.informers.informer(RESOURCEQUOTAS);
    this.quotasIn = inNamespaceOf(this.quotas);
    this.queue = new WorkQueue((key) => this.sync(key), this.log, { concurrency: 2 });
    this.quotas.addHandlers({
      add: (q) => this.queue.add(objectKey(q)),
      update: (old, cur) => {
        if (specChanged(old, cur) || needsUsage(cur)) this.queue.add(objectKey(cur));
      },
    });
  }

  /** Queues every quota of a namespace. */
  private enqueueNamespace(ns: string): void {
    for (const q of this.quotasIn(ns)) this.queue.add(objectKey(q));
  }

  /** Queues every quota. */
  resyncAll(): void {
    for (const q of this.quotas.list()) this.queue.add(objectKey(q));
  }

  /** The objects of an evaluated kind by namespace, watching the kind from the first time it is asked. */
  private async listerFor(ev: QuotaEvaluator): Promise<((ns: string) => ApiObject[]) | undefined> {
    const id = `${ev.group}/${ev.resource}`;
    const known = this.listers.get(id);
    if (known) return known;
    let pending = this.watched.get(id);
    if (!pending) {
      pending = this.watch(ev);
      this.watched.set(id, pending);
    }
    const lister = await pending;
    if (lister) this.listers.set(id, lister);
    return lister;
  }

  private async watch(ev: QuotaEvaluator): Promise<((ns: string) => ApiObject[]) | undefined> {
    const ref = refOfResource(ev.group, ev.resource);
    if (!ref) return undefined;
    const inf = this.ctx.informers.informer(ref);
    const inNamespace = inNamespaceOf(inf);
    inf.addHandlers({
      update: (old, cur) => {
        const ns = cur.metadata.namespace ?? '';
        if (this.quotasIn(ns).length === 0) return;
        const now = this.ctx.clock.now();
        if (!listsEqual(ev.usage(old, now), ev.usage(cur, now))) this.enqueueNamespace(ns);
      },
      delete: (obj) => this.enqueueNamespace(obj.metadata.namespace ?? ''),
    });
    await inf.waitForSync(this.signal);
    return inNamespace;
  }

  async sync(key: string): Promise<void> {
    const quota = this.quotas.get(key);
    if (!quota) return;
    const ns = quota.metadata.namespace ?? '';
    const hardNames = Object.keys(rec(rec(quota['spec'])?.['hard']) ?? {});
    const lists = new Map<string, ApiObject[] | undefined>();
    for (const ev of evaluatorsForNames(hardNames))
      lists.set(`${ev.group}/${ev.resource}`, (await this.listerFor(ev))?.(ns));
    const { hard, used } = computeUsage(
      quota,
      (ev) => lists.get(`${ev.group}/${ev.resource}`),
      this.ctx.clock.now(),
    );
    if (!statusDiffers(quota, hard, used)) return;
    const next = structuredClone(quota);
    next['status'] = { hard: resourceListJson(hard), used: resourceListJson(used) };
    await this.ctx.client.resource(RESOURCEQUOTAS, ns).updateStatus(next);
    this.log.debug({ quota: key, used: next['status'] }, 'quota usage updated');
  }
}

/** The controller (upstream name `resourcequota`). */
export class ResourceQuotaController implements Controller {
  readonly name = 'resourcequota';

  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const syncer = new QuotaSyncer(ctx, signal);
    await ctx.informers.waitForSync(signal);
    const period = ctx.options.resourceQuotaSyncPeriodMs ?? DEFAULT_QUOTA_SYNC_PERIOD_MS;
    const timer = setInterval(() => syncer.resyncAll(), period);
    timer.unref();
    try {
      await untilAborted(signal);
    } finally {
      clearInterval(timer);
      syncer.queue.stop();
    }
  }
}

/** Lists an informer's objects of one namespace through the shared namespace index. */
function inNamespaceOf<T extends ApiObject>(inf: Informer<T>): (ns: string) => T[] {
  indexByNamespace(inf);
  return (ns) => inf.byIndex(BY_NAMESPACE, ns);
}
