/**
 * One allocation range (service cluster IPs, or node ports) kept in the storage backend as one key per
 * allocated item, created with create-if-absent. Two API servers on one etcd can never hand out the
 * same item: the backend decides. Each key's value names its owner (`namespace/name`), so a retried
 * write of the same Service recognises what it already holds and a repair pass finds leaked items.
 */
import { KeyExistsError, KeyNotFoundError, type Backend } from '../../storage/backend.js';

/** Who holds an item. */
export interface Owner {
  namespace: string;
  name: string;
}

/** The outcome of claiming a requested item. */
export type ClaimResult = 'claimed' | 'ours' | 'taken';

function ownerText(o: Owner): string {
  return `${o.namespace}/${o.name}`;
}

function parseOwner(value: Buffer): Owner | undefined {
  try {
    const v = JSON.parse(value.toString('utf8')) as { owner?: unknown };
    if (typeof v.owner !== 'string') return undefined;
    const i = v.owner.indexOf('/');
    return i < 0 ? undefined : { namespace: v.owner.slice(0, i), name: v.owner.slice(i + 1) };
  } catch {
    return undefined;
  }
}

/**
 * Items are numbers in [first, last] (an IPv4 address as an integer, or a port). `staticBand` items
 * at the bottom are handed out dynamically only once the rest is full, as upstream does, so that
 * well-known addresses (the cluster DNS at .10) stay free for those who ask for them.
 */
export class AllocationRange {
  /** Items known to be allocated (a hint: the backend is the truth). */
  private readonly known = new Set<number>();

  constructor(
    private readonly backend: Backend,
    /** Key prefix, with a trailing slash. */
    private readonly prefix: string,
    readonly first: number,
    readonly last: number,
    private readonly staticBand: number,
    private readonly format: (n: number) => string,
    private readonly parse: (text: string) => number | undefined,
    private readonly random: () => number = Math.random,
  ) {}

  private key(n: number): string {
    return `${this.prefix}${this.format(n)}`;
  }

  contains(n: number): boolean {
    return n >= this.first && n <= this.last;
  }

  /** Loads what the backend holds (at start and on repair). */
  async load(): Promise<Map<number, Owner | undefined>> {
    const res = await this.backend.list(this.prefix);
    const out = new Map<number, Owner | undefined>();
    this.known.clear();
    for (const kv of res.kvs) {
      const n = this.parse(kv.key.slice(this.prefix.length));
      if (n === undefined || !this.contains(n)) continue;
      this.known.add(n);
      out.set(n, parseOwner(kv.value));
    }
    return out;
  }

  /** Claims `n` for `owner`; 'ours' when the owner already held it. */
  async claim(n: number, owner: Owner): Promise<ClaimResult> {
    try {
      await this.backend.create(this.key(n), Buffer.from(JSON.stringify({ owner: ownerText(owner) })));
      this.known.add(n);
      return 'claimed';
    } catch (err) {
      if (!(err instanceof KeyExistsError)) throw err;
      this.known.add(n);
      const holder = await this.holder(n);
      return holder && ownerText(holder) === ownerText(owner) ? 'ours' : 'taken';
    }
  }

  /** Whether `n` is free or held by `owner` (no change: dry runs). */
  async available(n: number, owner: Owner): Promise<boolean> {
    const { kv } = await this.backend.get(this.key(n));
    if (!kv) return true;
    const holder = parseOwner(kv.value);
    return !!holder && ownerText(holder) === ownerText(owner);
  }

  /** The holder of `n`, if any. */
  async holder(n: number): Promise<Owner | undefined> {
    const { kv } = await this.backend.get(this.key(n));
    return kv ? parseOwner(kv.value) : undefined;
  }

  /**
   * Claims a free item: a random start in the dynamic band (above the static band), then upward with
   * wrap-around, then the static band. Undefined when the range is full. With `dryRun`, only finds one.
   */
  async claimAny(owner: Owner, dryRun: boolean): Promise<number | undefined> {
    const size = this.last - this.first + 1;
    const band = Math.min(this.staticBand, size);
    const dynamic = size - band;
    const start = dynamic > 0 ? Math.floor(this.random() * dynamic) : 0;
    for (let i = 0; i < size; i++) {
      const n = i < dynamic ? this.first + band + ((start + i) % dynamic) : this.first + (i - dynamic);
      if (this.known.has(n)) continue;
      if (dryRun) {
        if (await this.available(n, owner)) return n;
        this.known.add(n);
        continue;
      }
      if ((await this.claim(n, owner)) !== 'taken') return n;
    }
    return undefined;
  }

  /** Gives `n` back if `owner` holds it. */
  async release(n: number, owner: Owner): Promise<void> {
    const key = this.key(n);
    const { kv } = await this.backend.get(key);
    if (!kv) {
      this.known.delete(n);
      return;
    }
    const holder = parseOwner(kv.value);
    if (holder && ownerText(holder) !== ownerText(owner)) return;
    try {
      await this.backend.delete(key, kv.modRevision);
    } catch (err) {
      if (!(err instanceof KeyNotFoundError)) throw err;
    }
    this.known.delete(n);
  }

  /** Removes `n` whoever holds it (repair of leaks). */
  async forget(n: number): Promise<void> {
    try {
      await this.backend.delete(this.key(n));
    } catch (err) {
      if (!(err instanceof KeyNotFoundError)) throw err;
    }
    this.known.delete(n);
  }
}
