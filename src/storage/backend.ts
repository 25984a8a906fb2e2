/**
 * The storage backend: a revisioned key-value store with etcd v3 semantics. Implementations:
 * SQLite (./sqlite, the default) and etcd (./etcd). Both pass ./conformance.ts.
 *
 * Revisions are global and strictly increasing: every create, update and delete takes the next one,
 * and it becomes the object's resourceVersion. Keys look like `/registry/pods/default/web-0`.
 */

/** One stored key at one revision. */
export interface KeyValue {
  key: string;
  value: Buffer;
  /** Revision at which the key was (last) created. */
  createRevision: number;
  /** Revision of the write that produced this value. */
  modRevision: number;
}

/**
 * A change seen by a watch. For `delete`, `kv` holds the key, the deletion's revision as
 * `modRevision`, and the last value before the delete (like etcd with prevKV).
 */
export interface WatchEvent {
  type: 'put' | 'delete';
  kv: KeyValue;
  /** The value before this event, when there was one. */
  prevKv?: KeyValue;
}

export interface ListOptions {
  /** Read at this revision (a snapshot). 0 or absent: the newest. Compacted: {@link CompactedError}. */
  revision?: number;
  /** Start at this key (inclusive), for pagination; must lie under the prefix. */
  startKey?: string;
  /** At most this many keys; 0 or absent: all. */
  limit?: number;
}

export interface ListResult {
  /** In key order. */
  kvs: KeyValue[];
  /** The revision this list was read at. */
  revision: number;
  /** True when more keys lie after the last one returned. */
  more: boolean;
}

export interface Watcher {
  /** Stops the watch; no callback runs after it returns. */
  cancel(): void;
}

export interface WatchCallbacks {
  /** Batches of events in revision order, with no gaps or repeats. */
  onEvents(events: WatchEvent[]): void;
  /**
   * The watch ended and will deliver nothing more: {@link CompactedError} when the start revision
   * is gone, another error when the store failed. Not called after cancel().
   */
  onError(err: Error): void;
}

/** Options of {@link Backend.watch}. */
export interface WatchOptions {
  /**
   * False: the watcher keeps the previous values itself (the watch cache does), so events need not
   * carry `prevKv`, and a delete event's `kv` may hold an empty value and createRevision 0. On etcd
   * this spares etcd a read of the previous revision for every update and delete event and halves
   * the bytes such events take. Default true.
   */
  prevKv?: boolean;
}

/** The storage interface every backend implements. */
export interface Backend {
  /** A short name for logs and metrics: "sqlite" or "etcd". */
  readonly name: string;
  /** Connects, creates tables or checks the cluster; resolves when ready to serve. */
  start(): Promise<void>;
  /** Stops watches and closes connections. */
  close(): Promise<void>;

  /** The newest revision (0 for an empty store). */
  currentRevision(): Promise<number>;
  /** The oldest revision that can still be read or watched from is compactRevision + 1. */
  compactRevision(): Promise<number>;

  /** Reads one key, at the newest revision or the one given. */
  get(key: string, revision?: number): Promise<{ kv: KeyValue | undefined; revision: number }>;
  /** Reads keys under a prefix, in key order. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Counts keys under a prefix at the newest revision. */
  count(prefix: string): Promise<{ count: number; revision: number }>;

  /** Creates a key that does not exist; {@link KeyExistsError} if it does. */
  create(key: string, value: Buffer): Promise<KeyValue>;
  /**
   * Replaces a key's value if its modRevision is still `expectedModRevision`.
   * {@link ConflictError} (carrying the current value) if it changed; {@link KeyNotFoundError} if gone.
   */
  update(key: string, value: Buffer, expectedModRevision: number): Promise<KeyValue>;
  /**
   * Deletes a key, optionally only if its modRevision is `expectedModRevision`. Returns the deletion
   * revision and the last value. {@link KeyNotFoundError} or {@link ConflictError}.
   */
  delete(key: string, expectedModRevision?: number): Promise<{ revision: number; prevKv: KeyValue }>;

  /**
   * Watches keys under a prefix for changes with revision > `afterRevision`. Events before the
   * call returns are not lost: the backend replays from `afterRevision`.
   */
  watch(prefix: string, afterRevision: number, callbacks: WatchCallbacks, opts?: WatchOptions): Watcher;

  /** Drops history up to and including `revision`; latest values are kept. */
  compact(revision: number): Promise<void>;
}

export class KeyExistsError extends Error {
  constructor(readonly key: string) {
    super(`key exists: ${key}`);
    this.name = 'KeyExistsError';
  }
}

export class KeyNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`key not found: ${key}`);
    this.name = 'KeyNotFoundError';
  }
}

export class ConflictError extends Error {
  constructor(
    readonly key: string,
    /** The value now stored, if any. */
    readonly current: KeyValue | undefined,
  ) {
    super(`revision mismatch for ${key}`);
    this.name = 'ConflictError';
  }
}

export class CompactedError extends Error {
  constructor(
    readonly requested: number,
    readonly compactRevision: number,
  ) {
    super(`required revision ${requested} has been compacted (compacted through ${compactRevision})`);
    this.name = 'CompactedError';
  }
}

/** A revision newer than the store's newest was asked for. */
export class FutureRevisionError extends Error {
  constructor(
    readonly requested: number,
    readonly current: number,
  ) {
    super(`required revision ${requested} is a future revision (current ${current})`);
    this.name = 'FutureRevisionError';
  }
}
