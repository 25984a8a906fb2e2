/**
 * A pod's quality-of-service class (Guaranteed, Burstable, BestEffort), computed from container
 * requests and limits as upstream's qos.ComputePodQOS does.
 */
import { Quantity } from '../quantity.js';
import { rec, records, type JsonObject } from './util.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_RESOURCES = ['cpu', 'memory'];

function positive(list: unknown): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const [name, v] of Object.entries(rec(list) ?? {})) {
    if (!QOS_RESOURCES.includes(name)) continue;
    const q = Quantity.tryParse(v);
    if (q && q.sign() > 0) out.set(name, q);
  }
  return out;
}

/** The QoS class of a pod spec (regular and init containers count). */
export function computePodQOS(specValue: unknown): QOSClass {
  const spec: JsonObject = rec(specValue) ?? {};
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  const containers = [...records(spec['containers']), ...records(spec['initContainers'])];
  for (const [c] of containers) {
    const res = rec(c['resources']) ?? {};
    for (const [name, q] of positive(res['requests'])) requests.set(name, requests.get(name)?.add(q) ?? q);
    const lims = positive(res['limits']);
    for (const [name, q] of lims) limits.set(name, limits.get(name)?.add(q) ?? q);
    if (!QOS_RESOURCES.every((r) => lims.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed)
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (!lim || lim.cmp(req) !== 0) {
        guaranteed = false;
        break;
      }
    }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
