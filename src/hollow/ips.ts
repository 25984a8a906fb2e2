/**
 * Simulated pod IPs: each node hands out addresses from its `spec.podCIDR` (the server's node IPAM
 * assigns one), or, while it has none, from a range of its own in 100.64.0.0/10. The network address,
 * the gateway (.1) and the broadcast address are never handed out.
 */
import { ipToString, parseCidr } from '../util/cidr.js';
import { fnv32 } from './node.js';

/** The simulated /24 of a node without a podCIDR. */
export function fallbackPodCidr(nodeName: string): string {
  const slot = fnv32(nodeName) % 16384; // /24s in a /10
  return `${ipToString(0x64400000 + slot * 256)}/24`;
}

/** The addresses of one node. */
export class IpPool {
  private readonly used = new Set<number>();
  private readonly first: number;
  private readonly last: number;
  private next: number;

  constructor(readonly cidr: string) {
    const { base, bits } = parseCidr(cidr);
    const size = 2 ** (32 - bits);
    this.first = size >= 4 ? base + 2 : base;
    this.last = size >= 4 ? base + size - 2 : base + size - 1;
    this.next = this.first;
  }

  /** True when `ip` lies in this pool's range. */
  contains(ip: string): boolean {
    const n = toNumber(ip);
    return n !== undefined && n >= this.first && n <= this.last;
  }

  /** Marks an address as taken (a pod found running with it). */
  take(ip: string): void {
    const n = toNumber(ip);
    if (n !== undefined) this.used.add(n);
  }

  /** A free address, or undefined when the range is full. */
  allocate(): string | undefined {
    const span = this.last - this.first + 1;
    for (let i = 0; i < span; i++) {
      const n = this.next;
      this.next = n >= this.last ? this.first : n + 1;
      if (!this.used.has(n)) {
        this.used.add(n);
        return ipToString(n);
      }
    }
    return undefined;
  }

  release(ip: string): void {
    const n = toNumber(ip);
    if (n !== undefined) this.used.delete(n);
  }

  get size(): number {
    return this.used.size;
  }
}

function toNumber(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  return m.slice(1, 5).reduce((acc, o) => acc * 256 + Number(o), 0);
}
