/**
 * networking.k8s.io/v1 Ingresses, IngressClasses and NetworkPolicies, and discovery.k8s.io/v1
 * EndpointSlices.
 */
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Ingress, IngressClass, IngressRule, NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { AGE, NAME, ageOf, column, listWithMore, nameOf, printer, view } from './columns.js';
import { loadBalancerAddresses } from './core/service.js';
import { formatLabelSelector } from './selectors.js';

/**
 * Hosts of the rules, at most three; `+ N more...` (N counting every rule past the third) when rules
 * remain after the third host; `*` when no rule names a host.
 */
function hosts(rules: readonly IngressRule[] | undefined): string {
  const all = rules ?? [];
  const max = 3;
  const list: string[] = [];
  let more = false;
  for (const rule of all) {
    if (list.length === max) {
      more = true;
      break;
    }
    if (rule.host) list.push(rule.host);
  }
  if (list.length === 0) return '*';
  const text = list.join(',');
  return more ? `${text} + ${all.length - max} more...` : text;
}

/** networking.k8s.io/v1 Ingress: CLASS, HOSTS, ADDRESS, PORTS. */
export const ingressPrinter = printer(
  [
    NAME,
    column('Class', 'string', 'The IngressClass that handles the ingress.'),
    column('Hosts', 'string', 'Host names the rules match.'),
    column('Address', 'string', 'Addresses of the load balancer serving the ingress.'),
    column('Ports', 'string', 'Ports the ingress is served on.'),
    AGE,
  ],
  (obj, now) => {
    const ing = view<Ingress>(obj);
    return [
      nameOf(obj),
      ing.spec?.ingressClassName ?? '<none>',
      hosts(ing.spec?.rules),
      loadBalancerAddresses(ing.status?.loadBalancer),
      (ing.spec?.tls ?? []).length > 0 ? '80, 443' : '80',
      ageOf(obj, now),
    ];
  },
);

/** networking.k8s.io/v1 IngressClass: CONTROLLER and PARAMETERS (`Kind.group/name`). */
export const ingressClassPrinter = printer(
  [
    NAME,
    column('Controller', 'string', 'The controller that implements the class.'),
    column('Parameters', 'string', 'The object holding extra parameters for the class.'),
    AGE,
  ],
  (obj, now) => {
    const ic = view<IngressClass>(obj);
    const p = ic.spec?.parameters;
    let parameters = '<none>';
    if (p) {
      parameters = p.kind ?? '';
      if (p.apiGroup !== undefined && p.apiGroup !== null) parameters += `.${p.apiGroup}`;
      parameters += `/${p.name ?? ''}`;
    }
    return [nameOf(obj), ic.spec?.controller ?? '', parameters, ageOf(obj, now)];
  },
);

/** networking.k8s.io/v1 NetworkPolicy: POD-SELECTOR. */
export const networkPolicyPrinter = printer(
  [NAME, column('Pod-Selector', 'string', 'Labels of the pods the policy applies to.'), AGE],
  (obj, now) => [
    nameOf(obj),
    formatLabelSelector(view<NetworkPolicy>(obj).spec?.podSelector ?? {}),
    ageOf(obj, now),
  ],
);

/** discovery.k8s.io/v1 EndpointSlice: ADDRESSTYPE, PORTS, ENDPOINTS. */
export const endpointSlicePrinter = printer(
  [
    NAME,
    column('AddressType', 'string', 'IPv4, IPv6 or FQDN.'),
    column('Ports', 'string', 'Ports of the slice, by number or name.'),
    column('Endpoints', 'string', 'Endpoint addresses of the slice.'),
    AGE,
  ],
  (obj, now) => {
    const es = view<EndpointSlice>(obj);
    const max = 3;
    const ports = es.ports ?? [];
    const portList = ports
      .slice(0, max)
      .map((p) => (p.port !== undefined && p.port !== null ? String(p.port) : (p.name ?? '*')));
    const addresses = (es.endpoints ?? []).flatMap((e) => e.addresses ?? []);
    return [
      nameOf(obj),
      es.addressType ?? '',
      listWithMore(portList, ports.length, max),
      listWithMore(addresses.slice(0, max), addresses.length, max),
      ageOf(obj, now),
    ];
  },
);
