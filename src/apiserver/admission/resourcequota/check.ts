/**
 * One request against a namespace's quotas, as upstream's CheckRequest: find the quotas that cover
 * the object, enforce their constraints, measure what the write adds (on update, the growth over the
 * old object), and refuse it if any covering quota would go over its hard limit. Pure: the caller
 * supplies the quotas and persists the new usage.
 */
import type { KubeObject } from '../../../api/meta.js';
import { rec, type JsonObject } from '../../../api/core/util.js';
import { quotaCovers, type QuotaEvaluator } from '../../../api/quota/evaluators.js';
import {
  addLists,
  exceededNames,
  listsEqual,
  maskList,
  negativeNames,
  parseResourceList,
  prettyList,
  prettyNames,
  removeZeros,
  subtractNonNegative,
  type ResourceList,
} from '../../../api/quota/resourcelist.js';

/** A quota as admission works with it: the stored object and its published hard and used lists. */
export interface QuotaState {
  name: string;
  obj: KubeObject;
  hard: ResourceList;
  used: ResourceList;
}

/** The quota view of a stored ResourceQuota. */
export function quotaState(obj: KubeObject): QuotaState {
  const status = rec(obj['status']) ?? {};
  return {
    name: obj.metadata?.name ?? '',
    obj,
    hard: parseResourceList(status['hard']),
    used: parseResourceList(status['used']),
  };
}

/** A refusal: `message` is the reason upstream puts after `… is forbidden: `. */
export class QuotaDenied extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuotaDenied';
  }
}

/** One write to check. */
export interface QuotaRequest {
  operation: 'CREATE' | 'UPDATE';
  object: KubeObject;
  oldObject?: KubeObject;
  evaluator: QuotaEvaluator;
  now: Date;
}

/**
 * The quotas after charging the request (the same array when nothing is charged); throws
 * {@link QuotaDenied} with upstream's message when the request may not be admitted.
 */
export function checkRequest(quotas: QuotaState[], req: QuotaRequest): QuotaState[] {
  const ev = req.evaluator;
  const obj = req.object as JsonObject;
  const interesting: number[] = [];
  quotas.forEach((q, i) => {
    if (!quotaCovers(ev, q.obj as JsonObject, obj)) return;
    const restricted = ev.matchingResources([...q.hard.keys()]);
    const violation = ev.constraints(restricted, obj);
    if (violation) throw new QuotaDenied(`failed quota: ${q.name}: ${violation}`);
    const unknown = restricted.filter((r) => !q.used.has(r));
    if (unknown.length > 0)
      throw new QuotaDenied(`status unknown for quota: ${q.name}, resources: ${prettyNames(restricted)}`);
    interesting.push(i);
  });
  if (interesting.length === 0) return quotas;

  let delta = ev.usage(obj, req.now);
  const negative = negativeNames(delta);
  if (negative.length > 0)
    throw new QuotaDenied(`quota usage is negative for resource(s): ${prettyNames(negative)}`);
  if (req.operation === 'UPDATE') {
    if (!req.oldObject)
      throw new QuotaDenied('unable to get previous usage since prior version of object was not found');
    if (req.oldObject.metadata?.resourceVersion)
      delta = subtractNonNegative(delta, ev.usage(req.oldObject as JsonObject, req.now));
  }
  delta = removeZeros(delta);
  if (delta.size === 0) return quotas;

  const out = [...quotas];
  for (const i of interesting) {
    const q = out[i] as QuotaState;
    const requested = maskList(delta, q.hard.keys());
    const newUsage = addLists(q.used, requested);
    const exceeded = exceededNames(maskList(newUsage, requested.keys()), q.hard);
    if (exceeded.length > 0) {
      throw new QuotaDenied(
        `exceeded quota: ${q.name}, requested: ${prettyList(maskList(requested, exceeded))}, used: ${prettyList(
          maskList(q.used, exceeded),
        )}, limited: ${prettyList(maskList(q.hard, exceeded))}`,
      );
    }
    out[i] = { ...q, used: newUsage };
  }
  return out;
}

/** Whether a quota's usage differs between two states. */
export function usageChanged(a: QuotaState, b: QuotaState): boolean {
  return !listsEqual(a.used, b.used);
}
