/**
 * EndpointSlice validation (upstream ValidateEndpointSliceCreate / Update): address type,
 * addresses by type, endpoints, hints and ports.
 */
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { fieldErrors, type FieldError } from '../errors.js';
import type { KubeObject } from '../meta.js';
import { check, immutable, type Loose } from '../validation/fieldchecks.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidLabelValue } from '../validation/names.js';
import { validateLabels } from '../validation/objectmeta.js';
import { isIPv4String, isIPv6String, validIPForLegacyField } from '../networking/ip.js';

type ES = Loose<EndpointSlice>;

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'] as const;
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
const MAX_TOPOLOGY_LABELS = 16;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;
const MAX_ENDPOINTS = 1000;
const MAX_ZONE_HINTS = 8;

/** Upstream's IsFullyQualifiedDomainName. */
export function fullyQualifiedDomainName(field: string, value: string): FieldError[] {
  if (value.length === 0) return [fieldErrors.required(field)];
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  const sub = isDNS1123Subdomain(name);
  if (sub.length > 0) return [fieldErrors.invalid(field, name, sub.join(','))];
  const labels = name.split('.');
  if (labels.length < 2)
    return [
      fieldErrors.invalid(field, name, 'should be a domain with at least two segments separated by dots'),
    ];
  for (const label of labels) {
    const errs = isDNS1123Label(label);
    if (errs.length > 0) return [fieldErrors.invalid(field, label, errs.join(','))];
  }
  return [];
}

function validateEndpoints(es: ES): FieldError[] {
  const errs: FieldError[] = [];
  const endpoints = es.endpoints ?? [];
  if (endpoints.length > MAX_ENDPOINTS)
    return [fieldErrors.tooMany('endpoints', endpoints.length, MAX_ENDPOINTS)];
  endpoints.forEach((ep, i) => {
    const p = `endpoints[${i}]`;
    const addresses = ep.addresses ?? [];
    if (addresses.length === 0)
      errs.push(fieldErrors.required(`${p}.addresses`, 'must contain at least 1 address'));
    else if (addresses.length > MAX_ADDRESSES)
      errs.push(fieldErrors.tooMany(`${p}.addresses`, addresses.length, MAX_ADDRESSES));
    addresses.forEach((addr, j) => {
      const ap = `${p}.addresses[${j}]`;
      switch (es.addressType) {
        case 'IPv4': {
          const ipErrs = validIPForLegacyField(ap, addr);
          if (ipErrs.length > 0) errs.push(...ipErrs);
          else if (!isIPv4String(addr)) errs.push(fieldErrors.invalid(ap, addr, 'must be an IPv4 address'));
          break;
        }
        case 'IPv6': {
          const ipErrs = validIPForLegacyField(ap, addr);
          if (ipErrs.length > 0) errs.push(...ipErrs);
          else if (!isIPv6String(addr)) errs.push(fieldErrors.invalid(ap, addr, 'must be an IPv6 address'));
          break;
        }
        case 'FQDN':
          errs.push(...fullyQualifiedDomainName(ap, addr));
          break;
        default:
      }
    });
    if (typeof ep.nodeName === 'string') errs.push(...check.dns1123Subdomain(ep.nodeName, `${p}.nodeName`));
    const topology = ep.deprecatedTopology ?? {};
    const tp = `${p}.deprecatedTopology`;
    if (Object.keys(topology).length > MAX_TOPOLOGY_LABELS)
      errs.push(fieldErrors.tooMany(tp, Object.keys(topology).length, MAX_TOPOLOGY_LABELS));
    errs.push(...validateLabels(ep.deprecatedTopology, tp));
    if ('topology.kubernetes.io/zone' in topology)
      errs.push(fieldErrors.internal(`${tp}[topology.kubernetes.io/zone]`, 'reserved key, use zone instead'));
    if (typeof ep.hostname === 'string') errs.push(...check.dns1123Label(ep.hostname, `${p}.hostname`));
    const forZones = ep.hints?.forZones;
    if (forZones) {
      const fz = `${p}.hints.forZones`;
      if (forZones.length > MAX_ZONE_HINTS)
        errs.push(fieldErrors.tooMany(fz, forZones.length, MAX_ZONE_HINTS));
      else {
        const seen = new Set<string>();
        forZones.forEach((z, k) => {
          const zp = `${fz}[${k}].name`;
          const name = z.name ?? '';
          if (seen.has(name)) errs.push(fieldErrors.duplicate(zp, name));
          else seen.add(name);
          for (const m of isValidLabelValue(name)) errs.push(fieldErrors.invalid(zp, name, m));
        });
      }
    }
  });
  return errs;
}

function validatePorts(es: ES): FieldError[] {
  const errs: FieldError[] = [];
  const ports = es.ports ?? [];
  if (ports.length > MAX_PORTS) return [fieldErrors.tooMany('ports', ports.length, MAX_PORTS)];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = `ports[${i}]`;
    const name = port.name ?? '';
    if (name.length > 0) errs.push(...check.dns1123Label(name, `${p}.name`));
    if (names.has(name)) errs.push(fieldErrors.duplicate(`${p}.name`, name));
    else names.add(name);
    const proto = port.protocol;
    if (proto === undefined || proto === null) errs.push(fieldErrors.required(`${p}.protocol`));
    else if (!(PROTOCOLS as readonly string[]).includes(proto))
      errs.push(fieldErrors.notSupported(`${p}.protocol`, proto, PROTOCOLS));
    if (typeof port.appProtocol === 'string')
      errs.push(...check.qualifiedName(port.appProtocol, `${p}.appProtocol`));
  });
  return errs;
}

function validate(es: ES): FieldError[] {
  const errs: FieldError[] = [];
  const t = es.addressType ?? '';
  if (t === '') errs.push(fieldErrors.required('addressType'));
  else if (!(ADDRESS_TYPES as readonly string[]).includes(t))
    errs.push(fieldErrors.notSupported('addressType', t, ADDRESS_TYPES));
  errs.push(...validateEndpoints(es));
  errs.push(...validatePorts(es));
  return errs;
}

/** An EndpointSlice on create. */
export function validateEndpointSlice(obj: KubeObject): FieldError[] {
  return validate(obj as ES);
}

/** An EndpointSlice on update: the address type is immutable. */
export function validateEndpointSliceUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const es = obj as ES;
  return [...validate(es), ...immutable(es.addressType ?? '', (old as ES).addressType ?? '', 'addressType')];
}
