/**
 * The LimitRanger admission plugin: on pod creation it fills in each container's missing requests
 * and limits from the namespace's LimitRanges (`defaultRequest`, `default`), noting what it set in
 * the `kubernetes.io/limit-ranger` annotation; then it refuses pods and PersistentVolumeClaims that
 * break a `min`, `max` or `maxLimitRequestRatio`, with upstream's messages.
 */
import { aggregateMessage, apiErrors } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { ensureRec, rec, records, str, type JsonObject } from '../../../api/core/util.js';
import { containerResources, podLimits, podRequests } from '../../../api/quota/podresources.js';
import { parseResourceList, type ResourceList } from '../../../api/quota/resourcelist.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../types.js';
import {
  limitRequestRatioConstraint,
  maxConstraint,
  maxRequestConstraint,
  minConstraint,
} from './constraints.js';

/** The annotation naming the defaults LimitRanger applied. */
export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

/** The LimitRanges of a namespace. */
export type LimitRangeLister = (namespace: string) => KubeObject[];

function items(lr: KubeObject): JsonObject[] {
  return records(rec(lr['spec'])?.['limits']).map(([i]) => i);
}

function raw(value: unknown): Record<string, unknown> {
  return rec(value) ?? {};
}

/** Container defaults of one LimitRange: later items win, as upstream. */
function containerDefaults(lr: KubeObject): {
  requests: Record<string, unknown>;
  limits: Record<string, unknown>;
} {
  const requests: Record<string, unknown> = {};
  const limits: Record<string, unknown> = {};
  for (const item of items(lr)) {
    if (str(item['type']) !== 'Container') continue;
    Object.assign(requests, raw(item['defaultRequest']));
    Object.assign(limits, raw(item['default']));
  }
  return { requests, limits };
}

function mergeContainer(
  c: JsonObject,
  defaults: { requests: Record<string, unknown>; limits: Record<string, unknown> },
  what: string,
): string[] {
  const notes: string[] = [];
  const resources = ensureRec(c, 'resources');
  const set = (which: 'requests' | 'limits', from: Record<string, unknown>): string[] => {
    const names = Object.keys(from);
    if (names.length === 0) return [];
    const list = ensureRec(resources, which);
    const added: string[] = [];
    for (const k of names)
      if (!(k in list)) {
        list[k] = from[k];
        added.push(k);
      }
    return added.sort();
  };
  const limits = set('limits', defaults.limits);
  const requests = set('requests', defaults.requests);
  if (requests.length) notes.push(`${requests.join(', ')} request for ${what} ${str(c['name'])}`);
  if (limits.length) notes.push(`${limits.join(', ')} limit for ${what} ${str(c['name'])}`);
  return notes;
}

/** Applies one LimitRange's container defaults to a pod, in place. */
export function applyPodDefaults(pod: KubeObject, lr: KubeObject): void {
  const defaults = containerDefaults(lr);
  const spec = rec(pod['spec']);
  if (!spec) return;
  const notes: string[] = [];
  for (const [c] of records(spec['containers'])) notes.push(...mergeContainer(c, defaults, 'container'));
  for (const [c] of records(spec['initContainers']))
    notes.push(...mergeContainer(c, defaults, 'init container'));
  if (notes.length === 0) return;
  const meta = (pod.metadata ??= {});
  meta.annotations = {
    ...(meta.annotations ?? {}),
    [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}`,
  };
}

function checkPair(
  item: JsonObject,
  type: string,
  requests: ResourceList,
  limits: ResourceList,
  errs: string[],
): void {
  const add = (e: string | undefined): void => void (e && errs.push(e));
  for (const [k, v] of parseResourceList(item['min'])) add(minConstraint(type, k, v, requests, limits));
  for (const [k, v] of parseResourceList(item['max'])) add(maxConstraint(type, k, v, requests, limits));
  for (const [k, v] of parseResourceList(item['maxLimitRequestRatio']))
    add(limitRequestRatioConstraint(type, k, v, requests, limits));
}

/** The constraint violations of a pod under one LimitRange. */
export function podViolations(pod: KubeObject, lr: KubeObject): string[] {
  const errs: string[] = [];
  const spec = rec(pod['spec']) ?? {};
  for (const item of items(lr)) {
    const type = str(item['type']);
    if (type === 'Container') {
      for (const [c] of [...records(spec['containers']), ...records(spec['initContainers'])])
        checkPair(item, type, containerResources(c, 'requests'), containerResources(c, 'limits'), errs);
    } else if (type === 'Pod') {
      const opts = { excludeOverhead: true };
      checkPair(item, type, podRequests(spec, opts), podLimits(spec, opts), errs);
    }
  }
  return errs;
}

/** The constraint violations of a PersistentVolumeClaim under one LimitRange. */
export function claimViolations(pvc: KubeObject, lr: KubeObject): string[] {
  const errs: string[] = [];
  const requests = parseResourceList(rec(rec(pvc['spec'])?.['resources'])?.['requests']);
  for (const item of items(lr)) {
    const type = str(item['type']);
    if (type !== 'PersistentVolumeClaim') continue;
    for (const [k, v] of parseResourceList(item['min'])) {
      const e = minConstraint(type, k, v, requests, new Map());
      if (e) errs.push(e);
    }
    for (const [k, v] of parseResourceList(item['max'])) {
      const e = maxRequestConstraint(type, k, v, requests);
      if (e) errs.push(e);
    }
  }
  return errs;
}

function kindOf(a: AdmissionAttributes): 'pod' | 'pvc' | undefined {
  if (a.resource.group !== '' || a.subresource !== '' || !a.object) return undefined;
  if (a.resource.plural === 'pods') return a.operation === 'CREATE' ? 'pod' : undefined;
  if (a.resource.plural === 'persistentvolumeclaims')
    return a.operation === 'CREATE' || a.operation === 'UPDATE' ? 'pvc' : undefined;
  return undefined;
}

/** The plugin, reading the namespace's LimitRanges through `list`. */
export function limitRanger(list: LimitRangeLister): AdmissionPlugin {
  return {
    name: 'LimitRanger',
    admit(a) {
      if (kindOf(a) !== 'pod' || !a.object) return;
      for (const lr of list(a.namespace)) applyPodDefaults(a.object, lr);
    },
    validate(a) {
      const kind = kindOf(a);
      if (!kind || !a.object) return;
      const obj = a.object;
      const errs = list(a.namespace).flatMap((lr) =>
        kind === 'pod' ? podViolations(obj, lr) : claimViolations(obj, lr),
      );
      if (errs.length === 0) return;
      const name = a.name || obj.metadata?.name || obj.metadata?.generateName || 'Unknown';
      throw apiErrors.forbidden({ group: '', resource: a.resource.plural }, name, aggregateMessage(errs));
    },
  };
}
