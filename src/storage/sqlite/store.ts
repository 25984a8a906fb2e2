/**
 * The synchronous SQL half of the SQLite backend: prepared statements and the row logic of each
 * operation. Callers run writes inside a transaction; nothing here awaits.
 */
import type Database from 'better-sqlite3';
import type { KeyValue, WatchEvent } from '../backend.js';
import { ConflictError, KeyExistsError, KeyNotFoundError } from '../backend.js';
import { prefixEnd } from '../keys.js';
import { META_COMPACT_REVISION } from './compact.js';
import type { Row } from './schema.js';

const EMPTY = Buffer.alloc(0);

type LatestRow = Pick<Row, 'id' | 'created' | 'deleted' | 'create_revision' | 'value'>;
type ListRow = Pick<Row, 'id' | 'name' | 'created' | 'create_revision' | 'value'>;
interface HistoryRow extends Row {
  p_created: number | null;
  p_deleted: number | null;
  p_create_revision: number | null;
  p_value: Buffer | null;
}

/** The outcome of one write: the stored key-value, the event to publish, and what to return. */
export interface Applied<T> {
  result: T;
  event: WatchEvent;
  revision: number;
}

function toKv(key: string, r: LatestRow): KeyValue {
  return { key, value: r.value, createRevision: r.created ? r.id : r.create_revision, modRevision: r.id };
}

/** Prepared statements over one open database. */
export class Store {
  private readonly latestStmt: Database.Statement<[string], LatestRow>;
  private readonly latestAtStmt: Database.Statement<[string, number], LatestRow>;
  private readonly insertStmt: Database.Statement<[number, string, number, number, number, number, Buffer]>;
  private readonly metaGetStmt: Database.Statement<[string], { value: number }>;
  private readonly metaSetStmt: Database.Statement<[string, number]>;
  private readonly cache = new Map<string, Database.Statement>();
  /** The revision the newest row took (the next insert takes the one after). */
  private revision = 0;

  constructor(readonly db: Database.Database) {
    // Per name, prev_revision order is id order (see schema.ts): ordering by it lets the unique
    // (name, prev_revision) index find a key's newest row without a second index.
    this.latestStmt = db.prepare(
      'SELECT id, created, deleted, create_revision, value FROM kine WHERE name = ? ORDER BY prev_revision DESC LIMIT 1',
    );
    this.latestAtStmt = db.prepare(
      'SELECT id, created, deleted, create_revision, value FROM kine WHERE name = ? AND id <= ? ORDER BY prev_revision DESC LIMIT 1',
    );
    this.insertStmt = db.prepare(
      'INSERT INTO kine (id, name, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.metaGetStmt = db.prepare('SELECT value FROM kine_meta WHERE key = ?');
    this.metaSetStmt = db.prepare(
      'INSERT INTO kine_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
  }

  /**
   * The highest revision ever handed out, read from the file; the next insert takes the one after.
   * Compaction may have removed the rows of the newest revisions (a deleted key's tombstone), but only
   * at or below the compact revision it recorded first; a database from an older k8ts also keeps the
   * highest id its AUTOINCREMENT handed out in `sqlite_sequence`.
   */
  lastRevision(): number {
    const maxId = (this.db.prepare('SELECT max(id) AS id FROM kine').get() as { id: number | null }).id;
    const hasSequence = this.db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
      .get();
    const seq = hasSequence
      ? (this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'kine'").get() as
          { seq: number } | undefined)
      : undefined;
    this.revision = Math.max(maxId ?? 0, seq?.seq ?? 0, this.getMeta(META_COMPACT_REVISION));
    return this.revision;
  }

  /** Inserts a row with the next revision as its id; returns that revision. */
  private insert(
    key: string,
    created: number,
    deleted: number,
    createRevision: number,
    prevRevision: number,
    value: Buffer,
  ): number {
    const id = this.revision + 1;
    this.insertStmt.run(id, key, created, deleted, createRevision, prevRevision, value);
    this.revision = id;
    return id;
  }

  getMeta(key: string): number {
    return this.metaGetStmt.get(key)?.value ?? 0;
  }

  setMeta(key: string, value: number): void {
    this.metaSetStmt.run(key, value);
  }

  /** A statement prepared once per distinct SQL text. */
  stmt(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  get(key: string, revision: number | undefined): KeyValue | undefined {
    const row = revision === undefined ? this.latestStmt.get(key) : this.latestAtStmt.get(key, revision);
    if (!row || row.deleted) return undefined;
    return toKv(key, row);
  }

  /**
   * Keys in [start, prefixEnd(prefix)) as of `revision`, in key order, at most `limit` (+1 to tell
   * whether there are more). Each candidate row is kept only if it is its key's newest row at
   * `revision` and not a tombstone; the (name, prev_revision) index answers both the scan and that check.
   */
  list(prefix: string, start: string, revision: number, limit: number): ListRow[] {
    const end = prefixEnd(prefix);
    const sql =
      'SELECT kv.id, kv.name, kv.created, kv.create_revision, kv.value FROM kine AS kv ' +
      `WHERE kv.name >= ?${end === undefined ? '' : ' AND kv.name < ?'} AND kv.id <= ? AND kv.deleted = 0 ` +
      'AND kv.id = (SELECT m.id FROM kine AS m WHERE m.name = kv.name AND m.id <= ? ' +
      'ORDER BY m.prev_revision DESC LIMIT 1) ' +
      'ORDER BY kv.name LIMIT ?';
    const params =
      end === undefined ? [start, revision, revision, limit] : [start, end, revision, revision, limit];
    return this.stmt(sql).all(...params) as ListRow[];
  }

  count(prefix: string): number {
    const end = prefixEnd(prefix);
    const sql =
      'SELECT COUNT(*) AS n FROM kine AS kv ' +
      `WHERE kv.name >= ?${end === undefined ? '' : ' AND kv.name < ?'} AND kv.deleted = 0 ` +
      'AND kv.id = (SELECT m.id FROM kine AS m WHERE m.name = kv.name ORDER BY m.prev_revision DESC LIMIT 1)';
    const params = end === undefined ? [prefix] : [prefix, end];
    return (this.stmt(sql).get(...params) as { n: number }).n;
  }

  /** History rows as watch events (with prevKv), see {@link HistorySource.readEvents}. */
  readEvents(prefix: string, after: number, until: number, limit: number): WatchEvent[] {
    const end = prefixEnd(prefix);
    const sql =
      'SELECT kv.id, kv.name, kv.created, kv.deleted, kv.create_revision, kv.prev_revision, kv.value, ' +
      'p.created AS p_created, p.deleted AS p_deleted, p.create_revision AS p_create_revision, p.value AS p_value ' +
      'FROM kine AS kv LEFT JOIN kine AS p ON p.id = kv.prev_revision ' +
      `WHERE kv.id > ? AND kv.id <= ? AND kv.name >= ?${end === undefined ? '' : ' AND kv.name < ?'} ` +
      'ORDER BY kv.id LIMIT ?';
    const params = end === undefined ? [after, until, prefix, limit] : [after, until, prefix, end, limit];
    const rows = this.stmt(sql).all(...params) as HistoryRow[];
    return rows.map(rowToEvent);
  }

  /** Appends a creating row; {@link KeyExistsError} if the key is live. */
  create(key: string, value: Buffer): Applied<KeyValue> {
    const latest = this.latestStmt.get(key);
    if (latest && !latest.deleted) throw new KeyExistsError(key);
    const id = this.insert(key, 1, 0, 0, latest ? latest.id : 0, value);
    const kv: KeyValue = { key, value, createRevision: id, modRevision: id };
    return { result: kv, event: { type: 'put', kv }, revision: id };
  }

  /** Appends an update row if the key's newest row is `expected`. */
  update(key: string, value: Buffer, expected: number): Applied<KeyValue> {
    const latest = this.latestStmt.get(key);
    if (!latest || latest.deleted) throw new KeyNotFoundError(key);
    const prevKv = toKv(key, latest);
    if (latest.id !== expected) throw new ConflictError(key, prevKv);
    const id = this.insert(key, 0, 0, prevKv.createRevision, latest.id, value);
    const kv: KeyValue = { key, value, createRevision: prevKv.createRevision, modRevision: id };
    return { result: kv, event: { type: 'put', kv, prevKv }, revision: id };
  }

  /** Appends a tombstone if the key is live (and, when given, still at `expected`). */
  delete(key: string, expected: number | undefined): Applied<{ revision: number; prevKv: KeyValue }> {
    const latest = this.latestStmt.get(key);
    if (!latest || latest.deleted) throw new KeyNotFoundError(key);
    const prevKv = toKv(key, latest);
    if (expected !== undefined && latest.id !== expected) throw new ConflictError(key, prevKv);
    const id = this.insert(key, 0, 1, prevKv.createRevision, latest.id, EMPTY);
    const kv: KeyValue = { key, value: prevKv.value, createRevision: prevKv.createRevision, modRevision: id };
    return { result: { revision: id, prevKv }, event: { type: 'delete', kv, prevKv }, revision: id };
  }
}

function rowToEvent(r: HistoryRow): WatchEvent {
  const createRevision = r.created ? r.id : r.create_revision;
  const prevKv: KeyValue | undefined =
    r.p_value !== null && !r.p_deleted
      ? {
          key: r.name,
          value: r.p_value,
          createRevision: r.p_created ? r.prev_revision : (r.p_create_revision ?? 0),
          modRevision: r.prev_revision,
        }
      : undefined;
  if (r.deleted) {
    const kv: KeyValue = { key: r.name, value: prevKv?.value ?? EMPTY, createRevision, modRevision: r.id };
    return prevKv ? { type: 'delete', kv, prevKv } : { type: 'delete', kv };
  }
  const kv: KeyValue = { key: r.name, value: r.value, createRevision, modRevision: r.id };
  return prevKv ? { type: 'put', kv, prevKv } : { type: 'put', kv };
}
