/**
 * Leader election through a coordination.k8s.io/v1 Lease, as upstream's client-go does: of the
 * servers sharing one datastore, only the holder of the Lease runs the controllers (or the scheduler).
 * The holder renews the Lease every `retryPeriodMs`; a candidate takes it over once it has seen the
 * same record unchanged for `leaseDurationMs` on its own monotonic clock (never by comparing
 * timestamps written by another machine, so clock skew between servers does not matter). A holder
 * that fails to renew for `renewDeadlineMs` stops leading before another can take over. Writes carry
 * the resourceVersion read, so two candidates never both win.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ApiError } from '../../api/errors.js';
import { realTimers, sleep, type Timers } from '../../client/backoff.js';
import { LEASES } from '../../client/resources.js';
import type { ApiObject, Client } from '../../client/types.js';
import type { Logger } from '../../util/log.js';
import { rfc3339Micro, type Clock } from '../../util/time.js';

export interface LeaderElectionOptions {
  /** The Lease: `kube-system/kube-controller-manager`, `kube-system/kube-scheduler`. */
  namespace: string;
  name: string;
  /** This candidate (default `<hostname>_<random uuid>`, as upstream). */
  identity?: string;
  /** Upstream defaults: 15 s, 10 s, 2 s. */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  clock: Clock;
  timers?: Timers;
  log: Logger;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

type Lease = ApiObject & { spec?: LeaseSpec };

/** The default identity of a candidate. */
export function candidateIdentity(): string {
  return `${hostname()}_${randomUUID()}`;
}

export class LeaderElector {
  readonly identity: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly timers: Timers;
  /** The last record seen and when (monotonic ms) it was first seen unchanged. */
  private observed: { key: string; at: number } | undefined;
  private leading = false;
  /** Set when another candidate was found holding the Lease while this one led. */
  private lost = false;

  constructor(
    private readonly client: Client,
    private readonly opts: LeaderElectionOptions,
  ) {
    this.identity = opts.identity ?? candidateIdentity();
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    this.timers = opts.timers ?? realTimers;
  }

  /** True while this candidate holds the Lease. */
  isLeader(): boolean {
    return this.leading;
  }

  /**
   * Campaigns until `signal` aborts: each time the Lease is won, `lead(signal)` runs with a signal
   * that aborts when leadership is lost (or on stop), and is awaited before campaigning again. On
   * stop, a held Lease is released so another candidate takes over at once.
   */
  async run(signal: AbortSignal, lead: (signal: AbortSignal) => Promise<void>): Promise<void> {
    while (!signal.aborted) {
      if (!(await this.acquire(signal))) return;
      const term = new AbortController();
      const stopTerm = (): void => term.abort();
      signal.addEventListener('abort', stopTerm, { once: true });
      this.leading = true;
      this.lost = false;
      this.opts.log.info({ lease: this.leaseName(), identity: this.identity }, 'became leader');
      const led = lead(term.signal).catch((err: unknown) => {
        this.opts.log.error({ err, lease: this.leaseName() }, 'leader work failed');
      });
      await this.renewWhileLeading(term);
      term.abort();
      await led;
      this.leading = false;
      signal.removeEventListener('abort', stopTerm);
      if (signal.aborted) {
        await this.release();
        return;
      }
      this.opts.log.warn({ lease: this.leaseName() }, 'lost leadership; campaigning again');
    }
  }

  private leaseName(): string {
    return `${this.opts.namespace}/${this.opts.name}`;
  }

  /** Tries every retry period until the Lease is held; false when stopped first. */
  private async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew()) return true;
      await sleep(this.retryPeriodMs, this.timers, signal);
    }
    return false;
  }

  /** Renews until it fails for longer than the renew deadline, or the term is aborted. */
  private async renewWhileLeading(term: AbortController): Promise<void> {
    let lastRenew = this.timers.now();
    while (!term.signal.aborted) {
      await sleep(this.retryPeriodMs, this.timers, term.signal);
      if (term.signal.aborted) return;
      if (await this.tryAcquireOrRenew()) lastRenew = this.timers.now();
      else if (this.lost || this.timers.now() - lastRenew >= this.renewDeadlineMs) return;
    }
  }

  /** One attempt; true when this candidate holds the Lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const leases = this.client.resource<Lease>(LEASES, this.opts.namespace);
    const now = rfc3339Micro(this.opts.clock.now());
    const spec: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };
    let current: Lease;
    try {
      current = await leases.get(this.opts.name);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) return this.failed(err);
      try {
        await leases.create({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.opts.name, namespace: this.opts.namespace },
          spec,
        });
        return true;
      } catch (createErr) {
        return this.failed(createErr);
      }
    }
    const held = current.spec ?? {};
    const holder = held.holderIdentity ?? '';
    const key = `${holder}|${held.renewTime ?? ''}|${current.metadata.resourceVersion ?? ''}`;
    const mono = this.timers.now();
    if (this.observed?.key !== key) this.observed = { key, at: mono };
    const expired = mono - this.observed.at >= (held.leaseDurationSeconds ?? 0) * 1000;
    if (holder !== '' && holder !== this.identity && !expired) {
      this.lost = this.leading;
      return false;
    }
    if (holder === this.identity) {
      spec.acquireTime = held.acquireTime ?? now;
      spec.leaseTransitions = held.leaseTransitions ?? 0;
    } else spec.leaseTransitions = (held.leaseTransitions ?? 0) + (holder === '' ? 0 : 1);
    try {
      const updated = await leases.update({ ...current, spec });
      this.observed = {
        key: `${this.identity}|${spec.renewTime ?? ''}|${updated.metadata.resourceVersion ?? ''}`,
        at: mono,
      };
      return true;
    } catch (err) {
      return this.failed(err);
    }
  }

  private failed(err: unknown): false {
    if (!(err instanceof ApiError && (err.code === 409 || err.reason === 'AlreadyExists')))
      this.opts.log.warn({ err, lease: this.leaseName() }, 'could not acquire or renew the lease');
    return false;
  }

  /** Gives the Lease up (holder cleared), so the next candidate need not wait for it to expire. */
  private async release(): Promise<void> {
    const leases = this.client.resource<Lease>(LEASES, this.opts.namespace);
    try {
      const current = await leases.get(this.opts.name);
      if (current.spec?.holderIdentity !== this.identity) return;
      await leases.update({
        ...current,
        spec: {
          ...current.spec,
          holderIdentity: '',
          leaseDurationSeconds: 1,
          renewTime: rfc3339Micro(this.opts.clock.now()),
        },
      });
      this.opts.log.info({ lease: this.leaseName() }, 'released the lease');
    } catch (err) {
      this.opts.log.warn({ err, lease: this.leaseName() }, 'could not release the lease');
    }
  }
}
