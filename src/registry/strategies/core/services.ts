/**
 * Services: defaults, IP family initialisation, the update-time rules that keep allocated values
 * (cluster IPs, node ports) when a client leaves them out, and type-dependent field clearing.
 *
 * Allocation itself (choosing cluster IPs and node ports, checking the configured ranges) is not done
 * here: see {@link ServiceAllocator}, the hook the store calls before prepareForCreate/Update.
 */
import type { FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import {
  defaultService,
  needsClusterIP,
  needsHealthCheckNodePort,
  needsNodePorts,
  externallyAccessible,
} from '../../../api/core/defaults/service.js';
import {
  deepEqual,
  ensureRec,
  isSet,
  num,
  rec,
  records,
  str,
  strings,
  type JsonObject,
} from '../../../api/core/util.js';
import { ipFamilyOf } from '../../../api/core/validation/common.js';
import {
  validateService,
  validateServiceStatusUpdate,
  validateServiceUpdate,
} from '../../../api/core/validation/service.js';
import type { Strategy } from '../../strategy.js';
import { fieldValue, keepFromOld } from './common.js';

/**
 * The allocation hook: assigns cluster IPs, node ports and the health-check node port a Service needs
 * (see needsClusterIP/needsNodePorts/needsHealthCheckNodePort), and releases them on type changes.
 * Upstream runs it before the strategy (its BeginCreate/BeginUpdate), so validation sees the values.
 * Errors use upstream's wording, e.g. `spec.clusterIPs: Invalid value: []string{"10.0.0.1"}: failed to
 * allocate IP 10.0.0.1: provided IP is already allocated`.
 */
export interface ServiceAllocator {
  allocate(svc: KubeObject, old: KubeObject | undefined, dryRun: boolean): Promise<FieldError[]>;
  release(svc: KubeObject): Promise<void>;
}

/** The cluster's service IP families, primary first. A single-stack IPv4 cluster unless configured. */
export interface ServiceIPConfig {
  families: readonly ('IPv4' | 'IPv6')[];
}

const DEFAULT_IP_CONFIG: ServiceIPConfig = { families: ['IPv4'] };

function specOf(svc: KubeObject): JsonObject {
  return ensureRec(svc, 'spec');
}

/** Upstream's NormalizeClusterIPs: keeps clusterIP and clusterIPs in step for clients that send one. */
export function normalizeClusterIPs(svc: KubeObject, old: KubeObject | undefined): void {
  const spec = specOf(svc);
  const ip = str(spec['clusterIP']);
  const ips = strings(spec['clusterIPs']);
  if (!old) {
    if (ip !== '' && ips.length === 0) spec['clusterIPs'] = [ip];
    return;
  }
  const oldSpec = rec(old['spec']) ?? {};
  const oldIP = str(oldSpec['clusterIP']);
  const oldIPs = strings(oldSpec['clusterIPs']);
  if (oldIPs.length > 0 && ips.length === 0 && oldIP === ip) spec['clusterIPs'] = [...oldIPs];
  const sameIPs = deepEqual(strings(spec['clusterIPs']), oldIPs);
  if (oldIP !== ip) {
    if (oldIP !== '' && ip === '' && sameIPs) delete spec['clusterIPs'];
    if (ip !== '' && sameIPs) spec['clusterIPs'] = [ip];
  }
}

/** Upstream's patchAllocatedValues: an update that omits allocated values keeps the old ones. */
export function patchAllocatedValues(svc: KubeObject, old: KubeObject): void {
  const spec = specOf(svc);
  const oldSpec = rec(old['spec']) ?? {};
  if (needsClusterIP(old) && needsClusterIP(svc)) {
    if (str(spec['clusterIP']) === '' && isSet(oldSpec['clusterIP']))
      spec['clusterIP'] = oldSpec['clusterIP'];
    if (strings(spec['clusterIPs']).length === 0 && strings(oldSpec['clusterIPs']).length > 0)
      spec['clusterIPs'] = [...strings(oldSpec['clusterIPs'])];
    if (strings(spec['ipFamilies']).length === 0 && strings(oldSpec['ipFamilies']).length > 0)
      spec['ipFamilies'] = [...strings(oldSpec['ipFamilies'])];
    if (!isSet(spec['ipFamilyPolicy']) && isSet(oldSpec['ipFamilyPolicy']))
      spec['ipFamilyPolicy'] = oldSpec['ipFamilyPolicy'];
  }
  if (needsNodePorts(old) && needsNodePorts(svc)) {
    const used = (s: JsonObject): Set<number> =>
      new Set(
        records(s['ports'])
          .map(([p]) => num(p['nodePort']) ?? 0)
          .filter((n) => n !== 0),
      );
    const oldUsed = used(oldSpec);
    const newUsed = used(spec);
    const inBoth = new Set([...oldUsed].filter((n) => newUsed.has(n)));
    const byName = new Map(
      records(oldSpec['ports']).map(([p]) => [str(p['name']), num(p['nodePort']) ?? 0] as const),
    );
    for (const [p] of records(spec['ports'])) {
      if ((num(p['nodePort']) ?? 0) !== 0) continue;
      const oldVal = byName.get(str(p['name'])) ?? 0;
      if (oldVal !== 0 && !inBoth.has(oldVal)) p['nodePort'] = oldVal;
    }
  }
  if (
    needsHealthCheckNodePort(old) &&
    needsHealthCheckNodePort(svc) &&
    (num(spec['healthCheckNodePort']) ?? 0) === 0
  ) {
    if (isSet(oldSpec['healthCheckNodePort'])) spec['healthCheckNodePort'] = oldSpec['healthCheckNodePort'];
  }
}

/** Upstream's dropTypeDependentFields: a type change clears values the new type does not use. */
export function dropTypeDependentFields(svc: KubeObject, old: KubeObject): void {
  const spec = specOf(svc);
  const oldSpec = rec(old['spec']) ?? {};
  if (needsClusterIP(old) && !needsClusterIP(svc)) {
    if (
      str(spec['clusterIP']) === str(oldSpec['clusterIP']) &&
      deepEqual(spec['clusterIPs'], oldSpec['clusterIPs'])
    ) {
      delete spec['clusterIP'];
      delete spec['clusterIPs'];
    }
    if (deepEqual(spec['ipFamilies'], oldSpec['ipFamilies'])) delete spec['ipFamilies'];
    if (spec['ipFamilyPolicy'] === oldSpec['ipFamilyPolicy']) delete spec['ipFamilyPolicy'];
  }
  if (needsNodePorts(old) && !needsNodePorts(svc)) {
    const nodePorts = (s: JsonObject): number[] => records(s['ports']).map(([p]) => num(p['nodePort']) ?? 0);
    if (deepEqual(nodePorts(spec), nodePorts(oldSpec)))
      for (const [p] of records(spec['ports'])) delete p['nodePort'];
  }
  if (
    needsHealthCheckNodePort(old) &&
    !needsHealthCheckNodePort(svc) &&
    spec['healthCheckNodePort'] === oldSpec['healthCheckNodePort']
  )
    delete spec['healthCheckNodePort'];
  if (str(oldSpec['type']) === 'LoadBalancer' && str(spec['type']) !== 'LoadBalancer') {
    if (
      isSet(spec['allocateLoadBalancerNodePorts']) &&
      spec['allocateLoadBalancerNodePorts'] === oldSpec['allocateLoadBalancerNodePorts']
    )
      delete spec['allocateLoadBalancerNodePorts'];
    if (spec['loadBalancerClass'] === oldSpec['loadBalancerClass']) delete spec['loadBalancerClass'];
  }
  if (
    externallyAccessible(old) &&
    !externallyAccessible(svc) &&
    spec['externalTrafficPolicy'] === oldSpec['externalTrafficPolicy']
  )
    delete spec['externalTrafficPolicy'];
  if (str(spec['type']) !== 'LoadBalancer') ensureRec(svc, 'status')['loadBalancer'] = {};
}

/**
 * Fills ipFamilyPolicy and ipFamilies when the client left them out (upstream does this in its
 * allocator's initIPFamilyFields): SingleStack with the cluster's primary family, except headless
 * services without a selector, which get RequireDualStack and both families. Families are inferred
 * from given cluster IPs. Checking that requested families exist on the cluster is the allocator's job.
 */
export function initServiceIPFamilies(svc: KubeObject, config: ServiceIPConfig = DEFAULT_IP_CONFIG): void {
  if (!needsClusterIP(svc)) return;
  const spec = specOf(svc);
  const headlessSelectorless =
    str(spec['clusterIP']) === 'None' && Object.keys(rec(spec['selector']) ?? {}).length === 0;
  if (!isSet(spec['ipFamilyPolicy']))
    spec['ipFamilyPolicy'] = headlessSelectorless ? 'RequireDualStack' : 'SingleStack';
  const policy = str(spec['ipFamilyPolicy']);
  const families = strings(spec['ipFamilies']);
  const ips = strings(spec['clusterIPs']);
  for (let i = families.length; i < ips.length; i++) {
    const ip = ips[i] ?? '';
    if (ip === 'None') break;
    const fam = ipFamilyOf(ip);
    if (fam) families.push(fam === 6 && !/^::ffff:/i.test(ip) ? 'IPv6' : 'IPv4');
  }
  const primary = config.families[0] ?? 'IPv4';
  const other = (f: string): string => (f === 'IPv4' ? 'IPv6' : 'IPv4');
  if (families.length === 0) families.push(primary);
  if (headlessSelectorless) {
    if (families.length < 2 && policy !== 'SingleStack') families.push(other(families[0] ?? primary));
  } else if (policy !== 'SingleStack' && families.length === 1 && config.families.length === 2) {
    families.push(other(families[0] ?? primary));
  }
  spec['ipFamilies'] = families;
}

export const serviceStrategy: Strategy = {
  nameValidation: 'dns1035',
  allowCreateOnUpdate: true,
  defaults(obj) {
    defaultService(obj);
  },
  prepareForCreate(obj) {
    obj['status'] = { loadBalancer: {} };
    normalizeClusterIPs(obj, undefined);
    initServiceIPFamilies(obj);
  },
  prepareForUpdate(obj, old) {
    keepFromOld(obj, old, 'status');
    patchAllocatedValues(obj, old);
    normalizeClusterIPs(obj, old);
    dropTypeDependentFields(obj, old);
    initServiceIPFamilies(obj);
  },
  validate(obj) {
    return validateService(obj);
  },
  validateUpdate(obj, old) {
    return validateServiceUpdate(obj, old);
  },
  status: {
    prepareForUpdate(obj, old) {
      keepFromOld(obj, old, 'spec');
    },
    validateUpdate(obj) {
      return validateServiceStatusUpdate(obj);
    },
  },
  selectableFields(obj) {
    const spec = rec(obj['spec']) ?? {};
    return { 'spec.clusterIP': fieldValue(spec['clusterIP']), 'spec.type': fieldValue(spec['type']) };
  },
};
