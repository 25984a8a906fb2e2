/**
 * IP address helpers for certificate SANs: recognising addresses, a canonical form to compare them, and
 * the first usable address of a service CIDR (the `kubernetes` Service's ClusterIP).
 */
import { isIP } from 'node:net';

/** 4 or 6 for an IP address (no zone, no brackets), 0 otherwise. */
export function ipFamily(value: string): 0 | 4 | 6 {
  const f = isIP(value);
  return f === 4 || f === 6 ? f : 0;
}

function ipv6Groups(value: string): number[] {
  let text = value.toLowerCase();
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(fill).fill('0'), ...right].map((g) => parseInt(g, 16));
}

function bytesOf(value: string): number[] {
  if (ipFamily(value) === 4) return value.split('.').map(Number);
  const out: number[] = [];
  for (const g of ipv6Groups(value)) out.push(g >> 8, g & 0xff);
  return out;
}

function fromBytes(bytes: number[]): string {
  if (bytes.length === 4) return bytes.join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  // RFC 5952: compress the longest run (length >= 2) of zero groups.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** The canonical text of an IP address (IPv6 lower-case and compressed per RFC 5952). */
export function canonicalIp(value: string): string {
  if (ipFamily(value) === 0) throw new Error(`not an IP address: ${JSON.stringify(value)}`);
  return fromBytes(bytesOf(value));
}

/**
 * The first usable address of a CIDR: network address + 1 (10.43.0.1 for 10.43.0.0/16), as upstream
 * picks the ClusterIP of the `kubernetes` Service.
 */
export function firstIpOfCidr(cidr: string): string {
  const [addr = '', bitsText] = cidr.trim().split('/');
  const family = ipFamily(addr);
  const bits = Number(bitsText);
  const width = family === 4 ? 32 : 128;
  if (family === 0 || bitsText === undefined || !/^\d+$/.test(bitsText) || bits > width) {
    throw new Error(`invalid CIDR address: ${cidr}`);
  }
  const bytes = bytesOf(addr);
  // Mask host bits, then add one.
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    bytes[i] = (bytes[i] ?? 0) & ((0xff << (8 - keep)) & 0xff);
  }
  for (let i = bytes.length - 1; i >= 0; i--) {
    const v = (bytes[i] ?? 0) + 1;
    bytes[i] = v & 0xff;
    if (v <= 0xff) break;
  }
  return fromBytes(bytes);
}
