/**
 * The ResourceQuota admission plugin. Requests are checked per namespace in batches, as upstream's
 * quota evaluator does: every waiting request of a namespace is checked against the quotas in turn,
 * each admitted one charged, then each changed quota is written once, conditional on the
 * resourceVersion its usage was computed from. A lost race (409) re-reads the quotas that failed
 * and checks the still-undecided requests again, so concurrent creates (in this process or on
 * another server sharing the store) never push usage past a hard limit.
 *
 * Objects whose write fails after admission stay charged until the quota controller recomputes
 * usage (as upstream).
 */
import { apiErrors, ApiError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { evaluatorFor } from '../../../api/quota/evaluators.js';
import { resourceListJson } from '../../../api/quota/resourcelist.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../types.js';
import {
  checkRequest,
  QuotaDenied,
  quotaState,
  usageChanged,
  type QuotaRequest,
  type QuotaState,
} from './check.js';

/** Where the plugin reads and writes ResourceQuotas. */
export interface QuotaStore {
  /** The namespace's quotas as cached (may lag a little). */
  cached(namespace: string): KubeObject[];
  /** The namespace's quotas, read consistently. */
  fresh(namespace: string): Promise<KubeObject[]>;
  /**
   * Writes `status.used` of a quota, conditional on its `metadata.resourceVersion`; returns the
   * stored quota, rejects with a 409 ApiError when it changed meanwhile.
   */
  writeUsed(quota: KubeObject, used: Record<string, string>): Promise<KubeObject>;
}

/** Options of {@link resourceQuotaAdmission}. */
export interface ResourceQuotaAdmissionOptions {
  store: QuotaStore;
  now(): Date;
  /** Re-checks after lost write races before failing the request (upstream: 3). */
  retries?: number;
}

type Outcome = 'pending' | 'ok' | Error;

interface Waiter {
  req: QuotaRequest;
  dryRun: boolean;
  deny(reason: string): ApiError;
  outcome: Outcome;
  settle(): void;
}

function rvOf(obj: KubeObject): number {
  return Number(obj.metadata?.resourceVersion ?? '0') || 0;
}

/** The plugin; quota checks run in its validating phase, after the object was validated. */
export function resourceQuotaAdmission(opts: ResourceQuotaAdmissionOptions): AdmissionPlugin {
  const queues = new Map<string, Waiter[]>();
  /** Quotas this plugin wrote, newer than the cache may yet hold: `ns/name` → object. */
  const written = new Map<string, KubeObject>();
  const retries = opts.retries ?? 3;

  function current(namespace: string): KubeObject[] {
    return opts.store.cached(namespace).map((q) => {
      const key = `${namespace}/${q.metadata?.name ?? ''}`;
      const mine = written.get(key);
      if (!mine) return q;
      if (rvOf(mine) > rvOf(q)) return mine;
      written.delete(key);
      return q;
    });
  }

  async function writeAll(
    original: QuotaState[],
    working: QuotaState[],
  ): Promise<{ failed: string[]; lastErr?: Error }> {
    const failed: string[] = [];
    let lastErr: Error | undefined;
    for (let i = 0; i < working.length; i++) {
      const next = working[i] as QuotaState;
      if (!usageChanged(original[i] as QuotaState, next)) continue;
      try {
        const stored = await opts.store.writeUsed(next.obj, resourceListJson(next.used));
        written.set(`${stored.metadata?.namespace ?? ''}/${next.name}`, stored);
      } catch (err) {
        failed.push(next.name);
        lastErr = err instanceof Error ? err : new Error(String(err));
      }
    }
    return { failed, lastErr };
  }

  async function checkBatch(namespace: string, batch: Waiter[]): Promise<void> {
    let quotas = current(namespace).map(quotaState);
    for (let left = retries; ; left--) {
      if (quotas.length === 0) break;
      let working = quotas;
      for (const w of batch) {
        if (w.outcome !== 'pending') continue;
        try {
          const next = checkRequest(working, w.req);
          const changes = next.some((q, i) => usageChanged(working[i] as QuotaState, q));
          if (w.dryRun || !changes) w.outcome = 'ok';
          else working = next;
        } catch (err) {
          w.outcome = err instanceof QuotaDenied ? w.deny(err.message) : (err as Error);
        }
      }
      const { failed, lastErr } = await writeAll(quotas, working);
      if (failed.length === 0) break;
      const conflict = lastErr instanceof ApiError && lastErr.code === 409;
      if (left <= 0 || !conflict) {
        for (const w of batch)
          if (w.outcome === 'pending') w.outcome = lastErr ?? new Error('quota update failed');
        return;
      }
      quotas = (await opts.store.fresh(namespace))
        .filter((q) => failed.includes(q.metadata?.name ?? ''))
        .map(quotaState);
    }
    for (const w of batch) if (w.outcome === 'pending') w.outcome = 'ok';
  }

  async function drain(namespace: string, queue: Waiter[]): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0);
      try {
        await checkBatch(namespace, batch);
      } catch (err) {
        for (const w of batch)
          if (w.outcome === 'pending') w.outcome = err instanceof Error ? err : new Error(String(err));
      }
      for (const w of batch) w.settle();
    }
    queues.delete(namespace);
  }

  function enqueue(namespace: string, w: Waiter): void {
    let queue = queues.get(namespace);
    if (queue) {
      queue.push(w);
      return;
    }
    queue = [w];
    queues.set(namespace, queue);
    void drain(namespace, queue);
  }

  return {
    name: 'ResourceQuota',
    validate(a: AdmissionAttributes): Promise<void> | void {
      if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return;
      if (a.subresource !== '' || !a.namespace || !a.object) return;
      const evaluator = evaluatorFor(a.resource.group, a.resource.plural);
      if (!evaluator.handles(a.operation)) return;
      if (opts.store.cached(a.namespace).length === 0) return;
      const gr = { group: a.resource.group, resource: a.resource.plural };
      const name = a.name || a.object.metadata?.name || a.object.metadata?.generateName || 'Unknown';
      return new Promise<void>((resolve, reject) => {
        const w: Waiter = {
          req: {
            operation: a.operation as 'CREATE' | 'UPDATE',
            object: a.object as KubeObject,
            oldObject: a.oldObject,
            evaluator,
            now: opts.now(),
          },
          dryRun: a.dryRun,
          deny: (reason) => apiErrors.forbidden(gr, name, reason),
          outcome: 'pending',
          settle: () => (w.outcome === 'ok' ? resolve() : reject(w.outcome)),
        };
        enqueue(a.namespace, w);
      });
    },
  };
}
