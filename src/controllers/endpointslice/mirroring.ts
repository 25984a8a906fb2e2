/**
 * The EndpointSlice mirroring controller (upstream name `endpointslicemirroring`): the Endpoints a
 * user writes by hand for a selectorless Service are mirrored into EndpointSlices (managed by
 * `endpointslicemirroring-controller.k8s.io`, owned by the Endpoints), so that everything reading
 * slices — the service proxy, DNS — sees them. Endpoints labelled
 * `endpointslice.kubernetes.io/skip-mirror: "true"` (the API server's own `default/kubernetes`) are
 * not mirrored; neither are those of a Service with a selector (the EndpointSlice controller writes
 * its slices) or without a Service at all, whose mirrored slices are removed.
 */
import { runSynced, SyncGate } from '../framework/manager.js';
import type { Endpoints, EndpointAddress } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js';
import { ApiError } from '../../api/errors.js';
import type { EventRecorder } from '../../client/events.js';
import { ENDPOINTS, ENDPOINTSLICES, SERVICES } from '../../client/resources.js';
import { objectKey, type ApiObject, type Informer } from '../../client/types.js';
import type { Logger } from '../../util/log.js';
import { controllerRef } from '../framework/pods.js';
import type { Controller, ControllerContext } from '../framework/types.js';
import { WorkQueue } from '../queue.js';
import { serviceTarget } from './controller.js';
import { portSetKey, type AddressType, type DesiredGroup } from './desired.js';
import { isIPv6, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, selectorOf, type ServiceObject } from './podutil.js';
import { planSlicesFor, type SliceObject, type SlicePlan, type SliceTemplate } from './reconcile.js';
import { SliceTracker } from './tracker.js';

/** The managed-by value of mirrored slices. */
export const MIRRORING_CONTROLLER_NAME = 'endpointslicemirroring-controller.k8s.io';
/** Endpoints carrying this label set to "true" are not mirrored. */
export const LABEL_SKIP_MIRROR = 'endpointslice.kubernetes.io/skip-mirror';
/** Upstream's --mirroring-max-endpoints-per-subset default, also the slices' size here. */
const MAX_PER_SLICE = 1000;
/** Endpoints annotations not copied to the slices. */
const DROPPED_ANNOTATIONS = [
  'endpoints.kubernetes.io/last-change-trigger-time',
  'kubectl.kubernetes.io/last-applied-configuration',
];
const BY_ENDPOINTS = 'endpointslice-mirrored-from';
const SLICE_CHANGE_DELAY_MS = 1_000;

type EndpointsObject = Endpoints & ApiObject;

/** True when the Endpoints may be mirrored (not marked skip-mirror). */
export function shouldMirror(ep: EndpointsObject): boolean {
  return ep.metadata.labels?.[LABEL_SKIP_MIRROR] !== 'true';
}

function toEndpoint(a: EndpointAddress, ready: boolean): Endpoint {
  const e: Endpoint = { addresses: [a.ip], conditions: { ready } };
  if (a.hostname) e.hostname = a.hostname;
  if (a.nodeName) e.nodeName = a.nodeName;
  if (a.targetRef) e.targetRef = a.targetRef;
  return e;
}

/** The slices' endpoints of an Endpoints, by address type and port set. */
export function mirroredEndpoints(ep: Endpoints): Map<AddressType, Map<string, DesiredGroup>> {
  const out = new Map<AddressType, Map<string, DesiredGroup>>();
  for (const subset of ep.subsets ?? []) {
    const ports: EndpointPort[] = (subset.ports ?? []).map((p) => ({
      name: p.name ?? '',
      port: p.port,
      protocol: p.protocol ?? 'TCP',
      ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
    }));
    const key = portSetKey(ports);
    const add = (a: EndpointAddress, ready: boolean): void => {
      const type: AddressType = isIPv6(a.ip) ? 'IPv6' : 'IPv4';
      let groups = out.get(type);
      if (!groups) out.set(type, (groups = new Map()));
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { ports, endpoints: [] }));
      g.endpoints.push(toEndpoint(a, ready));
    };
    for (const a of subset.addresses ?? []) add(a, true);
    for (const a of subset.notReadyAddresses ?? []) add(a, false);
  }
  return out;
}

/** The template of the slices mirroring `ep`. */
export function mirrorTemplate(ep: EndpointsObject): SliceTemplate {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(ep.metadata.labels ?? {}))
    if (k !== LABEL_MANAGED_BY && k !== LABEL_SERVICE_NAME) labels[k] = v;
  labels[LABEL_SERVICE_NAME] = ep.metadata.name ?? '';
  labels[LABEL_MANAGED_BY] = MIRRORING_CONTROLLER_NAME;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(ep.metadata.annotations ?? {}))
    if (!DROPPED_ANNOTATIONS.includes(k)) annotations[k] = v;
  return {
    namespace: ep.metadata.namespace ?? '',
    generateName: `${ep.metadata.name ?? ''}-`,
    labels,
    annotations,
    owner: controllerRef({ ...ep, apiVersion: 'v1', kind: 'Endpoints' }),
  };
}

function mirroredKey(slice: ApiObject): string | undefined {
  const labels = slice.metadata.labels ?? {};
  if (labels[LABEL_MANAGED_BY] !== MIRRORING_CONTROLLER_NAME) return undefined;
  const name = labels[LABEL_SERVICE_NAME];
  return name ? `${slice.metadata.namespace ?? ''}/${name}` : undefined;
}

class MirroringSync {
  readonly queue: WorkQueue;
  private readonly services: Informer<ServiceObject>;
  private readonly endpoints: Informer<EndpointsObject>;
  private readonly slices: Informer<SliceObject>;
  private readonly tracker = new SliceTracker();
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly gate = new SyncGate();

  constructor(private readonly ctx: ControllerContext) {
    this.log = ctx.logger('endpointslice-mirroring-controller');
    this.recorder = ctx.recorder('endpoint-slice-mirroring-controller');
    this.services = ctx.informers.informer<ServiceObject>(SERVICES);
    this.endpoints = ctx.informers.informer<EndpointsObject>(ENDPOINTS);
    this.slices = ctx.informers.informer<SliceObject>(ENDPOINTSLICES);
    try {
      this.slices.addIndex(BY_ENDPOINTS, (s) => {
        const key = mirroredKey(s);
        return key ? [key] : [];
      });
    } catch (err) {
      if (!(err instanceof Error && /already exists/.test(err.message))) throw err;
    }
    this.queue = new WorkQueue((key) => this.sync(key), this.log, { concurrency: 2 });
    const enqueue = (o: ApiObject): void => this.queue.add(objectKey(o));
    this.services.addHandlers({ add: enqueue, update: (_, cur) => enqueue(cur), delete: enqueue });
    this.endpoints.addHandlers({ add: enqueue, update: (_, cur) => enqueue(cur), delete: enqueue });
    const sliceChanged = (s: SliceObject, gone: boolean): void => {
      const key = mirroredKey(s);
      if (key && !this.tracker.own(key, s, gone)) this.queue.addAfter(key, SLICE_CHANGE_DELAY_MS);
    };
    this.slices.addHandlers({
      add: (s) => sliceChanged(s, false),
      update: (_, s) => sliceChanged(s, false),
      delete: (s) => sliceChanged(s, true),
    });
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
    const existing = this.slices.byIndex(BY_ENDPOINTS, key).filter((s) => !s.metadata.deletionTimestamp);
    const svc = this.services.get(key);
    const ep = this.endpoints.get(key);
    const mirror = svc !== undefined && !selectorOf(svc) && ep !== undefined && shouldMirror(ep);
    if (!mirror) {
      this.tracker.forget(key);
      if (existing.length) await this.apply(key, svc, { create: [], update: [], delete: existing });
      return;
    }
    if (this.tracker.stale(key, (k) => this.slices.get(k))) {
      this.queue.addAfter(key, 50);
      return;
    }
    const plan = planSlicesFor(mirrorTemplate(ep), mirroredEndpoints(ep), existing, MAX_PER_SLICE, false);
    await this.apply(key, svc, plan);
  }

  private async apply(key: string, svc: ServiceObject | undefined, plan: SlicePlan): Promise<void> {
    const ns = key.split('/')[0] ?? '';
    const client = this.ctx.client.resource<SliceObject>(ENDPOINTSLICES, ns);
    try {
      for (const s of plan.delete) {
        try {
          await client.delete(s.metadata.name ?? '');
          this.tracker.deleted(key, s);
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404)) throw err;
        }
      }
      for (const s of plan.update) this.tracker.written(key, await client.update(s));
      for (const s of plan.create) this.tracker.written(key, await client.create(s));
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (svc)
        void this.recorder.record(
          serviceTarget(svc),
          'Warning',
          'FailedToUpdateEndpointSlices',
          `Error updating Endpoint Slices for Endpoints ${key}: ${msg}`,
        );
      throw err;
    }
  }
}

/** The controller. */
export class EndpointSliceMirroringController implements Controller {
  readonly name = 'endpointslicemirroring';

  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    await runSynced(ctx, signal, new MirroringSync(ctx));
  }
}
