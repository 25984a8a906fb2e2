/**
 * Name and address helpers of the cluster DNS server: canonical IP text, reverse-lookup names
 * (in-addr.arpa, ip6.arpa) in both directions, and the dashed form of an address used as a DNS label
 * (`10-1-2-3`, `fd00--1`).
 */
import { parseIP } from '../../api/networking/ip.js';

/** The family of an address, or undefined when `s` is not one. */
export function ipFamily(s: string): 4 | 6 | undefined {
  const b = parseIP(s);
  if (!b) return undefined;
  return b.length === 4 ? 4 : 6;
}

/** Canonical text of an address (dotted quad; RFC 5952 for IPv6), or undefined when invalid. */
export function canonicalIP(s: string): string | undefined {
  const b = parseIP(s);
  if (!b) return undefined;
  return b.length === 4 ? Array.from(b).join('.') : formatIPv6(b);
}

function formatIPv6(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((b[i] ?? 0) << 8) | (b[i + 1] ?? 0));
  // The longest run (at least two) of zero words becomes '::'; the first such run wins a tie.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]): string => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

/** The reverse-lookup name of an address (lower case, no trailing dot), or undefined when invalid. */
export function reverseName(ip: string): string | undefined {
  const b = parseIP(ip);
  if (!b) return undefined;
  if (b.length === 4) return `${b[3]}.${b[2]}.${b[1]}.${b[0]}.in-addr.arpa`;
  const nibbles: string[] = [];
  for (let i = 15; i >= 0; i--) {
    const v = b[i] ?? 0;
    nibbles.push((v & 0xf).toString(16), (v >> 4).toString(16));
  }
  return `${nibbles.join('.')}.ip6.arpa`;
}

/**
 * The address a complete reverse-lookup name stands for (canonical text), or undefined when `name`
 * (lower case, no trailing dot) is not a full in-addr.arpa or ip6.arpa name.
 */
export function ipOfReverseName(name: string): string | undefined {
  if (name.endsWith('.in-addr.arpa')) {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255))
      return undefined;
    return parts.reverse().join('.');
  }
  if (name.endsWith('.ip6.arpa')) {
    const parts = name.slice(0, -'.ip6.arpa'.length).split('.');
    if (parts.length !== 32 || !parts.every((p) => /^[0-9a-f]$/.test(p))) return undefined;
    const hex = parts.reverse().join('');
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(hex.slice(i, i + 4));
    return canonicalIP(groups.join(':'));
  }
  return undefined;
}

/** True when `name` lies in the in-addr.arpa or ip6.arpa trees. */
export function isReverseName(name: string): boolean {
  return (
    name === 'in-addr.arpa' ||
    name === 'ip6.arpa' ||
    name.endsWith('.in-addr.arpa') ||
    name.endsWith('.ip6.arpa')
  );
}

/** The dashed label of an address: `10-1-2-3` for IPv4, colons as dashes for IPv6 (`fd00--1`). */
export function dashedIP(ip: string): string {
  return ip.includes(':') ? ip.replace(/:/g, '-') : ip.replace(/\./g, '-');
}

/**
 * The address a dashed label stands for (`10-1-2-3` → 10.1.2.3, `fd00--1` → fd00::1), in canonical
 * text, or undefined when the label is no well-formed address.
 */
export function ipOfDashed(label: string): string | undefined {
  if (/^\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3}$/.test(label)) {
    const ip = label.replace(/-/g, '.');
    return ipFamily(ip) === 4 ? canonicalIP(ip) : undefined;
  }
  if (!/^[0-9a-f-]+$/i.test(label) || !label.includes('-')) return undefined;
  const ip = label.replace(/-/g, ':');
  return ipFamily(ip) === 6 ? canonicalIP(ip) : undefined;
}
