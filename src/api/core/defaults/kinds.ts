/**
 * Defaulting for the smaller core kinds: Namespace, Secret, Node, PersistentVolume(Claim), Endpoints,
 * LimitRange, ResourceQuota and Event. Where upstream's v1 conversion or JSON encoding makes a value
 * visible that a client did not send (e.g. `reportingComponent: ""` on events), it is set here too.
 */
import { ensureRec, isSet, rec, records, str, strings, type JsonObject } from '../util.js';
import { defaultPersistentVolumeClaimSpec, defaultVolumeSources } from './podspec.js';
import { canonicalizeResourceList } from './quantities.js';

/** Every namespace carries the label kubernetes.io/metadata.name with its own name. */
export function defaultNamespace(ns: JsonObject): void {
  const meta = ensureRec(ns, 'metadata');
  const name = str(meta['name']);
  if (name !== '') ensureRec(meta, 'labels')['kubernetes.io/metadata.name'] = name;
  const status = ensureRec(ns, 'status');
  if (str(status['phase']) === '') status['phase'] = 'Active';
}

/** Type Opaque by default; `stringData` entries are folded into `data` (base64), as v1 conversion does. */
export function defaultSecret(secret: JsonObject): void {
  if (str(secret['type']) === '') secret['type'] = 'Opaque';
  const stringData = rec(secret['stringData']);
  if (stringData) {
    const data = ensureRec(secret, 'data');
    for (const [k, v] of Object.entries(stringData))
      if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
  }
  delete secret['stringData'];
}

function syncCIDRs(spec: JsonObject): void {
  const one = str(spec['podCIDR']);
  const list = strings(spec['podCIDRs']);
  if (one !== '' && (list.length === 0 || list[0] !== one)) spec['podCIDRs'] = [one];
  const first = strings(spec['podCIDRs'])[0];
  if (first !== undefined) spec['podCIDR'] = first;
}

/** Allocatable defaults to capacity; podCIDR and podCIDRs stay in step. */
export function defaultNode(node: JsonObject): void {
  const spec = rec(node['spec']);
  if (spec) syncCIDRs(spec);
  const status = rec(node['status']);
  if (!status) return;
  canonicalizeResourceList(status, 'capacity');
  canonicalizeResourceList(status, 'allocatable');
  if (!isSet(status['allocatable']) && isSet(status['capacity']))
    status['allocatable'] = { ...(rec(status['capacity']) ?? {}) };
}

/** Reclaim policy Retain, volume mode Filesystem, status phase Pending. */
export function defaultPersistentVolume(pv: JsonObject): void {
  const spec = ensureRec(pv, 'spec');
  if (str(spec['persistentVolumeReclaimPolicy']) === '') spec['persistentVolumeReclaimPolicy'] = 'Retain';
  if (!isSet(spec['volumeMode'])) spec['volumeMode'] = 'Filesystem';
  canonicalizeResourceList(spec, 'capacity');
  defaultVolumeSources(spec);
  const status = ensureRec(pv, 'status');
  if (str(status['phase']) === '') status['phase'] = 'Pending';
}

/** Volume mode Filesystem, status phase Pending. */
export function defaultPersistentVolumeClaim(pvc: JsonObject): void {
  defaultPersistentVolumeClaimSpec(ensureRec(pvc, 'spec'));
  const status = ensureRec(pvc, 'status');
  if (str(status['phase']) === '') status['phase'] = 'Pending';
  canonicalizeResourceList(status, 'capacity');
  canonicalizeResourceList(status, 'allocatedResources');
}

/** Endpoint ports default to TCP. */
export function defaultEndpoints(ep: JsonObject): void {
  for (const [ss] of records(ep['subsets']))
    for (const [p] of records(ss['ports'])) if (str(p['protocol']) === '') p['protocol'] = 'TCP';
}

const LIMIT_LISTS = ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'];

/** Container limits: default from max, defaultRequest from default, then from min. */
export function defaultLimitRange(lr: JsonObject): void {
  for (const [item] of records(rec(lr['spec'])?.['limits'])) {
    if (str(item['type']) === 'Container') {
      const def = { ...(rec(item['default']) ?? {}) };
      const defReq = { ...(rec(item['defaultRequest']) ?? {}) };
      for (const [k, v] of Object.entries(rec(item['max']) ?? {})) if (!(k in def)) def[k] = v;
      for (const [k, v] of Object.entries(def)) if (!(k in defReq)) defReq[k] = v;
      for (const [k, v] of Object.entries(rec(item['min']) ?? {})) if (!(k in defReq)) defReq[k] = v;
      if (Object.keys(def).length) item['default'] = def;
      if (Object.keys(defReq).length) item['defaultRequest'] = defReq;
    }
    for (const key of LIMIT_LISTS) canonicalizeResourceList(item, key);
  }
}

/** Quota lists in canonical form. */
export function defaultResourceQuota(rq: JsonObject): void {
  canonicalizeResourceList(rec(rq['spec']), 'hard');
  const status = rec(rq['status']);
  canonicalizeResourceList(status, 'hard');
  canonicalizeResourceList(status, 'used');
}

/** core/v1 Event fields that always appear on the wire, even when empty. */
export function defaultEvent(ev: JsonObject): void {
  if (!isSet(ev['involvedObject'])) ev['involvedObject'] = {};
  if (!isSet(ev['source'])) ev['source'] = {};
  for (const key of ['firstTimestamp', 'lastTimestamp', 'eventTime'])
    if (ev[key] === undefined) ev[key] = null;
  for (const key of ['reportingComponent', 'reportingInstance'])
    if (typeof ev[key] !== 'string') ev[key] = '';
}
