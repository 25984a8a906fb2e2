/**
 * Records core/v1 Events (for the agent, controllers and the scheduler), as upstream's event recorder does: repeats of
 * the same event (same object, reason and message) within ten minutes bump `count` and
 * `lastTimestamp` on the existing Event instead of creating another one. Failures to record are
 * logged, never thrown: events are best effort.
 */
import { randomBytes } from 'node:crypto';
import { ApiError } from '../api/errors.js';
import type { ApiObject, Client } from './types.js';
import { EVENTS } from './resources.js';
import type { Logger } from '../util/log.js';
import { rfc3339, systemClock, type Clock } from '../util/time.js';

/** The object an event is about. */
export interface EventTarget {
  kind: string;
  apiVersion: string;
  namespace?: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
  /** `spec.containers{web}` for container events. */
  fieldPath?: string;
}

interface Recorded {
  name: string;
  namespace: string;
  count: number;
  last: number;
}

const AGGREGATE_MS = 10 * 60_000;
const MAX_REMEMBERED = 4096;
/** Per-process sequence that makes event names of one millisecond differ (random start). */
let eventSeq = randomBytes(3).readUIntBE(0, 3) % 1_000_000;

/**
 * The hexadecimal suffix of an event's name, shaped like upstream's (its time in nanoseconds):
 * milliseconds × 10⁶ plus a per-process sequence, so events of one object recorded within the same
 * millisecond never share a name (a random suffix of a few bytes did, about once in 200 bursts of 25).
 */
export function eventSuffix(ms: number): string {
  eventSeq = (eventSeq + 1) % 1_000_000;
  return (BigInt(ms) * 1_000_000n + BigInt(eventSeq)).toString(16);
}

/**
 * Spam filter, as upstream's: events about one object (whatever their reason) may come in a burst
 * of 25, then one every 5 minutes; the rest are dropped. A 1,000-replica ReplicaSet writes 25
 * SuccessfulCreate events, not 1,000.
 */
const SPAM_BURST = 25;
const SPAM_REFILL_MS = 5 * 60_000;

interface Bucket {
  tokens: number;
  at: number;
}

export class EventRecorder {
  private readonly seen = new Map<string, Recorded>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly clock: Clock;

  constructor(
    private readonly client: Client,
    private readonly node: string,
    private readonly log: Logger,
    clock?: Clock,
    private readonly component = 'kubelet',
  ) {
    this.clock = clock ?? systemClock;
  }

  /** Takes a token from the object's bucket; false when it is empty. */
  private allow(key: string, now: number): boolean {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= MAX_REMEMBERED) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
      b = { tokens: SPAM_BURST, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(SPAM_BURST, b.tokens + (now - b.at) / SPAM_REFILL_MS);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Records an event; resolves when written (or given up). */
  async record(
    target: EventTarget,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): Promise<void> {
    const namespace = target.namespace || 'default';
    const key = [
      namespace,
      target.kind,
      target.name,
      target.uid,
      target.fieldPath,
      type,
      reason,
      message,
    ].join('\u0000');
    const now = this.clock.now();
    if (!this.allow([namespace, target.kind, target.name, target.uid].join('\u0000'), now.getTime())) return;
    const events = this.client.resource(EVENTS, namespace);
    try {
      const prev = this.seen.get(key);
      if (prev && now.getTime() - prev.last < AGGREGATE_MS) {
        prev.count++;
        prev.last = now.getTime();
        try {
          await events.patch(prev.name, 'merge', { count: prev.count, lastTimestamp: rfc3339(now) });
          return;
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404)) throw err;
        }
      }
      const name = `${target.name}.${eventSuffix(now.getTime())}`;
      const event: ApiObject = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: {
          kind: target.kind,
          apiVersion: target.apiVersion,
          name: target.name,
          ...(target.namespace ? { namespace: target.namespace } : {}),
          ...(target.uid ? { uid: target.uid } : {}),
          ...(target.resourceVersion ? { resourceVersion: target.resourceVersion } : {}),
          ...(target.fieldPath ? { fieldPath: target.fieldPath } : {}),
        },
        reason,
        message,
        source: this.node ? { component: this.component, host: this.node } : { component: this.component },
        firstTimestamp: rfc3339(now),
        lastTimestamp: rfc3339(now),
        eventTime: null,
        count: 1,
        type,
        reportingComponent: this.component,
        reportingInstance: this.node || this.component,
      };
      await events.create(event);
      if (this.seen.size >= MAX_REMEMBERED) {
        const oldest = this.seen.keys().next().value;
        if (oldest !== undefined) this.seen.delete(oldest);
      }
      this.seen.set(key, { name, namespace, count: 1, last: now.getTime() });
    } catch (err) {
      this.log.warn({ err, reason, object: `${namespace}/${target.name}` }, 'could not record event');
    }
  }
}
