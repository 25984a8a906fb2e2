/**
 * Pod defaulting (upstream's SetDefaults_Pod on top of the PodSpec defaults), plus the v1 conversion
 * rules that keep `status.podIP`/`podIPs` and `status.hostIP`/`hostIPs` in step.
 */
import { ensureRec, isSet, rec, records, str, type JsonObject } from '../util.js';
import { defaultPodSpec } from './podspec.js';

function requestsFromLimits(c: JsonObject): void {
  const res = rec(c['resources']);
  const limits = rec(res?.['limits']);
  if (!res || !limits) return;
  const requests = ensureRec(res, 'requests');
  for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
}

function syncIPs(status: JsonObject, single: string, plural: string): void {
  const list = records(status[plural]);
  const one = str(status[single]);
  // The singular field is authoritative when the two disagree (compatibility with older clients).
  if (one !== '' && (list.length === 0 || str(list[0]?.[0]['ip']) !== one)) status[plural] = [{ ip: one }];
  const first = records(status[plural])[0]?.[0];
  if (first) status[single] = str(first['ip']);
}

/** Applies upstream's pod defaults in place. */
export function defaultPod(pod: JsonObject): void {
  const spec = ensureRec(pod, 'spec');
  for (const key of ['containers', 'initContainers'])
    for (const [c] of records(spec[key])) requestsFromLimits(c);
  if (!isSet(spec['enableServiceLinks'])) spec['enableServiceLinks'] = true;
  if (spec['hostNetwork'] === true)
    for (const key of ['containers', 'initContainers'])
      for (const [c] of records(spec[key]))
        for (const [p] of records(c['ports'])) if (!p['hostPort']) p['hostPort'] = p['containerPort'];
  defaultPodSpec(spec);
  const status = rec(pod['status']);
  if (status) {
    syncIPs(status, 'podIP', 'podIPs');
    syncIPs(status, 'hostIP', 'hostIPs');
  }
}
