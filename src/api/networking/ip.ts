/**
 * IP address and CIDR parsing with the leniency of upstream's legacy ("sloppy") parsers: IPv4
 * octets may have leading zeros, host bits may be set in a CIDR. Used by NetworkPolicy, Ingress
 * status and EndpointSlice validation.
 */
import { fieldErrors, type FieldError } from '../errors.js';

/** Bytes of an address: 4 for IPv4, 16 for IPv6 (IPv4-mapped IPv6 stays 16). */
export type IPBytes = Uint8Array;

function parseIPv4(s: string): IPBytes | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? '';
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseIPv6(s: string): IPBytes | undefined {
  if (s.includes('%') || !/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  let head = s;
  let tailV4: IPBytes | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tailV4 = parseIPv4(s.slice(lastColon + 1));
    if (!tailV4) return undefined;
    head = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const group = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    const out: number[] = [];
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const left = group(halves[0] ?? '');
  const right = halves.length === 2 ? group(halves[1] ?? '') : [];
  if (!left || !right) return undefined;
  let words: number[];
  if (halves.length === 2) {
    const missing = 8 - left.length - right.length;
    if (missing < 1) return undefined;
    words = [...left, ...new Array<number>(missing).fill(0), ...right];
  } else {
    if (left.length !== 8) return undefined;
    words = left;
  }
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  if (tailV4) out.set(tailV4, 12);
  return out;
}

/** An IP address as upstream's ParseIPSloppy reads it, or undefined. */
export function parseIP(s: string): IPBytes | undefined {
  return s.includes(':') ? parseIPv6(s) : parseIPv4(s);
}

/** True for an IPv4 address, including IPv4-mapped IPv6 (as upstream's IsIPv4String). */
export function isIPv4String(s: string): boolean {
  const ip = parseIP(s);
  if (!ip) return false;
  if (ip.length === 4) return true;
  return ip.slice(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff;
}

/** True for an IPv6 address that is not IPv4-mapped. */
export function isIPv6String(s: string): boolean {
  return parseIP(s) !== undefined && !isIPv4String(s);
}

export interface CIDR {
  /** The network address (host bits cleared). */
  ip: IPBytes;
  prefix: number;
}

/** A CIDR as upstream's ParseCIDRSloppy reads it (host bits may be set), or undefined. */
export function parseCIDR(s: string): CIDR | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIP(s.slice(0, slash));
  const mask = s.slice(slash + 1);
  if (!ip || !/^\d+$/.test(mask)) return undefined;
  const prefix = Number(mask);
  if (prefix > ip.length * 8) return undefined;
  const net = new Uint8Array(ip);
  for (let bit = prefix; bit < ip.length * 8; bit++) {
    const byte = bit >> 3;
    net[byte] = (net[byte] ?? 0) & ~(0x80 >> (bit & 7));
  }
  return { ip: net, prefix };
}

/** Whether `inner` is a strict subset of `outer` (upstream's ipBlock.except rule). */
export function isStrictSubset(outer: CIDR, inner: CIDR): boolean {
  if (outer.ip.length !== inner.ip.length || outer.prefix >= inner.prefix) return false;
  for (let bit = 0; bit < outer.prefix; bit++) {
    const byte = bit >> 3;
    const m = 0x80 >> (bit & 7);
    if (((outer.ip[byte] ?? 0) & m) !== ((inner.ip[byte] ?? 0) & m)) return false;
  }
  return true;
}

/** `must be a valid IP address, (e.g. …)` unless the value is one (or was valid before: `allowed`). */
export function validIPForLegacyField(
  field: string,
  value: string,
  allowed: readonly string[] = [],
): FieldError[] {
  if (allowed.includes(value) || parseIP(value)) return [];
  return [fieldErrors.invalid(field, value, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
}

/** `must be a valid CIDR value, (e.g. …)` unless the value is one (or was valid before: `allowed`). */
export function validCIDRForLegacyField(
  field: string,
  value: string,
  allowed: readonly string[] = [],
): FieldError[] {
  if (allowed.includes(value) || parseCIDR(value)) return [];
  return [
    fieldErrors.invalid(field, value, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'),
  ];
}
