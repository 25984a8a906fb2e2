/**
 * What the watch cache holds: decoded objects with their precomputed labels and selectable fields,
 * and the events that changed them. Cached objects are shared by every reader: never mutate one
 * (clone first).
 */
import type { ApiError } from '../../api/errors.js';
import { intern, internRecordValues, internStrings } from '../../api/intern.js';
import type { StoredObject } from '../../api/meta.js';

/** Where a cached object's JSON may already exist (the codec that just wrote it). */
export interface JsonSource {
  /** `JSON.stringify(obj)`, when known without serialising; undefined otherwise. */
  json(obj: StoredObject): string | undefined;
}

/**
 * One cached object. Its short strings are interned when it is made (see src/api/intern.ts): the
 * cache holds every object of the cluster for as long as it is current, and thirty thousand pods
 * repeat the same images, label keys and values, defaults and timestamps.
 */
export class CachedObject {
  private encoded: string | undefined;
  readonly namespace: string;
  readonly name: string;

  constructor(
    readonly key: string,
    namespace: string,
    name: string,
    readonly rv: number,
    readonly object: StoredObject,
    readonly labels: Readonly<Record<string, string>>,
    readonly fields: Readonly<Record<string, string>>,
    private readonly source?: JsonSource,
    /** The object's strings are interned already (a copy of a cached object's). */
    interned = false,
  ) {
    this.namespace = intern(namespace);
    // The object's own name (a string of its own) rather than a slice of the key, when equal.
    const own = object.metadata.name;
    this.name = own === name ? own : name;
    // Secrets are few, and their values must not outlive them in a process-wide table.
    if (!interned && object.kind !== 'Secret') {
      internStrings(object);
      if (labels !== object.metadata.labels) internRecordValues(labels as Record<string, string>);
      internFields(fields as Record<string, string>);
    }
  }

  /** The object's JSON, computed once and shared (taken from the write that stored it when possible). */
  json(): string {
    if (this.encoded === undefined)
      this.encoded = this.source?.json(this.object) ?? JSON.stringify(this.object);
    return this.encoded;
  }

  /** A copy at another resourceVersion (a DELETED event carries the deletion revision). */
  atRevision(rv: number): CachedObject {
    const object = { ...this.object, metadata: { ...this.object.metadata, resourceVersion: String(rv) } };
    return new CachedObject(
      this.key,
      this.namespace,
      this.name,
      rv,
      object,
      this.labels,
      this.fields,
      undefined,
      true,
    );
  }
}

/** Selectable field values taken from the object before it was interned: the interned instances. */
function internFields(fields: Record<string, string>): void {
  try {
    for (const k in fields) {
      const v = fields[k];
      // metadata.name is unique to each object: not worth a table entry.
      if (v !== undefined && k !== 'metadata.name') fields[k] = intern(v);
    }
  } catch {
    // frozen: left as it is
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
