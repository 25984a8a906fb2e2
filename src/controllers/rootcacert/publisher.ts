/**
 * The root CA publisher: every active namespace has a ConfigMap `kube-root-ca.crt` whose `ca.crt` is
 * the CA bundle that verifies the API server's serving certificate (k8ts's server CA), so that pods
 * can reach the API server over TLS with their projected `kube-api-access-*` volume. A ConfigMap that
 * is deleted comes back; one whose data or description annotation was changed is put right.
 */
import { ApiError } from '../../api/errors.js';
import type { KubeObject, StoredObject } from '../../api/meta.js';
import type { ServedResources } from '../../apiserver/served.js';
import { coreResource, type CoreResource } from '../served.js';
import { ROOT_CA_CONFIGMAP } from '../../api/core/defaults/admission.js';
import { objectKey } from '../../registry/keys.js';
import type { StrategyContext } from '../../registry/strategy.js';
import type { Logger } from '../../util/log.js';
import type { Clock } from '../../util/time.js';
import { WorkQueue } from '../queue.js';
import { subscribe } from '../subscribe.js';

/** The key of the CA bundle in the ConfigMap. */
export const ROOT_CA_KEY = 'ca.crt';
/** The annotation that says what the ConfigMap is for, with upstream's value (users see it). */
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
export const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. ' +
  'No other usage is guaranteed across distributions of Kubernetes clusters.';

const USER = {
  username: 'system:serviceaccount:kube-system:root-ca-cert-publisher',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
};

/** What to do with a namespace's root CA ConfigMap. */
export type RootCaAction =
  | { action: 'none' }
  | { action: 'create'; configMap: KubeObject }
  | { action: 'update'; apply: (current: KubeObject) => KubeObject };

function namespaceActive(ns: KubeObject | undefined): boolean {
  if (!ns || ns.metadata?.deletionTimestamp) return false;
  return (ns['status'] as { phase?: string } | undefined)?.phase !== 'Terminating';
}

function upToDate(cm: KubeObject, caPem: string): boolean {
  const data = cm['data'] as Record<string, unknown> | undefined;
  const keys = Object.keys(data ?? {});
  return (
    keys.length === 1 &&
    data?.[ROOT_CA_KEY] === caPem &&
    !!cm.metadata?.annotations?.[DESCRIPTION_ANNOTATION] &&
    cm['binaryData'] === undefined
  );
}

/** Sets the ConfigMap's data to the CA alone and its description annotation (a copy). */
export function withRootCa(cm: KubeObject, caPem: string): KubeObject {
  const next = structuredClone(cm);
  const meta = (next.metadata ??= {});
  meta.annotations = { ...meta.annotations, [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION };
  next['data'] = { [ROOT_CA_KEY]: caPem };
  delete next['binaryData'];
  return next;
}

/** Compares a namespace's ConfigMap (undefined: absent) with what it should be. */
export function rootCaAction(
  namespace: string,
  ns: KubeObject | undefined,
  existing: KubeObject | undefined,
  caPem: string,
): RootCaAction {
  if (!existing) {
    if (!namespaceActive(ns)) return { action: 'none' };
    return {
      action: 'create',
      configMap: withRootCa(
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIGMAP, namespace } },
        caPem,
      ),
    };
  }
  if (upToDate(existing, caPem)) return { action: 'none' };
  return { action: 'update', apply: (current) => withRootCa(current, caPem) };
}

/** Keeps `kube-root-ca.crt` in every active namespace; `start` subscribes, `stop` ends. */
export class RootCaPublisher {
  private readonly queue: WorkQueue;
  private readonly stops: (() => void)[] = [];
  private namespaces: CoreResource | undefined;
  private configMaps: CoreResource | undefined;

  constructor(
    private readonly served: ServedResources,
    /** The PEM bundle that verifies the API server. */
    private readonly caPem: string,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.queue = new WorkQueue((ns) => this.sync(ns), log, { concurrency: 2 });
  }

  start(): void {
    this.namespaces = coreResource(this.served, 'namespaces');
    this.configMaps = coreResource(this.served, 'configmaps');
    this.stops.push(
      subscribe(this.namespaces.cache, (ev) => {
        if (ev.type !== 'DELETED' && namespaceActive(ev.object.object)) this.queue.add(ev.object.name);
      }),
      subscribe(this.configMaps.cache, (ev) => {
        if (ev.type !== 'ADDED' && ev.object.name === ROOT_CA_CONFIGMAP) this.queue.add(ev.object.namespace);
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

  /** Creates or repairs one namespace's ConfigMap. */
  async sync(namespace: string): Promise<void> {
    const nsRes = this.namespaces;
    const cmRes = this.configMaps;
    if (!nsRes || !cmRes) return;
    const ns = nsRes.cache.get(objectKey(nsRes.cache.prefix, '', namespace))?.object;
    const existing = cmRes.cache.get(objectKey(cmRes.cache.prefix, namespace, ROOT_CA_CONFIGMAP))?.object;
    const todo = rootCaAction(namespace, ns, existing, this.caPem);
    const ctx = this.ctx(namespace);
    try {
      if (todo.action === 'create') {
        const cm = todo.configMap;
        cmRes.strategy.defaults?.(cm);
        await cmRes.store.create(cm, ctx, { dryRun: false });
        this.log.info({ namespace }, 'root CA ConfigMap created');
      } else if (todo.action === 'update') {
        await cmRes.store.mutate(
          ROOT_CA_CONFIGMAP,
          ctx,
          { dryRun: false, subresource: '' },
          (current) => todo.apply(current) as StoredObject,
        );
        this.log.info({ namespace }, 'root CA ConfigMap updated');
      }
    } catch (err) {
      // Created meanwhile (the cache lagged) or gone with its namespace: nothing left to do here;
      // the cache event that follows brings the namespace back if more is needed.
      if (err instanceof ApiError && (err.reason === 'AlreadyExists' || err.code === 404)) return;
      throw err;
    }
  }
}
