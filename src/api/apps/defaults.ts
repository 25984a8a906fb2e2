/**
 * apps/v1 defaulting: what the server fills in when a Deployment, ReplicaSet, StatefulSet or
 * DaemonSet omits it (upstream SetDefaults_* of apps/v1, plus the pod-template and claim-template
 * defaults applied to embedded objects).
 */
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../meta.js';
import { defaultPodTemplateSpec } from '../core/podtemplate.js';
import { ensureObject } from '../validation/fieldchecks.js';

type Obj = Record<string, unknown>;

function isUnset(v: unknown): boolean {
  return v === undefined || v === null;
}

/** Defaults an embedded pod template, creating it when missing (the Go struct always exists). */
export function defaultTemplate(spec: Obj, key = 'template'): void {
  defaultPodTemplateSpec(ensureObject<PodTemplateSpec>(spec, key));
}

/** Deployment: 1 replica, RollingUpdate 25%/25%, 10 old ReplicaSets kept, 600s progress deadline. */
export function defaultDeployment(obj: KubeObject): void {
  const spec = ensureObject<Obj>(obj, 'spec');
  if (isUnset(spec['replicas'])) spec['replicas'] = 1;
  const strategy = ensureObject<Obj>(spec, 'strategy');
  if (isUnset(strategy['type']) || strategy['type'] === '') strategy['type'] = 'RollingUpdate';
  if (strategy['type'] === 'RollingUpdate') {
    const ru = ensureObject<Obj>(strategy, 'rollingUpdate');
    if (isUnset(ru['maxUnavailable'])) ru['maxUnavailable'] = '25%';
    if (isUnset(ru['maxSurge'])) ru['maxSurge'] = '25%';
  }
  if (isUnset(spec['revisionHistoryLimit'])) spec['revisionHistoryLimit'] = 10;
  if (isUnset(spec['progressDeadlineSeconds'])) spec['progressDeadlineSeconds'] = 600;
  defaultTemplate(spec);
}

/** ReplicaSet: 1 replica. */
export function defaultReplicaSet(obj: KubeObject): void {
  const spec = ensureObject<Obj>(obj, 'spec');
  if (isUnset(spec['replicas'])) spec['replicas'] = 1;
  defaultTemplate(spec);
}

/**
 * StatefulSet: OrderedReady, RollingUpdate with partition 0, Retain/Retain claim retention, 1
 * replica, 10 revisions; claim templates get the PersistentVolumeClaim defaults.
 */
export function defaultStatefulSet(obj: KubeObject): void {
  const spec = ensureObject<Obj>(obj, 'spec');
  if (isUnset(spec['podManagementPolicy']) || spec['podManagementPolicy'] === '')
    spec['podManagementPolicy'] = 'OrderedReady';
  const us = ensureObject<Obj>(spec, 'updateStrategy');
  if (isUnset(us['type']) || us['type'] === '') {
    us['type'] = 'RollingUpdate';
    if (isUnset(us['rollingUpdate'])) us['rollingUpdate'] = {};
  }
  const ru = us['rollingUpdate'];
  if (us['type'] === 'RollingUpdate' && typeof ru === 'object' && ru !== null && !Array.isArray(ru)) {
    const r = ru as Obj;
    if (isUnset(r['partition'])) r['partition'] = 0;
  }
  const retention = ensureObject<Obj>(spec, 'persistentVolumeClaimRetentionPolicy');
  if (isUnset(retention['whenDeleted']) || retention['whenDeleted'] === '')
    retention['whenDeleted'] = 'Retain';
  if (isUnset(retention['whenScaled']) || retention['whenScaled'] === '') retention['whenScaled'] = 'Retain';
  if (isUnset(spec['replicas'])) spec['replicas'] = 1;
  if (isUnset(spec['revisionHistoryLimit'])) spec['revisionHistoryLimit'] = 10;
  defaultTemplate(spec);
  const claims = spec['volumeClaimTemplates'];
  if (Array.isArray(claims)) {
    for (const c of claims) {
      if (typeof c !== 'object' || c === null || Array.isArray(c)) continue;
      const claim = c as Obj;
      const cspec = ensureObject<Obj>(claim, 'spec');
      if (isUnset(cspec['volumeMode'])) cspec['volumeMode'] = 'Filesystem';
      const status = ensureObject<Obj>(claim, 'status');
      if (isUnset(status['phase']) || status['phase'] === '') status['phase'] = 'Pending';
    }
  }
}

/** DaemonSet: RollingUpdate with maxUnavailable 1 and maxSurge 0, 10 revisions. */
export function defaultDaemonSet(obj: KubeObject): void {
  const spec = ensureObject<Obj>(obj, 'spec');
  const us = ensureObject<Obj>(spec, 'updateStrategy');
  if (isUnset(us['type']) || us['type'] === '') us['type'] = 'RollingUpdate';
  if (us['type'] === 'RollingUpdate') {
    const ru = ensureObject<Obj>(us, 'rollingUpdate');
    if (isUnset(ru['maxUnavailable'])) ru['maxUnavailable'] = 1;
    if (isUnset(ru['maxSurge'])) ru['maxSurge'] = 0;
  }
  if (isUnset(spec['revisionHistoryLimit'])) spec['revisionHistoryLimit'] = 10;
  defaultTemplate(spec);
}
