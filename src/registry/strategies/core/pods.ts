/**
 * Pods: defaults, admission-time fields, status on create, update rules, the status, ephemeral
 * containers and resize subresources, field selectors and graceful deletion.
 */
import type { KubeObject } from '../../../api/meta.js';
import { admitPod } from '../../../api/core/defaults/admission.js';
import { defaultPod } from '../../../api/core/defaults/pod.js';
import { computePodQOS } from '../../../api/core/qos.js';
import {
  clone,
  ensureRec,
  num,
  rec,
  records,
  str,
  stringMap,
  type JsonObject,
} from '../../../api/core/util.js';
import {
  validatePodCreate,
  validatePodEphemeralContainersUpdate,
  validatePodResize,
  validatePodStatusUpdate,
  validatePodUpdate,
} from '../../../api/core/validation/pod.js';
import { podNameWarnings } from '../../../api/core/validation/podspec.js';
import { podSpecWarnings } from '../../../api/core/validation/podwarnings.js';
import type { Strategy } from '../../strategy.js';
import { at, fieldValue, keepFromOld, metaOf } from './common.js';

const APPARMOR_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

/** Fields of the pods/binding, ephemeralcontainers and resize subresources share this shape. */
export interface SubresourceStrategy {
  prepareForUpdate(obj: KubeObject, old: KubeObject): void;
  validateUpdate(obj: KubeObject, old: KubeObject): ReturnType<Strategy['validate']>;
}

function applySchedulingGatedCondition(pod: KubeObject): void {
  const spec = rec(pod['spec']) ?? {};
  if (records(spec['schedulingGates']).length === 0) return;
  const status = ensureRec(pod, 'status');
  const conditions = records(status['conditions']).map(([c]) => c);
  if (conditions.some((c) => c['type'] === 'PodScheduled')) return;
  conditions.push({
    type: 'PodScheduled',
    status: 'False',
    lastProbeTime: null,
    lastTransitionTime: null,
    reason: 'SchedulingGated',
    message: 'Scheduling is blocked due to non-empty scheduling gates',
  });
  status['conditions'] = conditions;
}

/** matchLabelKeys / mismatchLabelKeys of pod (anti-)affinity terms become selector requirements. */
function mutatePodAffinity(pod: KubeObject): void {
  const labels = stringMap(at(pod, 'metadata', 'labels'));
  const affinity = rec(at(pod, 'spec', 'affinity'));
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const a = rec(affinity?.[kind]);
    if (!a) continue;
    const terms = [
      ...records(a['requiredDuringSchedulingIgnoredDuringExecution']).map(([t]) => t),
      ...records(a['preferredDuringSchedulingIgnoredDuringExecution']).map(
        ([t]) => rec(t['podAffinityTerm']) ?? {},
      ),
    ];
    for (const term of terms) {
      const sel = rec(term['labelSelector']);
      if (!sel) continue;
      const exprs = records(sel['matchExpressions']).map(([e]) => e);
      const add = (keys: unknown, operator: string): void => {
        for (const key of Array.isArray(keys) ? keys : []) {
          if (typeof key !== 'string' || !(key in labels)) continue;
          exprs.push({ key, operator, values: [labels[key]] });
        }
      };
      add(term['matchLabelKeys'], 'In');
      add(term['mismatchLabelKeys'], 'NotIn');
      if (exprs.length) sel['matchExpressions'] = exprs;
    }
  }
}

function appArmorAnnotation(profile: JsonObject): string | undefined {
  switch (str(profile['type'])) {
    case 'Unconfined':
      return 'unconfined';
    case 'RuntimeDefault':
      return 'runtime/default';
    case 'Localhost':
      return `localhost/${str(profile['localhostProfile'])}`;
  }
  return undefined;
}

function appArmorProfileFromAnnotation(value: string): JsonObject | undefined {
  if (value === 'unconfined') return { type: 'Unconfined' };
  if (value === 'runtime/default') return { type: 'RuntimeDefault' };
  if (value.startsWith('localhost/'))
    return { type: 'Localhost', localhostProfile: value.slice('localhost/'.length) };
  return undefined;
}

/** Keeps the deprecated AppArmor annotations and the appArmorProfile fields in step, as upstream does on create. */
function applyAppArmorVersionSkew(pod: KubeObject): void {
  const spec = rec(pod['spec']) ?? {};
  if (str(rec(spec['os'])?.['name']) === 'windows') return;
  const meta = metaOf(pod);
  const annotations = rec(meta['annotations']) ?? {};
  const podProfile = rec(rec(spec['securityContext'])?.['appArmorProfile']);
  let changed = false;
  for (const key of ['initContainers', 'containers', 'ephemeralContainers'])
    for (const [c] of records(spec[key])) {
      const annKey = `${APPARMOR_PREFIX}${str(c['name'])}`;
      const profile = rec(rec(c['securityContext'])?.['appArmorProfile']) ?? podProfile;
      const ann = annotations[annKey];
      if (profile && typeof ann !== 'string') {
        const v = appArmorAnnotation(profile);
        if (v !== undefined) {
          annotations[annKey] = v;
          changed = true;
        }
      } else if (!profile && typeof ann === 'string') {
        const p = appArmorProfileFromAnnotation(ann);
        if (p) ensureRec(c, 'securityContext')['appArmorProfile'] = p;
      }
    }
  if (changed) meta['annotations'] = annotations;
}

function preserveObservedGeneration(obj: KubeObject, old: KubeObject): void {
  const status = rec(obj['status']);
  const oldStatus = rec(old['status']) ?? {};
  if (!status) return;
  if (!num(status['observedGeneration']) && num(oldStatus['observedGeneration']))
    status['observedGeneration'] = oldStatus['observedGeneration'];
  const oldByType = new Map<string, number[]>();
  for (const [c] of records(oldStatus['conditions'])) {
    const list = oldByType.get(str(c['type'])) ?? [];
    list.push(num(c['observedGeneration']) ?? 0);
    oldByType.set(str(c['type']), list);
  }
  for (const [c] of records(status['conditions'])) {
    const list = oldByType.get(str(c['type'])) ?? [];
    const g = list.shift() ?? 0;
    if (!num(c['observedGeneration']) && g) c['observedGeneration'] = g;
  }
}

export const podStrategy: Strategy = {
  // Since 1.33 pods keep metadata.generation: 1 on create, bumped by spec changes.
  generation: true,
  defaults(obj) {
    defaultPod(obj);
  },
  prepareForCreate(obj) {
    const spec = ensureRec(obj, 'spec');
    // PodLevelResources is off in 1.33: the field is dropped.
    delete spec['resources'];
    admitPod(obj);
    obj['status'] = { phase: 'Pending', qosClass: computePodQOS(spec) };
    applySchedulingGatedCondition(obj);
    mutatePodAffinity(obj);
    applyAppArmorVersionSkew(obj);
  },
  prepareForUpdate(obj, old) {
    keepFromOld(obj, old, 'status');
    const spec = rec(obj['spec']);
    if (spec && rec(old['spec'])?.['resources'] === undefined) delete spec['resources'];
  },
  validate(obj) {
    return validatePodCreate(obj);
  },
  validateUpdate(obj, old) {
    return validatePodUpdate(obj, old);
  },
  warnings(obj, old) {
    // Upstream warns on create only: pod updates are frequent and rarely made by hand.
    if (old) return [];
    return [
      ...podNameWarnings(str(at(obj, 'metadata', 'name'))),
      ...podSpecWarnings(obj['spec'], obj['metadata']),
    ];
  },
  status: {
    prepareForUpdate(obj, old) {
      keepFromOld(obj, old, 'spec');
      const meta = metaOf(obj);
      const oldOwners = rec(old['metadata'])?.['ownerReferences'];
      if (oldOwners === undefined) delete meta['ownerReferences'];
      else meta['ownerReferences'] = clone(oldOwners);
      const status = ensureRec(obj, 'status');
      if (str(status['qosClass']) === '' && str(at(old, 'status', 'qosClass')) !== '')
        status['qosClass'] = at(old, 'status', 'qosClass');
      preserveObservedGeneration(obj, old);
    },
    validateUpdate(obj, old) {
      return validatePodStatusUpdate(obj, old);
    },
  },
  selectableFields(obj) {
    const spec = rec(obj['spec']) ?? {};
    const status = rec(obj['status']) ?? {};
    return {
      'spec.nodeName': fieldValue(spec['nodeName']),
      'spec.restartPolicy': fieldValue(spec['restartPolicy']),
      'spec.schedulerName': fieldValue(spec['schedulerName']),
      'spec.serviceAccountName': fieldValue(spec['serviceAccountName']),
      'spec.hostNetwork': String(spec['hostNetwork'] === true),
      'status.phase': fieldValue(status['phase']),
      'status.podIP': fieldValue(records(status['podIPs'])[0]?.[0]['ip'] ?? status['podIP']),
      'status.nominatedNodeName': fieldValue(status['nominatedNodeName']),
    };
  },
  gracePeriod(obj, requested) {
    let period = requested ?? num(at(obj, 'spec', 'terminationGracePeriodSeconds')) ?? 0;
    if (str(at(obj, 'spec', 'nodeName')) === '') period = 0;
    const phase = str(at(obj, 'status', 'phase'));
    if (phase === 'Failed' || phase === 'Succeeded') period = 0;
    if (period < 0) period = 1;
    return period;
  },
};

/** pods/ephemeralcontainers: only spec.ephemeralContainers changes; everything else stays as stored. */
export const podEphemeralContainersStrategy: SubresourceStrategy = {
  prepareForUpdate(obj, old) {
    const ephemeral = rec(obj['spec'])?.['ephemeralContainers'];
    keepFromOld(obj, old, 'spec');
    keepFromOld(obj, old, 'status');
    const spec = ensureRec(obj, 'spec');
    if (ephemeral === undefined) delete spec['ephemeralContainers'];
    else spec['ephemeralContainers'] = ephemeral;
  },
  validateUpdate(obj, old) {
    return validatePodEphemeralContainersUpdate(obj, old);
  },
};

/** pods/resize: only containers' resources and resizePolicy change. */
export const podResizeStrategy: SubresourceStrategy = {
  prepareForUpdate(obj, old) {
    const newSpec = rec(obj['spec']) ?? {};
    const oldSpec = rec(old['spec']) ?? {};
    keepFromOld(obj, old, 'status');
    const lengthsMatch = ['containers', 'initContainers'].every(
      (k) => records(newSpec[k]).length === records(oldSpec[k]).length,
    );
    if (!lengthsMatch) return;
    const merged = clone(oldSpec);
    for (const key of ['containers', 'initContainers']) {
      const newList = records(newSpec[key]);
      const mergedList = records(merged[key]);
      for (const [c, i] of mergedList) {
        const n = newList[i]?.[0];
        if (!n || str(n['name']) !== str(c['name'])) return;
        c['resources'] = n['resources'];
        if (n['resizePolicy'] === undefined) delete c['resizePolicy'];
        else c['resizePolicy'] = n['resizePolicy'];
      }
    }
    obj['spec'] = merged;
  },
  validateUpdate(obj, old) {
    return validatePodResize(obj, old);
  },
};
