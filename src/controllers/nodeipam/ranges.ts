/** Fixed-size subranges of one IPv4 CIDR, handed out lowest first. */
import { ipToString, parseCidr } from '../../util/cidr.js';

export class RangeAllocator {
  private readonly base: number;
  private readonly clusterBits: number;
  private readonly maskBits: number;
  private readonly count: number;
  private readonly used = new Set<number>();

  constructor(clusterCidr: string, nodeMaskSize: number) {
    const c = parseCidr(clusterCidr);
    this.base = c.base;
    this.clusterBits = c.bits;
    this.maskBits = Math.max(nodeMaskSize, c.bits);
    this.count = 2 ** (this.maskBits - c.bits);
  }

  /** The lowest free range, marked used, or undefined when all are taken. */
  allocate(): string | undefined {
    for (let i = 0; i < this.count; i++) {
      if (!this.used.has(i)) {
        this.used.add(i);
        return this.format(i);
      }
    }
    return undefined;
  }

  /** Marks a range used (a node that already has it); ranges outside the cluster CIDR are ignored. */
  occupy(cidr: string): void {
    const i = this.indexOf(cidr);
    if (i !== undefined) this.used.add(i);
  }

  release(cidr: string): void {
    const i = this.indexOf(cidr);
    if (i !== undefined) this.used.delete(i);
  }

  describe(): string {
    return `${ipToString(this.base)}/${this.clusterBits} in /${this.maskBits} ranges`;
  }

  private format(i: number): string {
    return `${ipToString(this.base + i * 2 ** (32 - this.maskBits))}/${this.maskBits}`;
  }

  private indexOf(cidr: string): number | undefined {
    let c;
    try {
      c = parseCidr(cidr);
    } catch {
      return undefined;
    }
    if (c.bits !== this.maskBits) return undefined;
    const offset = c.base - this.base;
    const size = 2 ** (32 - this.maskBits);
    if (offset < 0 || offset % size !== 0 || offset / size >= this.count) return undefined;
    return offset / size;
  }
}
