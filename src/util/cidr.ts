/** IPv4 CIDR arithmetic for the service and cluster ranges. */

export interface Cidr {
  base: number;
  bits: number;
}

/** Parses `10.43.0.0/16`; throws with the offending value when malformed. */
export function parseCidr(cidr: string): Cidr {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m)
    throw new Error(`invalid CIDR ${JSON.stringify(cidr)}: expected an IPv4 range such as 10.43.0.0/16`);
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) throw new Error(`invalid CIDR ${JSON.stringify(cidr)}`);
  const ip = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - bits);
  return { base: ip - (ip % size), bits };
}

export function ipToString(ip: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(ip / 2 ** s) % 256).join('.');
}

/** The first usable address of a range: the `kubernetes` service's ClusterIP (10.43.0.1). */
export function firstServiceIP(cidr: string): string {
  return ipToString(parseCidr(cidr).base + 1);
}
