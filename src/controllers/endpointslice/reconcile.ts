/**
 * The plan that turns a Service's existing EndpointSlices into the desired ones with few writes:
 * endpoints stay in the slice they are in (updated in place when their conditions change), new ones
 * fill slices that are being written anyway, then slices with room, then new slices of at most
 * `maxEndpointsPerSlice`; emptied slices are deleted, or renamed into a slice that would otherwise
 * be created. A Service with no endpoints keeps one placeholder slice (no ports, no endpoints), as
 * upstream does, so clients can tell "no endpoints" from "not yet synced".
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { ApiObject } from '../../client/types.js';
import { controllerRef } from '../framework/pods.js';
import { endpointKey, portSetKey, type AddressType, type DesiredGroup } from './desired.js';
import {
  canonical,
  isServiceIPSet,
  LABEL_HEADLESS,
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  serviceLabels,
  type ServiceObject,
} from './podutil.js';

/** The managed-by value of the slices this controller writes. */
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
/** Upstream's --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

export type SliceObject = EndpointSlice & ApiObject;

/** Writes that bring a Service's slices to the desired state. */
export interface SlicePlan {
  create: SliceObject[];
  update: SliceObject[];
  delete: SliceObject[];
}

/** The labels of a Service's slices: its own, the reserved ones, and the headless marker. */
export function sliceLabels(svc: Service, managedBy = CONTROLLER_NAME): Record<string, string> {
  const labels = serviceLabels(svc);
  if (isServiceIPSet(svc)) delete labels[LABEL_HEADLESS];
  else labels[LABEL_HEADLESS] = '';
  labels[LABEL_SERVICE_NAME] = svc.metadata?.name ?? '';
  labels[LABEL_MANAGED_BY] = managedBy;
  return labels;
}

/** True when the slice's controller reference names the Service. */
export function ownedBy(slice: ApiObject, svc: ApiObject): boolean {
  return (slice.metadata.ownerReferences ?? []).some(
    (r) => r.controller === true && r.uid === svc.metadata.uid,
  );
}

function newSlice(
  svc: ServiceObject,
  addressType: AddressType,
  ports: EndpointPort[],
  endpoints: Endpoint[],
): SliceObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata.name ?? ''}-`,
      namespace: svc.metadata.namespace,
      labels: sliceLabels(svc),
      ownerReferences: [controllerRef({ ...svc, apiVersion: 'v1', kind: 'Service' })],
    },
    addressType,
    endpoints,
    ports,
  };
}

function isPlaceholder(slice: EndpointSlice): boolean {
  return (slice.ports ?? []).length === 0 && (slice.endpoints ?? []).length === 0;
}

interface Kept {
  slice: SliceObject;
  endpoints: Endpoint[];
  changed: boolean;
}

/** The plan for one address type; `existing` are the Service's owned slices of that type. */
function planAddressType(
  svc: ServiceObject,
  addressType: AddressType,
  groups: Map<string, DesiredGroup>,
  existing: SliceObject[],
  max: number,
): SlicePlan {
  const labels = sliceLabels(svc);
  const byPorts = new Map<string, SliceObject[]>();
  for (const s of existing) {
    const key = portSetKey(s.ports);
    byPorts.set(key, [...(byPorts.get(key) ?? []), s]);
  }
  const create: SliceObject[] = [];
  const toDelete: SliceObject[] = [];
  const kept: Kept[] = [];
  for (const [key, group] of groups) {
    const remaining = new Map(group.endpoints.map((e) => [endpointKey(e), e]));
    const mine: Kept[] = [];
    for (const slice of byPorts.get(key) ?? []) {
      const endpoints: Endpoint[] = [];
      let changed = false;
      for (const ep of slice.endpoints ?? []) {
        const k = endpointKey(ep);
        const want = remaining.get(k);
        if (!want) {
          changed = true;
          continue;
        }
        remaining.delete(k);
        if (canonical(ep) !== canonical(want)) changed = true;
        endpoints.push(want);
      }
      if (endpoints.length === 0) toDelete.push(slice);
      else mine.push({ slice, endpoints, changed });
    }
    const rest = [...remaining.values()];
    // Slices written anyway take new endpoints first, then the fullest of the others.
    const order = [
      ...mine.filter((k) => k.changed),
      ...mine.filter((k) => !k.changed).sort((a, b) => b.endpoints.length - a.endpoints.length),
    ];
    for (const k of order) {
      while (rest.length > 0 && k.endpoints.length < max) {
        k.endpoints.push(rest.shift() as Endpoint);
        k.changed = true;
      }
    }
    while (rest.length > 0) create.push(newSlice(svc, addressType, group.ports, rest.splice(0, max)));
    kept.push(...mine);
    byPorts.delete(key);
  }
  for (const stale of byPorts.values()) toDelete.push(...stale);

  const update: SliceObject[] = [];
  for (const k of kept) {
    if (!k.changed && canonical(k.slice.metadata.labels ?? {}) === canonical(labels)) continue;
    update.push({ ...k.slice, metadata: { ...k.slice.metadata, labels }, endpoints: k.endpoints });
  }

  // No endpoints at all: keep (or make) one placeholder slice.
  if (kept.length === 0 && create.length === 0) {
    const i = toDelete.findIndex(isPlaceholder);
    if (i >= 0) {
      const [placeholder] = toDelete.splice(i, 1) as [SliceObject];
      if (canonical(placeholder.metadata.labels ?? {}) !== canonical(labels))
        update.push({ ...placeholder, metadata: { ...placeholder.metadata, labels } });
    } else create.push(newSlice(svc, addressType, [], []));
  }

  // A slice about to be deleted becomes one about to be created: one write instead of two.
  while (toDelete.length > 0 && create.length > 0) {
    const old = toDelete.pop() as SliceObject;
    const fresh = create.pop() as SliceObject;
    update.push({
      ...old,
      metadata: { ...old.metadata, labels },
      ports: fresh.ports ?? [],
      endpoints: fresh.endpoints,
    });
  }
  return { create, update, delete: toDelete };
}

/**
 * The plan for a Service. `existing` are the slices labelled with its name and managed by this
 * controller (not being deleted); those of another Service of the same name (an old uid) or of an
 * address type it no longer uses are deleted.
 */
export function planSlices(
  svc: ServiceObject,
  desired: Map<AddressType, Map<string, DesiredGroup>>,
  existing: readonly SliceObject[],
  max = MAX_ENDPOINTS_PER_SLICE,
): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const byType = new Map<AddressType, SliceObject[]>();
  for (const s of existing) {
    const t = s.addressType as AddressType;
    if (!ownedBy(s, svc) || !desired.has(t)) {
      plan.delete.push(s);
      continue;
    }
    byType.set(t, [...(byType.get(t) ?? []), s]);
  }
  for (const [t, groups] of desired) {
    const p = planAddressType(svc, t, groups, byType.get(t) ?? [], max);
    plan.create.push(...p.create);
    plan.update.push(...p.update);
    plan.delete.push(...p.delete);
  }
  return plan;
}
