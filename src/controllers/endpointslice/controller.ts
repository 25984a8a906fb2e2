/**
 * The EndpointSlice controller (upstream name `endpointslice`): for every Service with a selector
 * (and not of type ExternalName) it keeps EndpointSlices labelled with the Service's name and
 * managed by `endpointslice-controller.k8s.io`, owned by the Service (so the garbage collector
 * removes them with it), listing the pods the selector matches with their ready/serving/terminating
 * conditions, node, zone and, for pods whose subdomain names the Service, hostname.
 *
 * Handlers only queue Service keys: a Service's own changes, the Services whose selector matches a
 * pod before or after a change that matters to endpoints, every Service when a node appears, goes or
 * changes zone, and a Service whose slice someone else changed or deleted. A sync compares and writes
 * only what differs; it waits while the cache has not caught up with its previous writes.
 */
import { untilAborted, SyncGate } from '../framework/manager.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../api/errors.js';
import type { EventRecorder } from '../../client/events.js';
import { ENDPOINTSLICES, NODES, PODS, SERVICES } from '../../client/resources.js';
import { objectKey, type ApiObject, type Informer } from '../../client/types.js';
import type { Logger } from '../../util/log.js';
import type { Controller, ControllerContext } from '../framework/types.js';
import { WorkQueue } from '../queue.js';
import { desiredEndpoints } from './desired.js';
import {
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  LABEL_ZONE,
  managesEndpoints,
  podEndpointView,
  type PodObject,
  type ServiceObject,
} from './podutil.js';
import { CONTROLLER_NAME, MAX_ENDPOINTS_PER_SLICE, planSlices, type SliceObject } from './reconcile.js';
import { indexPodsByLabel, indexServicesBySelector, selectedPods, servicesSelecting } from './selection.js';
import { SliceTracker } from './tracker.js';

/** A slice changed by someone else queues its Service after this delay (upstream: 1 s). */
const SLICE_CHANGE_DELAY_MS = 1_000;
/** A sync that found the cache behind its own writes retries after this delay. */
const STALE_RETRY_MS = 50;
/** Index of managed slices by their Service's key. */
const BY_SERVICE = 'endpointslice-service';

/** Options of {@link EndpointSliceController}. */
export interface EndpointSliceOptions {
  maxEndpointsPerSlice?: number;
  /** Syncs at once (upstream --concurrent-service-endpoint-syncs, 5). */
  workers?: number;
}

/** The event target of a Service. */
export function serviceTarget(svc: ApiObject): {
  kind: string;
  apiVersion: string;
  namespace?: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
} {
  return {
    kind: 'Service',
    apiVersion: 'v1',
    namespace: svc.metadata.namespace,
    name: svc.metadata.name ?? '',
    uid: svc.metadata.uid,
    resourceVersion: svc.metadata.resourceVersion,
  };
}

/** The key of the Service a managed slice belongs to, or undefined for a slice of someone else. */
function managedServiceKey(slice: ApiObject): string | undefined {
  const labels = slice.metadata.labels ?? {};
  if (labels[LABEL_MANAGED_BY] !== CONTROLLER_NAME) return undefined;
  const name = labels[LABEL_SERVICE_NAME];
  return name ? `${slice.metadata.namespace ?? ''}/${name}` : undefined;
}

/** Whether a create failed because the namespace is being deleted (nothing to retry). */
function namespaceTerminating(err: unknown): boolean {
  return (
    err instanceof ApiError &&
    err.code === 403 &&
    (err.status.details?.causes?.some((c) => c.reason === 'NamespaceTerminating') ||
      /because it is being terminated/.test(err.message))
  );
}

class EndpointSliceSync {
  readonly queue: WorkQueue;
  private readonly services: Informer<ServiceObject>;
  private readonly pods: Informer<PodObject>;
  private readonly slices: Informer<SliceObject>;
  private readonly nodes: Informer<Node & ApiObject>;
  private readonly tracker = new SliceTracker();
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly max: number;
  private readonly gate = new SyncGate();

  constructor(
    private readonly ctx: ControllerContext,
    opts: EndpointSliceOptions,
  ) {
    this.log = ctx.logger('endpointslice-controller');
    this.recorder = ctx.recorder('endpoint-slice-controller');
    this.max = opts.maxEndpointsPerSlice ?? MAX_ENDPOINTS_PER_SLICE;
    this.services = ctx.informers.informer<ServiceObject>(SERVICES);
    this.pods = ctx.informers.informer<PodObject>(PODS);
    this.slices = ctx.informers.informer<SliceObject>(ENDPOINTSLICES);
    this.nodes = ctx.informers.informer<Node & ApiObject>(NODES);
    indexServicesBySelector(this.services);
    indexPodsByLabel(this.pods);
    try {
      this.slices.addIndex(BY_SERVICE, (s) => {
        const key = managedServiceKey(s);
        return key ? [key] : [];
      });
    } catch (err) {
      if (!(err instanceof Error && /already exists/.test(err.message))) throw err;
    }
    this.queue = new WorkQueue((key) => this.sync(key), this.log, { concurrency: opts.workers ?? 5 });
    const enqueue = (o: ApiObject): void => this.queue.add(objectKey(o));
    this.services.addHandlers({ add: enqueue, update: (_, cur) => enqueue(cur), delete: enqueue });
    this.pods.addHandlers({
      add: (pod) => this.podServices(pod),
      update: (old, cur) => {
        if (podEndpointView(old) !== podEndpointView(cur)) this.podServices(old, cur);
      },
      delete: (pod) => this.podServices(pod),
    });
    this.slices.addHandlers({
      add: (s) => this.sliceChanged(s, false),
      update: (old, cur) => {
        const before = managedServiceKey(old);
        if (before && before !== managedServiceKey(cur)) this.queue.addAfter(before, SLICE_CHANGE_DELAY_MS);
        this.sliceChanged(cur, false);
      },
      delete: (s) => this.sliceChanged(s, true),
    });
    this.nodes.addHandlers({
      add: () => this.allServices(),
      update: (old, cur) => {
        if (old.metadata.labels?.[LABEL_ZONE] !== cur.metadata.labels?.[LABEL_ZONE]) this.allServices();
      },
      delete: () => this.allServices(),
    });
  }

  /** Queues the Services of the pods' namespace whose selector matches one of `pods`. */
  private podServices(...pods: PodObject[]): void {
    for (const svc of servicesSelecting(this.services, ...pods)) this.queue.add(objectKey(svc));
  }

  private allServices(): void {
    for (const svc of this.services.list()) if (managesEndpoints(svc)) this.queue.add(objectKey(svc));
  }

  private sliceChanged(slice: SliceObject, gone: boolean): void {
    const key = managedServiceKey(slice);
    if (!key || this.tracker.own(key, slice, gone)) return;
    this.queue.addAfter(key, SLICE_CHANGE_DELAY_MS);
  }

  start(): void {
    this.gate.open();
  }

  stop(): void {
    this.queue.stop();
    this.gate.close();
  }

  async sync(key: string): Promise<void> {
    if (!(await this.gate.pass())) return;
    const svc = this.services.get(key);
    if (!svc) {
      // The slices go with their owner (garbage collector).
      this.tracker.forget(key);
      return;
    }
    if (!managesEndpoints(svc)) return;
    if (this.tracker.stale(key, (k) => this.slices.get(k))) {
      this.queue.addAfter(key, STALE_RETRY_MS);
      return;
    }
    const ns = svc.metadata.namespace ?? '';
    const pods = selectedPods(this.pods, svc);
    const desired = desiredEndpoints(svc, pods, (name) => this.nodes.get(name));
    const existing = this.slices.byIndex(BY_SERVICE, key).filter((s) => !s.metadata.deletionTimestamp);
    const plan = planSlices(svc, desired.byAddressType, existing, this.max);
    try {
      await this.apply(key, svc, plan);
    } catch (err) {
      if (namespaceTerminating(err)) return;
      const msg = err instanceof Error ? err.message : String(err);
      void this.recorder.record(
        serviceTarget(svc),
        'Warning',
        'FailedToUpdateEndpointSlices',
        `Error updating Endpoint Slices for Service ${ns}/${svc.metadata.name ?? ''}: ${msg}`,
      );
      throw err;
    }
    if (desired.missingNodes.length > 0)
      throw new Error(
        `skipping pods of Service ${key} on nodes not found: ${desired.missingNodes.join(', ')}`,
      );
  }

  /** Deletes first (frees names and capacity), then updates, then creates; all errors are reported. */
  private async apply(
    key: string,
    svc: ServiceObject,
    plan: { create: SliceObject[]; update: SliceObject[]; delete: SliceObject[] },
  ): Promise<void> {
    const client = this.ctx.client.resource<SliceObject>(ENDPOINTSLICES, svc.metadata.namespace);
    const errors: string[] = [];
    let first: unknown;
    const fail = (what: string, err: unknown): void => {
      first ??= err;
      errors.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    };
    for (const s of plan.delete) {
      try {
        await client.delete(s.metadata.name ?? '');
        this.tracker.deleted(key, s);
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) continue;
        fail(`failed to delete ${s.metadata.name ?? ''} EndpointSlice`, err);
      }
    }
    for (const s of plan.update) {
      try {
        this.tracker.written(key, await client.update(s));
      } catch (err) {
        fail(`failed to update ${s.metadata.name ?? ''} EndpointSlice`, err);
      }
    }
    for (const s of plan.create) {
      if (first !== undefined && namespaceTerminating(first)) break;
      try {
        this.tracker.written(key, await client.create(s));
      } catch (err) {
        fail('failed to create EndpointSlice', err);
      }
    }
    if (first === undefined) return;
    if (errors.length === 1) throw first;
    throw new Error(errors.join('; '));
  }
}

/** The controller. */
export class EndpointSliceController implements Controller {
  readonly name = 'endpointslice';

  constructor(private readonly opts: EndpointSliceOptions = {}) {}

  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const s = new EndpointSliceSync(ctx, this.opts);
    try {
      await ctx.informers.waitForSync(signal);
      s.start();
      await untilAborted(signal);
    } finally {
      s.stop();
    }
  }
}
