/**
 * The Endpoints controller (upstream name `endpoint`): keeps the legacy core/v1 Endpoints of every
 * Service with a selector (not ExternalName) — same name as the Service, the Service's labels plus
 * the headless marker, the subsets of {@link desiredSubsets}. The Endpoints of a deleted Service is
 * deleted; at start every Endpoints is checked once, so those left behind by a Service deleted while
 * the controller was down go too. Selectorless Services keep the Endpoints their owner writes, and
 * `default/kubernetes` belongs to the API server.
 */
import { runSynced, SyncGate } from '../framework/manager.js';
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../api/errors.js';
import type { EventRecorder } from '../../client/events.js';
import { ENDPOINTS, PODS, SERVICES } from '../../client/resources.js';
import { objectKey, type ApiObject, type Informer } from '../../client/types.js';
import type { Logger } from '../../util/log.js';
import {
  canonical,
  isServiceIPSet,
  LABEL_HEADLESS,
  managesEndpoints,
  podEndpointView,
  type PodObject,
  type ServiceObject,
} from '../endpointslice/podutil.js';
import {
  indexPodsByLabel,
  indexServicesBySelector,
  selectedPods,
  servicesSelecting,
} from '../endpointslice/selection.js';
import type { Controller, ControllerContext } from '../framework/types.js';
import { WorkQueue } from '../queue.js';
import { desiredSubsets, OVER_CAPACITY_ANNOTATION, truncateSubsets } from './subsets.js';

type EndpointsObject = Endpoints & ApiObject;

/** The Endpoints the API server keeps for itself. */
const API_SERVER_ENDPOINTS = 'default/kubernetes';
/** Endpoints used as a leader-election lock carry this annotation; they have no Service. */
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';
/** A sync that found the cache behind its own write retries after this delay. */
const STALE_RETRY_MS = 50;

function namespaceTerminating(err: unknown): boolean {
  return (
    err instanceof ApiError &&
    err.code === 403 &&
    (err.status.details?.causes?.some((c) => c.reason === 'NamespaceTerminating') ||
      /because it is being terminated/.test(err.message))
  );
}

/** The labels of a Service's Endpoints. */
export function endpointsLabels(svc: ServiceObject): Record<string, string> {
  const labels = { ...(svc.metadata.labels ?? {}) };
  if (isServiceIPSet(svc)) delete labels[LABEL_HEADLESS];
  else labels[LABEL_HEADLESS] = '';
  return labels;
}

class EndpointsSync {
  readonly queue: WorkQueue;
  private readonly services: Informer<ServiceObject>;
  private readonly pods: Informer<PodObject>;
  private readonly endpoints: Informer<EndpointsObject>;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  /** Key → the resourceVersion this controller last replaced (or '' after a create), until the cache moves on. */
  private readonly written = new Map<string, string | undefined>();
  private readonly gate = new SyncGate();

  constructor(private readonly ctx: ControllerContext) {
    this.log = ctx.logger('endpoints-controller');
    this.recorder = ctx.recorder('endpoint-controller');
    this.services = ctx.informers.informer<ServiceObject>(SERVICES);
    this.pods = ctx.informers.informer<PodObject>(PODS);
    this.endpoints = ctx.informers.informer<EndpointsObject>(ENDPOINTS);
    indexServicesBySelector(this.services);
    indexPodsByLabel(this.pods);
    this.queue = new WorkQueue((key) => this.sync(key), this.log, { concurrency: 5 });
    const enqueue = (o: ApiObject): void => this.queue.add(objectKey(o));
    this.services.addHandlers({ add: enqueue, update: (_, cur) => enqueue(cur), delete: enqueue });
    this.pods.addHandlers({
      add: (pod) => this.podServices(pod),
      update: (old, cur) => {
        if (podEndpointView(old) !== podEndpointView(cur)) this.podServices(old, cur);
      },
      delete: (pod) => this.podServices(pod),
    });
    this.endpoints.addHandlers({ delete: enqueue });
  }

  private podServices(...pods: PodObject[]): void {
    for (const svc of servicesSelecting(this.services, ...pods)) this.queue.add(objectKey(svc));
  }

  start(): void {
    this.gate.open();
    // Endpoints left behind by Services deleted while the controller was not running.
    for (const ep of this.endpoints.list()) {
      if (ep.metadata.annotations?.[LEADER_ANNOTATION] !== undefined) continue;
      const key = objectKey(ep);
      if (!this.services.get(key)) this.queue.add(key);
    }
  }

  stop(): void {
    this.queue.stop();
    this.gate.close();
  }

  /** True while the cache does not show this controller's last write of `key` yet. */
  private stale(key: string, current: EndpointsObject | undefined): boolean {
    if (!this.written.has(key)) return false;
    const replaced = this.written.get(key);
    const behind = replaced === undefined ? !current : current?.metadata.resourceVersion === replaced;
    if (!behind) this.written.delete(key);
    return behind;
  }

  async sync(key: string): Promise<void> {
    if (!(await this.gate.pass()) || key === API_SERVER_ENDPOINTS) return;
    const [ns = '', name = ''] = key.split('/');
    const client = this.ctx.client.resource<EndpointsObject>(ENDPOINTS, ns);
    const svc = this.services.get(key);
    if (!svc) {
      this.written.delete(key);
      if (!this.endpoints.get(key)) return;
      try {
        await client.delete(name);
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
      return;
    }
    if (!managesEndpoints(svc)) return;
    const current = this.endpoints.get(key);
    if (this.stale(key, current)) {
      this.queue.addAfter(key, STALE_RETRY_MS);
      return;
    }
    const pods = selectedPods(this.pods, svc);
    const subsets = desiredSubsets(svc, pods);
    const labels = endpointsLabels(svc);
    const annotations = { ...(current?.metadata.annotations ?? {}) };
    if (truncateSubsets(subsets)) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
    else delete annotations[OVER_CAPACITY_ANNOTATION];
    if (
      current &&
      canonical(current.subsets ?? []) === canonical(subsets) &&
      canonical(current.metadata.labels ?? {}) === canonical(labels) &&
      canonical(current.metadata.annotations ?? {}) === canonical(annotations)
    )
      return;
    const next: EndpointsObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        ...(current?.metadata ?? { name, namespace: ns }),
        labels,
        annotations,
      },
      subsets,
    };
    if (Object.keys(annotations).length === 0) delete next.metadata.annotations;
    try {
      if (current) {
        await client.update(next);
        this.written.set(key, current.metadata.resourceVersion ?? '');
      } else {
        await client.create(next);
        this.written.set(key, undefined);
      }
    } catch (err) {
      if (!current && namespaceTerminating(err)) return;
      const msg = err instanceof Error ? err.message : String(err);
      const target = { kind: 'Endpoints', apiVersion: 'v1', namespace: ns, name };
      if (current)
        void this.recorder.record(
          { ...target, uid: current.metadata.uid, resourceVersion: current.metadata.resourceVersion },
          'Warning',
          'FailedToUpdateEndpoint',
          `Failed to update endpoint ${ns}/${name}: ${msg}`,
        );
      else
        void this.recorder.record(
          target,
          'Warning',
          'FailedToCreateEndpoint',
          `Failed to create endpoint for service ${ns}/${name}: ${msg}`,
        );
      throw err;
    }
  }
}

/** The controller. */
export class EndpointsController implements Controller {
  readonly name = 'endpoint';

  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    await runSynced(ctx, signal, new EndpointsSync(ctx));
  }
}
