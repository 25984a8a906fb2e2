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
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
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

/** What every slice of one owner carries. */
export interface SliceTemplate {
  namespace: string;
  /** `<service>-` */
  generateName: string;
  labels: Record<string, string>;
  /** Annotations the slices must carry (others on a slice are kept); none when undefined. */
  annotations?: Record<string, string>;
  /** The controller reference (the Service, or the mirrored Endpoints). */
  owner: OwnerReference;
}

/** The template of a Service's slices. */
export function serviceTemplate(svc: ServiceObject): SliceTemplate {
  return {
    namespace: svc.metadata.namespace ?? '',
    generateName: `${svc.metadata.name ?? ''}-`,
    labels: sliceLabels(svc),
    owner: controllerRef({ ...svc, apiVersion: 'v1', kind: 'Service' }),
  };
}

/** True when the slice's controller reference has `uid`. */
export function ownedBy(slice: ApiObject, uid: string | undefined): boolean {
  return (slice.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.uid === uid);
}

function newSlice(
  t: SliceTemplate,
  addressType: AddressType,
  ports: EndpointPort[],
  endpoints: Endpoint[],
): SliceObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: t.generateName,
      namespace: t.namespace,
      labels: t.labels,
      ...(t.annotations && Object.keys(t.annotations).length ? { annotations: t.annotations } : {}),
      ownerReferences: [t.owner],
    },
    addressType,
    endpoints,
    ports,
  };
}

/** The slice's metadata with the template's labels and annotations; undefined when already so. */
function retagged(t: SliceTemplate, slice: SliceObject): SliceObject['metadata'] | undefined {
  const annotations = { ...(slice.metadata.annotations ?? {}), ...(t.annotations ?? {}) };
  const sameLabels = canonical(slice.metadata.labels ?? {}) === canonical(t.labels);
  const sameAnnotations = canonical(slice.metadata.annotations ?? {}) === canonical(annotations);
  if (sameLabels && sameAnnotations) return undefined;
  return {
    ...slice.metadata,
    labels: t.labels,
    ...(Object.keys(annotations).length ? { annotations } : {}),
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
  t: SliceTemplate,
  addressType: AddressType,
  groups: Map<string, DesiredGroup>,
  existing: SliceObject[],
  max: number,
  placeholder: boolean,
): SlicePlan {
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
    while (rest.length > 0) create.push(newSlice(t, addressType, group.ports, rest.splice(0, max)));
    kept.push(...mine);
    byPorts.delete(key);
  }
  for (const stale of byPorts.values()) toDelete.push(...stale);

  const update: SliceObject[] = [];
  for (const k of kept) {
    const meta = retagged(t, k.slice);
    if (!k.changed && !meta) continue;
    update.push({ ...k.slice, metadata: meta ?? k.slice.metadata, endpoints: k.endpoints });
  }

  // No endpoints at all: keep (or make) one placeholder slice.
  if (placeholder && kept.length === 0 && create.length === 0) {
    const i = toDelete.findIndex(isPlaceholder);
    if (i >= 0) {
      const [placeholder] = toDelete.splice(i, 1) as [SliceObject];
      const meta = retagged(t, placeholder);
      if (meta) update.push({ ...placeholder, metadata: meta });
    } else create.push(newSlice(t, addressType, [], []));
  }

  // A slice about to be deleted becomes one about to be created: one write instead of two.
  while (toDelete.length > 0 && create.length > 0) {
    const old = toDelete.pop() as SliceObject;
    const fresh = create.pop() as SliceObject;
    update.push({
      ...old,
      metadata: retagged(t, old) ?? old.metadata,
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
  return planSlicesFor(serviceTemplate(svc), desired, existing, max);
}

/** {@link planSlices} for any owner: the slices' template, with the placeholder when empty. */
export function planSlicesFor(
  template: SliceTemplate,
  desired: Map<AddressType, Map<string, DesiredGroup>>,
  existing: readonly SliceObject[],
  max = MAX_ENDPOINTS_PER_SLICE,
  placeholder = true,
): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const byType = new Map<AddressType, SliceObject[]>();
  for (const s of existing) {
    const t = s.addressType as AddressType;
    if (!ownedBy(s, template.owner.uid) || !desired.has(t)) {
      plan.delete.push(s);
      continue;
    }
    byType.set(t, [...(byType.get(t) ?? []), s]);
  }
  for (const [t, groups] of desired) {
    const p = planAddressType(template, t, groups, byType.get(t) ?? [], max, placeholder);
    plan.create.push(...p.create);
    plan.update.push(...p.update);
    plan.delete.push(...p.delete);
  }
  return plan;
}
