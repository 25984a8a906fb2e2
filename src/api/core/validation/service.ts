/**
 * Service validation: ports, types, cluster IPs and IP families, session affinity, traffic policies,
 * load balancer fields, and the update rules (allocated values may not change once set).
 */
import { fieldErrors, type FieldError } from '../../errors.js';
import { isValidPortName, isValidPortNum } from '../../validation/names.js';
import { validateLabels } from '../../validation/objectmeta.js';
import { externallyAccessible, isHeadless, needsHealthCheckNodePort } from '../defaults/service.js';
import {
  goStringSlice,
  isSet,
  num,
  rec,
  records,
  str,
  stringMap,
  strings,
  type JsonObject,
} from '../util.js';
import {
  dns1123Label,
  dns1123Subdomain,
  duplicateGo,
  invalidGo,
  ipFamilyOf,
  isDualStack,
  nonSpecialIP,
  qualifiedName,
  validCIDR,
  validIP,
} from './common.js';
import { SUPPORTED_PORT_PROTOCOLS } from './containers.js';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const MAX_CLIENT_IP_AFFINITY = 86400;
const TOPOLOGY_MODE = 'service.kubernetes.io/topology-mode';
const TOPOLOGY_HINTS = 'service.kubernetes.io/topology-aware-hints';
const LB_SOURCE_RANGES = 'service.beta.kubernetes.io/load-balancer-source-ranges';

function specOf(svc: JsonObject): JsonObject {
  return rec(svc['spec']) ?? {};
}

function portNumOrName(port: unknown, field: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => fieldErrors.invalid(field, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => fieldErrors.invalid(field, port, m));
  return [fieldErrors.internal(field, `unknown type: ${typeof port}`)];
}

function servicePortGo(proto: string, port: number): string {
  return `core.ServicePort{Name:"", Protocol:${JSON.stringify(proto)}, AppProtocol:(*string)(nil), Port:${port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;
}

function validateServicePort(
  p: JsonObject,
  requireName: boolean,
  names: Set<string>,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(p['name']);
  if (requireName && name === '') errs.push(fieldErrors.required(`${path}.name`));
  else if (name !== '') {
    errs.push(...dns1123Label(name, `${path}.name`));
    if (names.has(name)) errs.push(fieldErrors.duplicate(`${path}.name`, name));
    else names.add(name);
  }
  const port = num(p['port']) ?? 0;
  for (const m of isValidPortNum(port)) errs.push(fieldErrors.invalid(`${path}.port`, port, m));
  const proto = str(p['protocol']);
  if (proto === '') errs.push(fieldErrors.required(`${path}.protocol`));
  else if (!SUPPORTED_PORT_PROTOCOLS.includes(proto))
    errs.push(fieldErrors.notSupported(`${path}.protocol`, proto, SUPPORTED_PORT_PROTOCOLS));
  errs.push(...portNumOrName(p['targetPort'], `${path}.targetPort`));
  const appProtocol = p['appProtocol'];
  if (typeof appProtocol === 'string') errs.push(...qualifiedName(appProtocol, `${path}.appProtocol`));
  return errs;
}

/** Upstream's ValidateServiceClusterIPsRelatedFields. */
export function validateClusterIPsRelatedFields(svc: JsonObject): FieldError[] {
  const spec = specOf(svc);
  if (str(spec['type']) === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const clusterIP = str(spec['clusterIP']);
  const clusterIPs = strings(spec['clusterIPs']);
  const families = strings(spec['ipFamilies']);
  const f = 'spec.clusterIPs';
  if (clusterIP !== '') {
    if (clusterIPs.length === 0) errs.push(fieldErrors.required(f));
    else if (clusterIPs[0] !== clusterIP)
      errs.push(invalidGo(f, goStringSlice(clusterIPs), 'first value must match `clusterIP`'));
  } else if (clusterIPs.length !== 0) {
    errs.push(invalidGo(f, goStringSlice(clusterIPs), 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  families.forEach((fam, i) => {
    if (!IP_FAMILIES.includes(fam))
      errs.push(fieldErrors.notSupported(`spec.ipFamilies[${i}]`, fam, IP_FAMILIES));
    if (seen.has(fam)) errs.push(fieldErrors.duplicate(`spec.ipFamilies[${i}]`, fam));
    seen.add(fam);
  });
  const policy = spec['ipFamilyPolicy'];
  if (typeof policy === 'string' && !IP_FAMILY_POLICIES.includes(policy))
    errs.push(fieldErrors.notSupported('spec.ipFamilyPolicy', policy, IP_FAMILY_POLICIES));
  let invalidIPs = false;
  clusterIPs.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (clusterIPs.length > 1) {
        invalidIPs = true;
        errs.push(invalidGo(f, goStringSlice(clusterIPs), "'None' must be the first and only value"));
      }
      return;
    }
    const e = validIP(ip, `${f}[${i}]`);
    if (e.length) invalidIPs = true;
    errs.push(...e);
  });
  if (clusterIPs.length > 2)
    errs.push(invalidGo(f, goStringSlice(clusterIPs), 'may only hold up to 2 values'));
  if (invalidIPs) return errs;
  if (clusterIPs.length > 1 && !isDualStack(clusterIPs))
    errs.push(invalidGo(f, goStringSlice(clusterIPs), 'may specify no more than one IP for each IP family'));
  if (!isHeadless(svc) && clusterIPs.length > 0 && families.length > 0) {
    clusterIPs.forEach((ip, i) => {
      if (i > families.length - 1) return;
      const v6 = ipFamilyOf(ip) === 6 && !/^::ffff:[0-9.]+$/i.test(ip);
      if (families[i] === 'IPv4' && v6)
        errs.push(
          fieldErrors.invalid(
            `${f}[${i}]`,
            ip,
            `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``,
          ),
        );
      if (families[i] === 'IPv6' && !v6)
        errs.push(
          fieldErrors.invalid(
            `${f}[${i}]`,
            ip,
            `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``,
          ),
        );
    });
  }
  return errs;
}

function validateLoadBalancerClass(svc: JsonObject, old: JsonObject | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(svc);
  const isLB = str(spec['type']) === 'LoadBalancer';
  const cls = spec['loadBalancerClass'];
  if (old && isLB && str(specOf(old)['type']) === 'LoadBalancer') {
    const oldCls = specOf(old)['loadBalancerClass'];
    const same = (typeof cls === 'string') === (typeof oldCls === 'string') && str(cls) === str(oldCls);
    if (!same)
      errs.push(
        fieldErrors.invalid(
          'spec.loadBalancerClass',
          typeof cls === 'string' ? cls : null,
          'may not change once set',
        ),
      );
  }
  if (isLB) {
    if (typeof cls === 'string') errs.push(...qualifiedName(cls, 'spec.loadBalancerClass'));
  } else if (isSet(cls)) {
    errs.push(
      fieldErrors.forbidden('spec.loadBalancerClass', "may only be used when `type` is 'LoadBalancer'"),
    );
  }
  return errs;
}

/** Upstream's ValidateService (ObjectMeta aside). */
export function validateService(svc: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const ann = stringMap(rec(svc['metadata'])?.['annotations']);
  const mode = ann[TOPOLOGY_MODE];
  const hints = ann[TOPOLOGY_HINTS];
  if (mode !== undefined && hints !== undefined && mode !== hints)
    errs.push(
      fieldErrors.invalid(
        `metadata.annotations[${TOPOLOGY_MODE}]`,
        mode,
        `must match annotations[${TOPOLOGY_HINTS}] when both are specified`,
      ),
    );
  const spec = specOf(svc);
  const type = str(spec['type']);
  const ports = records(spec['ports']);
  const headless = isHeadless(svc);
  if (ports.length === 0 && !headless && type !== 'ExternalName')
    errs.push(fieldErrors.required('spec.ports'));
  if ((type === 'LoadBalancer' || type === 'NodePort') && headless)
    errs.push(
      fieldErrors.invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${type} services`),
    );
  if (type === 'ExternalName') {
    if (strings(spec['clusterIPs']).length > 0)
      errs.push(fieldErrors.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (strings(spec['ipFamilies']).length > 0)
      errs.push(fieldErrors.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (isSet(spec['ipFamilyPolicy']))
      errs.push(fieldErrors.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    const cname = str(spec['externalName']).replace(/\.$/, '');
    if (cname !== '') errs.push(...dns1123Subdomain(cname, 'spec.externalName'));
    else errs.push(fieldErrors.required('spec.externalName'));
  }
  const names = new Set<string>();
  for (const [p, i] of ports)
    errs.push(...validateServicePort(p, ports.length > 1, names, `spec.ports[${i}]`));
  if (isSet(spec['selector'])) errs.push(...validateLabels(spec['selector'], 'spec.selector'));

  const affinity = str(spec['sessionAffinity']);
  if (affinity === '') errs.push(fieldErrors.required('spec.sessionAffinity'));
  else if (affinity !== 'ClientIP' && affinity !== 'None')
    errs.push(fieldErrors.notSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None']));
  const cfgPath = 'spec.sessionAffinityConfig';
  if (affinity === 'ClientIP') {
    const need = 'when session affinity type is ClientIP';
    const cfg = rec(spec['sessionAffinityConfig']);
    const clientIP = rec(cfg?.['clientIP']);
    const timeout = num(clientIP?.['timeoutSeconds']);
    if (!cfg) errs.push(fieldErrors.required(cfgPath, need));
    else if (!clientIP) errs.push(fieldErrors.required(`${cfgPath}.clientIP`, need));
    else if (timeout === undefined)
      errs.push(fieldErrors.required(`${cfgPath}.clientIP.timeoutSeconds`, need));
    else if (timeout <= 0 || timeout > MAX_CLIENT_IP_AFFINITY)
      errs.push(
        fieldErrors.invalid(
          `${cfgPath}.clientIP.timeoutSeconds`,
          timeout,
          `must be greater than 0 and less than ${MAX_CLIENT_IP_AFFINITY}`,
        ),
      );
  } else if (affinity === 'None' && isSet(spec['sessionAffinityConfig'])) {
    errs.push(fieldErrors.forbidden(cfgPath, 'must not be set when session affinity is None'));
  }

  errs.push(...validateClusterIPsRelatedFields(svc));
  strings(spec['externalIPs']).forEach((ip, i) => {
    const e = validIP(ip, `spec.externalIPs[${i}]`);
    errs.push(...(e.length ? e : nonSpecialIP(ip, `spec.externalIPs[${i}]`)));
  });
  if (type === '') errs.push(fieldErrors.required('spec.type'));
  else if (!SERVICE_TYPES.includes(type))
    errs.push(fieldErrors.notSupported('spec.type', type, SERVICE_TYPES));
  if (type === 'ClusterIP')
    for (const [p, i] of ports)
      if ((num(p['nodePort']) ?? 0) !== 0)
        errs.push(
          fieldErrors.forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"),
        );
  const nodePorts = new Set<string>();
  for (const [p, i] of ports) {
    const np = num(p['nodePort']) ?? 0;
    if (np === 0) continue;
    const key = `${str(p['protocol'])}/${np}`;
    if (nodePorts.has(key)) errs.push(fieldErrors.duplicate(`spec.ports[${i}].nodePort`, np));
    nodePorts.add(key);
  }
  const portKeys = new Set<string>();
  for (const [p, i] of ports) {
    const proto = str(p['protocol']);
    const port = num(p['port']) ?? 0;
    const key = `${proto}/${port}`;
    if (portKeys.has(key)) errs.push(duplicateGo(`spec.ports[${i}]`, servicePortGo(proto, port)));
    portKeys.add(key);
  }

  const ranges = strings(spec['loadBalancerSourceRanges']);
  if (ranges.length > 0) {
    const f = 'spec.LoadBalancerSourceRanges';
    if (type !== 'LoadBalancer')
      errs.push(fieldErrors.forbidden(f, "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => errs.push(...validCIDR(r.trim(), `${f}[${i}]`)));
  } else if (LB_SOURCE_RANGES in ann) {
    const f = `metadata.annotations[${LB_SOURCE_RANGES}]`;
    if (type !== 'LoadBalancer')
      errs.push(fieldErrors.forbidden(f, "may only be used when `type` is 'LoadBalancer'"));
    const val = (ann[LB_SOURCE_RANGES] ?? '').trim();
    if (val !== '') for (const r of val.split(',')) errs.push(...validCIDR(r.trim(), f));
  }
  if (isSet(spec['allocateLoadBalancerNodePorts']) && type !== 'LoadBalancer')
    errs.push(
      fieldErrors.forbidden(
        'spec.allocateLoadBalancerNodePorts',
        "may only be used when `type` is 'LoadBalancer'",
      ),
    );
  if (type === 'LoadBalancer' && !isSet(spec['allocateLoadBalancerNodePorts']))
    errs.push(fieldErrors.required('allocateLoadBalancerNodePorts'));
  errs.push(...validateLoadBalancerClass(svc, undefined));

  const etp = str(spec['externalTrafficPolicy']);
  if (!externallyAccessible(svc)) {
    if (etp !== '')
      errs.push(
        fieldErrors.invalid(
          'spec.externalTrafficPolicy',
          etp,
          'may only be set for externally-accessible services',
        ),
      );
  } else if (etp === '') errs.push(fieldErrors.required('spec.externalTrafficPolicy'));
  else if (etp !== 'Cluster' && etp !== 'Local')
    errs.push(fieldErrors.notSupported('spec.externalTrafficPolicy', etp, ['Cluster', 'Local']));
  const hcnp = num(spec['healthCheckNodePort']) ?? 0;
  if (!needsHealthCheckNodePort(svc)) {
    if (hcnp !== 0)
      errs.push(
        fieldErrors.invalid(
          'spec.healthCheckNodePort',
          hcnp,
          "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
        ),
      );
  } else if (hcnp === 0) errs.push(fieldErrors.required('spec.healthCheckNodePort'));
  else
    for (const m of isValidPortNum(hcnp)) errs.push(fieldErrors.invalid('spec.healthCheckNodePort', hcnp, m));

  const itp = spec['internalTrafficPolicy'];
  if (!isSet(itp) && (type === 'NodePort' || type === 'LoadBalancer' || type === 'ClusterIP'))
    errs.push(fieldErrors.required('spec.internalTrafficPolicy'));
  if (typeof itp === 'string' && itp !== 'Cluster' && itp !== 'Local')
    errs.push(fieldErrors.notSupported('spec.internalTrafficPolicy', itp, ['Cluster', 'Local']));
  const td = spec['trafficDistribution'];
  if (typeof td === 'string' && td !== 'PreferClose')
    errs.push(fieldErrors.notSupported('spec.trafficDistribution', td, ['PreferClose']));
  return errs;
}

function upgradeDowngradeClusterIPs(old: JsonObject, svc: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  if (str(specOf(svc)['type']) === 'ExternalName' || str(specOf(old)['type']) === 'ExternalName') return errs;
  if (isHeadless(old) && isHeadless(svc)) return errs;
  const o = strings(specOf(old)['clusterIPs']);
  const n = strings(specOf(svc)['clusterIPs']);
  const nv = goStringSlice(n);
  if (o.length === n.length) {
    o.forEach((ip, i) => {
      if (ip !== n[i]) errs.push(invalidGo(`spec.clusterIPs[${i}]`, nv, 'may not change once set'));
    });
  } else if (o.length > n.length) {
    if (n.length === 0) errs.push(invalidGo('spec.clusterIPs[0]', nv, 'primary clusterIP can not be unset'));
    if (o.length > 0 && n.length > 0 && n[0] !== o[0])
      errs.push(invalidGo('spec.clusterIPs[0]', nv, 'may not change once set'));
    if (n.length === 1 && specOf(svc)['ipFamilyPolicy'] !== 'SingleStack')
      errs.push(
        fieldErrors.invalid(
          'spec.ipFamilyPolicy',
          specOf(svc)['ipFamilyPolicy'] ?? null,
          "must be set to 'SingleStack' when releasing the secondary clusterIP",
        ),
      );
  } else if (o.length > 0 && n[0] !== o[0]) {
    errs.push(invalidGo('spec.clusterIPs[0]', nv, 'may not change once set'));
  }
  return errs;
}

function upgradeDowngradeIPFamilies(old: JsonObject, svc: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  if (str(specOf(svc)['type']) === 'ExternalName' || str(specOf(old)['type']) === 'ExternalName') return errs;
  if (isHeadless(old) !== isHeadless(svc) || isHeadless(svc)) return errs;
  const o = strings(specOf(old)['ipFamilies']);
  const n = strings(specOf(svc)['ipFamilies']);
  const clusterIPs = goStringSlice(strings(specOf(svc)['clusterIPs']));
  if (o.length === n.length) {
    o.forEach((fam, i) => {
      if (fam !== n[i])
        errs.push(
          invalidGo('spec.ipFamilies[0]', goStringSlice(n, 'core.IPFamily'), 'may not change once set'),
        );
    });
  } else if (o.length > n.length) {
    if (strings(specOf(svc)['clusterIPs']).length === 0)
      errs.push(
        invalidGo(
          'spec.ipFamilies[0]',
          goStringSlice(n, 'core.IPFamily'),
          'primary ipFamily can not be unset',
        ),
      );
    if (n.length > 0 && n[0] !== o[0])
      errs.push(invalidGo('spec.ipFamilies[0]', clusterIPs, 'may not change once set'));
    if (n.length === 1 && specOf(svc)['ipFamilyPolicy'] !== 'SingleStack')
      errs.push(
        fieldErrors.invalid(
          'spec.ipFamilyPolicy',
          specOf(svc)['ipFamilyPolicy'] ?? null,
          "must be set to 'SingleStack' when releasing the secondary ipFamily",
        ),
      );
  } else if (o.length > 0 && n.length > 0 && n[0] !== o[0]) {
    errs.push(invalidGo('spec.ipFamilies[0]', clusterIPs, 'may not change once set'));
  }
  return errs;
}

/** Upstream's ValidateServiceUpdate (ObjectMeta aside). */
export function validateServiceUpdate(svc: JsonObject, old: JsonObject): FieldError[] {
  const errs = upgradeDowngradeClusterIPs(old, svc);
  errs.push(...upgradeDowngradeIPFamilies(old, svc));
  const classErrs = validateLoadBalancerClass(svc, old).filter((e) => e.detail === 'may not change once set');
  errs.push(...classErrs);
  if (needsHealthCheckNodePort(old) && needsHealthCheckNodePort(svc)) {
    if ((num(specOf(svc)['healthCheckNodePort']) ?? 0) !== (num(specOf(old)['healthCheckNodePort']) ?? 0))
      errs.push(fieldErrors.forbidden('spec.healthCheckNodePort', 'field is immutable'));
  }
  errs.push(...validateService(svc));
  return errs;
}

/** Upstream's ValidateServiceStatusUpdate (ObjectMeta aside): the load balancer status. */
export function validateServiceStatusUpdate(svc: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const path = 'status.loadBalancer.ingress';
  const ingress = records(rec(rec(svc['status'])?.['loadBalancer'])?.['ingress']);
  if (str(specOf(svc)['type']) !== 'LoadBalancer' && ingress.length > 0)
    return [fieldErrors.forbidden(path, "may only be used when `spec.type` is 'LoadBalancer'")];
  for (const [ing, i] of ingress) {
    const p = `${path}[${i}]`;
    const ip = str(ing['ip']);
    if (ip !== '') errs.push(...validIP(ip, `${p}.ip`));
    const ipMode = ing['ipMode'];
    if (!isSet(ipMode)) {
      if (ip !== '') errs.push(fieldErrors.required(`${p}.ipMode`, 'must be specified when `ip` is set'));
    } else if (ip === '')
      errs.push(fieldErrors.forbidden(`${p}.ipMode`, 'may not be specified when `ip` is not set'));
    else if (ipMode !== 'Proxy' && ipMode !== 'VIP')
      errs.push(fieldErrors.notSupported(`${p}.ipMode`, ipMode, ['Proxy', 'VIP']));
    const host = str(ing['hostname']);
    if (host !== '') {
      errs.push(...dns1123Subdomain(host, `${p}.hostname`));
      if (ipFamilyOf(host))
        errs.push(fieldErrors.invalid(`${p}.hostname`, host, 'must be a DNS name, not an IP address'));
    }
  }
  return errs;
}

/** Upstream's ValidateEndpoints (ObjectMeta aside). */
export function validateEndpoints(ep: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  for (const [ss, i] of records(ep['subsets'])) {
    const p = `subsets[${i}]`;
    const addrs = records(ss['addresses']);
    const notReady = records(ss['notReadyAddresses']);
    if (addrs.length === 0 && notReady.length === 0)
      errs.push(fieldErrors.required(p, 'must specify `addresses` or `notReadyAddresses`'));
    for (const [list, key] of [
      [addrs, 'addresses'],
      [notReady, 'notReadyAddresses'],
    ] as const)
      for (const [a, j] of list) {
        const ap = `${p}.${key}[${j}]`;
        const ip = str(a['ip']);
        errs.push(...validIP(ip, `${ap}.ip`));
        const hostname = str(a['hostname']);
        if (hostname !== '') errs.push(...dns1123Label(hostname, `${ap}.hostname`));
        if (typeof a['nodeName'] === 'string')
          errs.push(...dns1123Subdomain(a['nodeName'], `${ap}.nodeName`));
        errs.push(...nonSpecialIP(ip, `${ap}.ip`));
      }
    const ports = records(ss['ports']);
    for (const [port, j] of ports) {
      const pp = `${p}.ports[${j}]`;
      const name = str(port['name']);
      if (ports.length > 1 && name === '') errs.push(fieldErrors.required(`${pp}.name`));
      else if (name !== '') errs.push(...dns1123Label(name, `${pp}.name`));
      const n = num(port['port']) ?? 0;
      for (const m of isValidPortNum(n)) errs.push(fieldErrors.invalid(`${pp}.port`, n, m));
      const proto = str(port['protocol']);
      if (proto === '') errs.push(fieldErrors.required(`${pp}.protocol`));
      else if (!SUPPORTED_PORT_PROTOCOLS.includes(proto))
        errs.push(fieldErrors.notSupported(`${pp}.protocol`, proto, SUPPORTED_PORT_PROTOCOLS));
      const appProtocol = port['appProtocol'];
      if (typeof appProtocol === 'string') errs.push(...qualifiedName(appProtocol, `${pp}.appProtocol`));
    }
  }
  return errs;
}
