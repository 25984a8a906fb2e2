/**
 * The namespace controller: a namespace being deleted has everything in it deleted; when nothing is
 * left, its `kubernetes` finalizer is removed and the namespace itself goes away.
 */
import { ApiError } from '../../api/errors.js';
import type { StoredObject } from '../../api/meta.js';
import type { ServedResources } from '../../apiserver/served.js';
import type { ResourceCache } from '../../registry/cache/resource-cache.js';
import type { Store } from '../../registry/store.js';
import type { StrategyContext } from '../../registry/strategy.js';
import type { Clock } from '../../util/time.js';
import type { Logger } from '../../util/log.js';
import { rfc3339 } from '../../util/time.js';
import { subscribe } from '../subscribe.js';
import { WorkQueue } from '../queue.js';

const USER = {
  username: 'system:serviceaccount:kube-system:namespace-controller',
  groups: ['system:serviceaccounts', 'system:authenticated'],
};
export const NAMESPACE_FINALIZER = 'kubernetes';
/** While objects remain (terminating pods, finalizers), look again this often. */
const RECHECK_MS = 1000;

/** Namespace deletion as the store performs it: Terminating while spec.finalizers remain. */
export function configureNamespaceStore(store: Store): void {
  store.onDeleteMark = (next) => {
    const status = (next['status'] ?? {}) as Record<string, unknown>;
    next['status'] = { ...status, phase: 'Terminating' };
  };
  store.deleteBlocked = (current) => {
    const spec = current['spec'] as { finalizers?: string[] } | undefined;
    return (spec?.finalizers?.length ?? 0) > 0;
  };
}

export class NamespaceController {
  private readonly queue: WorkQueue;
  private stopWatch: () => void = () => undefined;
  private namespaces: { store: Store; cache: ResourceCache } | undefined;

  constructor(
    private readonly served: ServedResources,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.queue = new WorkQueue((name) => this.sync(name), log, { concurrency: 2 });
  }

  start(): void {
    const ns = this.served
      .stored()
      .find((s) => s.served.type.group === '' && s.served.type.plural === 'namespaces');
    if (!ns) throw new Error('namespaces are not served');
    this.namespaces = { store: ns.store, cache: ns.cache };
    this.stopWatch = subscribe(ns.cache, (ev) => {
      if (ev.type !== 'DELETED' && ev.object.object.metadata.deletionTimestamp)
        this.queue.add(ev.object.name);
    });
  }

  stop(): void {
    this.stopWatch();
    this.queue.stop();
  }

  /** Writes upstream's deletion conditions to the namespace's status when they change. */
  private async reportConditions(
    name: string,
    remaining: Map<string, number>,
    finalizers: Map<string, number>,
  ): Promise<void> {
    const nsEntry = this.namespaces;
    if (!nsEntry) return;
    const content = [...remaining]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([r, n]) => `${r} has ${n} resource instances`);
    const held = [...finalizers]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([f, n]) => `${f} in ${n} resource instances`);
    const wanted: { type: string; status: string; reason: string; message: string }[] = [
      {
        type: 'NamespaceDeletionDiscoveryFailure',
        status: 'False',
        reason: 'ResourcesDiscovered',
        message: 'All resources successfully discovered',
      },
      {
        type: 'NamespaceDeletionGroupVersionParsingFailure',
        status: 'False',
        reason: 'ParsedGroupVersions',
        message: 'All legacy kube types successfully parsed',
      },
      {
        type: 'NamespaceDeletionContentFailure',
        status: 'False',
        reason: 'ContentDeleted',
        message: 'All content successfully deleted, may be waiting on finalization',
      },
      content.length
        ? {
            type: 'NamespaceContentRemaining',
            status: 'True',
            reason: 'SomeResourcesRemain',
            message: `Some resources are remaining: ${content.join(', ')}`,
          }
        : {
            type: 'NamespaceContentRemaining',
            status: 'False',
            reason: 'ContentRemoved',
            message: 'All content successfully removed',
          },
      held.length
        ? {
            type: 'NamespaceFinalizersRemaining',
            status: 'True',
            reason: 'SomeFinalizersRemain',
            message: `Some content in the namespace has finalizers remaining: ${held.join(', ')}`,
          }
        : {
            type: 'NamespaceFinalizersRemaining',
            status: 'False',
            reason: 'ContentHasNoFinalizers',
            message: 'All content-preserving finalizers finished',
          },
    ];
    const now = rfc3339(this.clock.now());
    try {
      await nsEntry.store.mutate(
        name,
        this.ctx(''),
        { dryRun: false, subresource: 'status' },
        (obj: StoredObject) => {
          const status = (obj['status'] ?? {}) as { conditions?: Record<string, unknown>[] };
          const old = status.conditions ?? [];
          status.conditions = wanted.map((c) => {
            const prev = old.find((o) => o['type'] === c.type);
            const same =
              prev &&
              prev['status'] === c.status &&
              prev['reason'] === c.reason &&
              prev['message'] === c.message;
            return same
              ? prev
              : {
                  ...c,
                  lastTransitionTime: prev && prev['status'] === c.status ? prev['lastTransitionTime'] : now,
                };
          });
          obj['status'] = status;
          return obj;
        },
      );
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
  }

  private ctx(namespace: string): StrategyContext {
    return { user: USER, namespace, now: () => this.clock.now() };
  }

  private async sync(name: string): Promise<void> {
    const nsEntry = this.namespaces;
    const ns = nsEntry?.cache.get(`${nsEntry.cache.prefix}${name}`);
    if (!nsEntry || !ns || !ns.object.metadata.deletionTimestamp) return;
    /** Objects left per resource ("configmaps." as upstream prints group-less resources), and finalizers left. */
    const remaining = new Map<string, number>();
    const finalizers = new Map<string, number>();
    for (const { store, cache, served } of this.served.stored()) {
      if (!served.type.namespaced) continue;
      for (const o of [...cache.values(name)]) {
        const key = `${store.resource.gr.resource}.${store.resource.gr.group}`;
        remaining.set(key, (remaining.get(key) ?? 0) + 1);
        for (const f of o.object.metadata.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
        if (o.object.metadata.deletionTimestamp) continue;
        try {
          await store.delete(o.name, this.ctx(name), { dryRun: false, propagationPolicy: 'Background' });
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404)) throw err;
        }
      }
    }
    await this.reportConditions(name, remaining, finalizers);
    if (remaining.size > 0) {
      // Deletions are in flight (or waiting on finalizers): look again once they have landed.
      this.queue.addAfter(name, RECHECK_MS);
      return;
    }
    const spec = ns.object['spec'] as { finalizers?: string[] } | undefined;
    if (spec?.finalizers?.includes(NAMESPACE_FINALIZER)) {
      await nsEntry.store.mutate(
        name,
        this.ctx(''),
        { dryRun: false, subresource: 'finalize' },
        (obj: StoredObject) => {
          const s = (obj['spec'] ?? {}) as { finalizers?: string[] };
          obj['spec'] = { ...s, finalizers: (s.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER) };
          return obj;
        },
      );
    }
    this.log.info({ namespace: name }, 'namespace emptied; deleting it');
    try {
      await nsEntry.store.delete(name, this.ctx(''), { dryRun: false });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
  }
}
