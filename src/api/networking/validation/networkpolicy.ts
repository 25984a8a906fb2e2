/**
 * NetworkPolicy validation: selectors, ports (number, name, endPort), peers and ipBlock CIDRs,
 * policy types.
 */
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from 'kubernetes-types/networking/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { fieldErrors, type FieldError } from '../../errors.js';
import type { KubeObject } from '../../meta.js';
import type { Loose } from '../../validation/fieldchecks.js';
import { goQuote, invalidGo } from '../../validation/govalue.js';
import { isValidPortName, isValidPortNum } from '../../validation/names.js';
import { validateLabelSelector } from '../../validation/objectmeta.js';
import { isStrictSubset, parseCIDR, validCIDRForLegacyField } from '../ip.js';

type NP = Loose<NetworkPolicy>;

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

function validatePort(port: Loose<NetworkPolicyPort>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const proto = port.protocol;
  if (proto !== undefined && proto !== null && !(PROTOCOLS as readonly string[]).includes(proto))
    errs.push(fieldErrors.notSupported(`${path}.protocol`, proto, PROTOCOLS));
  const p = port.port as number | string | undefined | null;
  const end = port.endPort;
  const hasEnd = end !== undefined && end !== null;
  if (typeof p === 'number') {
    for (const m of isValidPortNum(p)) errs.push(fieldErrors.invalid(`${path}.port`, p, m));
    if (hasEnd) {
      if (end < p)
        errs.push(fieldErrors.invalid(`${path}.endPort`, end, 'must be greater than or equal to `port`'));
      for (const m of isValidPortNum(end)) errs.push(fieldErrors.invalid(`${path}.endPort`, end, m));
    }
  } else if (typeof p === 'string') {
    if (hasEnd)
      errs.push(
        fieldErrors.invalid(`${path}.endPort`, end, 'may not be specified when `port` is non-numeric'),
      );
    for (const m of isValidPortName(p)) errs.push(fieldErrors.invalid(`${path}.port`, p, m));
  } else if (hasEnd) {
    errs.push(
      fieldErrors.invalid(`${path}.endPort`, end, 'may not be specified when `port` is not specified'),
    );
  }
  return errs;
}

function validatePeer(
  peer: Loose<NetworkPolicyPeer>,
  path: string,
  allowedCIDRs: readonly string[],
): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  if (peer.podSelector) {
    n++;
    errs.push(...validateLabelSelector(peer.podSelector as LabelSelector, `${path}.podSelector`));
  }
  if (peer.namespaceSelector) {
    n++;
    errs.push(...validateLabelSelector(peer.namespaceSelector as LabelSelector, `${path}.namespaceSelector`));
  }
  if (peer.ipBlock) {
    n++;
    const ip = `${path}.ipBlock`;
    const cidr = peer.ipBlock.cidr ?? '';
    if (cidr === '') errs.push(fieldErrors.required(`${ip}.cidr`));
    else {
      errs.push(...validCIDRForLegacyField(`${ip}.cidr`, cidr, allowedCIDRs));
      const outer = parseCIDR(cidr);
      if (outer) {
        (peer.ipBlock.except ?? []).forEach((except, i) => {
          const ep = `${ip}.except[${i}]`;
          errs.push(...validCIDRForLegacyField(ep, except, allowedCIDRs));
          const inner = parseCIDR(except);
          if (inner && !isStrictSubset(outer, inner))
            errs.push(fieldErrors.invalid(ep, except, 'must be a strict subset of `cidr`'));
        });
      }
    }
  }
  if (n === 0) errs.push(fieldErrors.required(path, 'must specify a peer'));
  else if (n > 1 && peer.ipBlock)
    errs.push(fieldErrors.forbidden(path, 'may not specify both ipBlock and another peer'));
  return errs;
}

function validateSpec(np: NP, allowedCIDRs: readonly string[]): FieldError[] {
  const spec = np.spec ?? {};
  const errs = validateLabelSelector(spec.podSelector as LabelSelector | undefined, 'spec.podSelector');
  (spec.ingress ?? []).forEach((rule, i) => {
    const p = `spec.ingress[${i}]`;
    (rule.ports ?? []).forEach((port, j) => errs.push(...validatePort(port, `${p}.ports[${j}]`)));
    (rule.from ?? []).forEach((peer, j) => errs.push(...validatePeer(peer, `${p}.from[${j}]`, allowedCIDRs)));
  });
  (spec.egress ?? []).forEach((rule, i) => {
    const p = `spec.egress[${i}]`;
    (rule.ports ?? []).forEach((port, j) => errs.push(...validatePort(port, `${p}.ports[${j}]`)));
    (rule.to ?? []).forEach((peer, j) => errs.push(...validatePeer(peer, `${p}.to[${j}]`, allowedCIDRs)));
  });
  const types = spec.policyTypes ?? [];
  if (types.length > 2) {
    errs.push(
      invalidGo(
        'spec.policyTypes',
        `[]networking.PolicyType{${types.map((t) => goQuote(t)).join(', ')}}`,
        'may not specify more than two policyTypes',
      ),
    );
    return errs;
  }
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress')
      errs.push(fieldErrors.notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress']));
  });
  return errs;
}

/** A NetworkPolicy on create. */
export function validateNetworkPolicy(obj: KubeObject): FieldError[] {
  return validateSpec(obj as NP, []);
}

/** A NetworkPolicy on update: CIDRs already stored stay acceptable even if invalid now. */
export function validateNetworkPolicyUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const o = old as NP;
  const existing: string[] = [];
  const collect = (peers: Loose<NetworkPolicyPeer>[] | undefined): void => {
    for (const p of peers ?? []) {
      if (p.ipBlock) existing.push(p.ipBlock.cidr ?? '', ...(p.ipBlock.except ?? []));
    }
  };
  for (const r of o.spec?.ingress ?? []) collect(r.from);
  for (const r of o.spec?.egress ?? []) collect(r.to);
  return validateSpec(obj as NP, existing);
}
