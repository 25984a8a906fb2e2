/**
 * What the watch cache holds: decoded objects with their precomputed labels and selectable fields,
 * and the events that changed them. Cached objects are shared by every reader: never mutate one
 * (clone first).
 */
import type { ApiError } from '../../api/errors.js';
import type { StoredObject } from '../../api/meta.js';

/** Where a cached object's JSON may already exist (the codec that just wrote it). */
export interface JsonSource {
  /** `JSON.stringify(obj)`, when known without serialising; undefined otherwise. */
  json(obj: StoredObject): string | undefined;
}

export class CachedObject {
  private encoded: string | undefined;

  constructor(
    readonly key: string,
    readonly namespace: string,
    readonly name: string,
    readonly rv: number,
    readonly object: StoredObject,
    readonly labels: Readonly<Record<string, string>>,
    readonly fields: Readonly<Record<string, string>>,
    private readonly source?: JsonSource,
  ) {}

  /** The object's JSON, computed once and shared (taken from the write that stored it when possible). */
  json(): string {
    if (this.encoded === undefined)
      this.encoded = this.source?.json(this.object) ?? JSON.stringify(this.object);
    return this.encoded;
  }

  /** A copy at another resourceVersion (a DELETED event carries the deletion revision). */
  atRevision(rv: number): CachedObject {
    const object = { ...this.object, metadata: { ...this.object.metadata, resourceVersion: String(rv) } };
    return new CachedObject(this.key, this.namespace, this.name, rv, object, this.labels, this.fields);
  }
}

export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change, in revision order. For DELETED, `object` is the last state at the deletion revision. */
export interface CacheEvent {
  type: CacheEventType;
  rv: number;
  object: CachedObject;
  /** The state before this event (MODIFIED and DELETED). */
  prev?: CachedObject;
}

/** Receives a watcher's events. `deliver` returns false when the consumer cannot keep up. */
export interface EventSink {
  deliver(ev: CacheEvent): boolean;
  /**
   * The watch ends (overflow, cache reset, shutdown); `reason` is for logs. `error`, when given, is
   * what the client must be told in a final ERROR event (410 Expired when the start revision turned
   * out to be compacted, so that clients relist).
   */
  close(reason: string, error?: ApiError): void;
}

/** The resourceVersion asked for is older than what the cache can replay. */
export class TooOldError extends Error {
  constructor(
    readonly requested: number,
    readonly oldest: number,
  ) {
    super(`too old resource version: ${requested} (${oldest})`);
    this.name = 'TooOldError';
  }
}
