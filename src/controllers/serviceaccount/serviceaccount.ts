/**
 * The service-account controller: every active namespace has a `default` ServiceAccount. It is
 * created when a namespace appears and again whenever it is deleted, but never in a namespace that is
 * being deleted (the namespace controller is emptying it).
 *
 * Informer handlers only enqueue namespace names; `sync(namespace)` reads the caches and creates what
 * is missing. Names are fixed, so a create that races a cache lag ends in AlreadyExists, which is
 * success.
 */
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { ServedResources } from '../../apiserver/served.js';
import { coreResource, type CoreResource } from '../served.js';
import { objectKey } from '../../registry/keys.js';
import type { StrategyContext } from '../../registry/strategy.js';
import type { Logger } from '../../util/log.js';
import type { Clock } from '../../util/time.js';
import { WorkQueue } from '../queue.js';
import { subscribe } from '../subscribe.js';

/** The service accounts every namespace gets. */
export const MANAGED_SERVICE_ACCOUNTS: readonly string[] = ['default'];

const USER = {
  username: 'system:serviceaccount:kube-system:service-account-controller',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
};

/** True for a namespace that exists and is not being deleted. */
export function namespaceActive(ns: KubeObject | undefined): boolean {
  if (!ns || ns.metadata?.deletionTimestamp) return false;
  const status = ns['status'] as { phase?: string } | undefined;
  return status?.phase !== 'Terminating';
}

/** The managed service accounts a namespace lacks; none for a missing or terminating namespace. */
export function missingServiceAccounts(
  ns: KubeObject | undefined,
  exists: (name: string) => boolean,
  managed: readonly string[] = MANAGED_SERVICE_ACCOUNTS,
): string[] {
  if (!namespaceActive(ns)) return [];
  return managed.filter((name) => !exists(name));
}

/** Keeps the managed ServiceAccounts in every active namespace; `start` subscribes, `stop` ends. */
export class ServiceAccountsController {
  private readonly queue: WorkQueue;
  private readonly stops: (() => void)[] = [];
  private namespaces: CoreResource | undefined;
  private accounts: CoreResource | undefined;

  constructor(
    private readonly served: ServedResources,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly managed: readonly string[] = MANAGED_SERVICE_ACCOUNTS,
  ) {
    this.queue = new WorkQueue((ns) => this.sync(ns), log, { concurrency: 2 });
  }

  start(): void {
    this.namespaces = coreResource(this.served, 'namespaces');
    this.accounts = coreResource(this.served, 'serviceaccounts');
    this.stops.push(
      subscribe(this.namespaces.cache, (ev) => {
        if (ev.type !== 'DELETED' && namespaceActive(ev.object.object)) this.queue.add(ev.object.name);
      }),
      subscribe(this.accounts.cache, (ev) => {
        if (ev.type === 'DELETED' && this.managed.includes(ev.object.name))
          this.queue.add(ev.object.namespace);
      }),
    );
  }

  stop(): void {
    for (const s of this.stops.splice(0)) s();
    this.queue.stop();
  }

  private ctx(namespace: string): StrategyContext {
    return { user: USER, namespace, now: () => this.clock.now() };
  }

  /** Creates the managed service accounts a namespace lacks. */
  async sync(namespace: string): Promise<void> {
    const nsRes = this.namespaces;
    const saRes = this.accounts;
    if (!nsRes || !saRes) return;
    const ns = nsRes.cache.get(objectKey(nsRes.cache.prefix, '', namespace))?.object;
    const missing = missingServiceAccounts(
      ns,
      (name) => saRes.cache.get(objectKey(saRes.cache.prefix, namespace, name)) !== undefined,
      this.managed,
    );
    for (const name of missing) {
      const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } };
      saRes.strategy.defaults?.(sa);
      try {
        await saRes.store.create(sa, this.ctx(namespace), { dryRun: false });
        this.log.info({ namespace, serviceAccount: name }, 'service account created');
      } catch (err) {
        if (err instanceof ApiError && err.reason === 'AlreadyExists') continue;
        throw err;
      }
    }
  }
}
