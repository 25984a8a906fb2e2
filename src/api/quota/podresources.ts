/**
 * A pod's effective requests and limits, as upstream's resource helpers compute them: the sum over
 * its containers, raised to what any init container needs while it runs (restartable init
 * containers, i.e. sidecars, keep running and add to both), plus the pod overhead.
 */
import { rec, records, str, type JsonObject } from '../core/util.js';
import { addInto, maxInto, parseResourceList, type ResourceList } from './resourcelist.js';

/** Options of {@link podRequests} and {@link podLimits}. */
export interface PodResourceOptions {
  /** Leave spec.overhead out (LimitRange's Pod limits do). */
  excludeOverhead?: boolean;
}

/** One container's `resources.requests` or `resources.limits`. */
export function containerResources(c: JsonObject, which: 'requests' | 'limits'): ResourceList {
  return parseResourceList(rec(c['resources'])?.[which]);
}

function aggregate(spec: JsonObject, which: 'requests' | 'limits'): ResourceList {
  const total: ResourceList = new Map();
  for (const [c] of records(spec['containers'])) addInto(total, containerResources(c, which));
  const sidecars: ResourceList = new Map();
  const initMax: ResourceList = new Map();
  for (const [c] of records(spec['initContainers'])) {
    const own = containerResources(c, which);
    let running: ResourceList;
    if (str(c['restartPolicy']) === 'Always') {
      addInto(total, own);
      addInto(sidecars, own);
      running = new Map(sidecars);
    } else {
      running = new Map(own);
      addInto(running, sidecars);
    }
    maxInto(initMax, running);
  }
  maxInto(total, initMax);
  return total;
}

/** The pod's requests (upstream's PodRequests). */
export function podRequests(specValue: unknown, opts: PodResourceOptions = {}): ResourceList {
  const spec = rec(specValue) ?? {};
  const reqs = aggregate(spec, 'requests');
  if (!opts.excludeOverhead) addInto(reqs, parseResourceList(spec['overhead']));
  return reqs;
}

/** The pod's limits (upstream's PodLimits); overhead adds only to resources that have a limit. */
export function podLimits(specValue: unknown, opts: PodResourceOptions = {}): ResourceList {
  const spec = rec(specValue) ?? {};
  const limits = aggregate(spec, 'limits');
  if (!opts.excludeOverhead) {
    for (const [k, v] of parseResourceList(spec['overhead'])) {
      const cur = limits.get(k);
      if (cur) limits.set(k, cur.add(v));
    }
  }
  return limits;
}
