/**
 * Services and Endpoints: TYPE, CLUSTER-IP, EXTERNAL-IP (`<none>`, `<pending>` for a load balancer
 * without an address yet, external IPs), PORT(S) (`80/TCP`, `80:30080/TCP`); endpoints as
 * `ip:port` lists cut after three.
 */
import type { Endpoints, LoadBalancerStatus, Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../meta.js';
import { AGE, NAME, ageOf, column, nameOf, printer, view, wide } from '../columns.js';
import { compareStrings, formatLabels } from '../selectors.js';
import type { Cell } from '../types.js';

const serviceColumns = [
  NAME,
  column('Type', 'string', 'How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.'),
  column('Cluster-IP', 'string', 'The virtual IP of the service inside the cluster.'),
  column('External-IP', 'string', 'Addresses the service is reachable on from outside the cluster.'),
  column('Port(s)', 'string', 'Service ports, with node ports, and their protocols.'),
  AGE,
  wide('Selector', 'string', 'Labels of the pods the service sends traffic to.'),
];

/** Load balancer ingress addresses (IP, else hostname), deduplicated and sorted. */
export function loadBalancerAddresses(
  status: { ingress?: { ip?: string; hostname?: string }[] } | undefined,
): string {
  const out = new Set<string>();
  for (const ing of status?.ingress ?? []) {
    if (ing.ip) out.add(ing.ip);
    else if (ing.hostname) out.add(ing.hostname);
  }
  return [...out].sort(compareStrings).join(',');
}

function externalIP(svc: Service): string {
  const spec = svc.spec ?? {};
  const externalIPs = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(svc.status?.loadBalancer as LoadBalancerStatus | undefined);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

function ports(svc: Service): string {
  const list = (svc.spec?.ports ?? []).map((p) => {
    const protocol = p.protocol ?? 'TCP';
    return p.nodePort && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${protocol}` : `${p.port}/${protocol}`;
  });
  return list.length > 0 ? list.join(',') : '<none>';
}

function serviceCells(obj: KubeObject, now: Date): Cell[] {
  const svc = view<Service>(obj);
  const spec = svc.spec ?? {};
  // clusterIPs mirrors clusterIP once defaulted; an object with only clusterIP reads the same.
  const clusterIP = (spec.clusterIPs?.length ? spec.clusterIPs[0] : spec.clusterIP) || '<none>';
  return [
    nameOf(obj),
    spec.type ?? 'ClusterIP',
    clusterIP,
    externalIP(svc),
    ports(svc),
    ageOf(obj, now),
    formatLabels(spec.selector),
  ];
}

/** core/v1 Service. */
export const servicePrinter = printer(serviceColumns, serviceCells);

/** `host:port`, with brackets around IPv6 hosts. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The ENDPOINTS cell: up to three `ip:port` (or bare IPs when a subset has no ports). */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ssPorts = ss.ports ?? [];
    if (ssPorts.length === 0) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) break;
        list.push(a.ip ?? '');
      }
      continue;
    }
    for (const port of ssPorts) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) break;
        list.push(joinHostPort(a.ip ?? '', port.port));
      }
    }
  }
  const text = list.join(',');
  return count > max ? `${text} + ${count - max} more...` : text;
}

const endpointsColumns = [NAME, column('Endpoints', 'string', 'Ready endpoint addresses and ports.'), AGE];

/** core/v1 Endpoints. */
export const endpointsPrinter = printer(endpointsColumns, (obj, now) => [
  nameOf(obj),
  formatEndpoints(view<Endpoints>(obj)),
  ageOf(obj, now),
]);
