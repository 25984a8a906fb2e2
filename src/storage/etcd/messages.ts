/**
 * Encoders and decoders for the etcd v3 messages k8ts uses (etcdserverpb KV, Watch and Maintenance
 * Status; mvccpb KeyValue and Event). Field numbers follow etcd's api/etcdserverpb/rpc.proto and
 * api/mvccpb/kv.proto. Requests are encoded with their gRPC message prefix, ready to send.
 * Responses decode straight into k8ts' {@link KeyValue} (key prefix stripped, value a view of the
 * received bytes), skipping the fields k8ts does not read.
 */
import type { KeyValue } from '../backend.js';
import { LEN, Reader, VARINT, Writer, intFieldSize, lenFieldSize, varintSize } from './wire.js';

const EMPTY: Buffer = Buffer.alloc(0);

// ------------------------------------------------------------------------------------------ requests

/** etcdserverpb.RangeRequest (the fields k8ts sets). */
export interface RangeRequest {
  key: Buffer;
  rangeEnd?: Buffer;
  limit?: number;
  revision?: number;
  keysOnly?: boolean;
  countOnly?: boolean;
}

/** etcdserverpb.PutRequest. */
export interface PutRequest {
  key: Buffer;
  value: Buffer;
}

/** etcdserverpb.DeleteRangeRequest. */
export interface DeleteRangeRequest {
  key: Buffer;
  rangeEnd?: Buffer;
  prevKv?: boolean;
}

/** One operation of a transaction (etcdserverpb.RequestOp). */
export type RequestOp = { range: RangeRequest } | { put: PutRequest } | { deleteRange: DeleteRangeRequest };

/** Compare.CompareTarget values. */
export const CompareTarget = { Version: 0, Create: 1, Mod: 2 } as const;
export type CompareTarget = (typeof CompareTarget)[keyof typeof CompareTarget];

/** Compare.CompareResult values. */
export const CompareResult = { Equal: 0, Greater: 1, Less: 2, NotEqual: 3 } as const;
export type CompareResult = (typeof CompareResult)[keyof typeof CompareResult];

/** etcdserverpb.Compare on a revision (create or mod) or version of one key. */
export interface Compare {
  key: Buffer;
  target: CompareTarget;
  result: CompareResult;
  /** Compared against the target; 0 is meaningful (oneof members are always written). */
  value: number;
}

/** etcdserverpb.TxnRequest. */
export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

/** etcdserverpb.WatchCreateRequest (prev_kv and a client-chosen watch_id, etcd >= 3.4). */
export interface WatchCreateRequest {
  key: Buffer;
  rangeEnd?: Buffer;
  startRevision: number;
  prevKv: boolean;
  watchId: number;
  progressNotify?: boolean;
}

function bytesSize(b: Buffer | undefined): number {
  return b && b.length > 0 ? lenFieldSize(b.length) : 0;
}

function rangeSize(r: RangeRequest): number {
  return (
    bytesSize(r.key) +
    bytesSize(r.rangeEnd) +
    intFieldSize(r.limit ?? 0) +
    intFieldSize(r.revision ?? 0) +
    (r.keysOnly ? 2 : 0) +
    (r.countOnly ? 2 : 0)
  );
}

function writeRange(w: Writer, r: RangeRequest): void {
  w.bytes(1, r.key);
  w.bytes(2, r.rangeEnd);
  w.int(3, r.limit ?? 0);
  w.int(4, r.revision ?? 0);
  w.bool(8, r.keysOnly);
  w.bool(9, r.countOnly);
}

function putSize(p: PutRequest): number {
  return bytesSize(p.key) + bytesSize(p.value);
}

function writePut(w: Writer, p: PutRequest): void {
  w.bytes(1, p.key);
  w.bytes(2, p.value);
}

function deleteSize(d: DeleteRangeRequest): number {
  return bytesSize(d.key) + bytesSize(d.rangeEnd) + (d.prevKv ? 2 : 0);
}

function writeDelete(w: Writer, d: DeleteRangeRequest): void {
  w.bytes(1, d.key);
  w.bytes(2, d.rangeEnd);
  w.bool(3, d.prevKv);
}

/** Size of the op's inner message (the RequestOp oneof member). */
function opInnerSize(op: RequestOp): number {
  if ('put' in op) return putSize(op.put);
  if ('range' in op) return rangeSize(op.range);
  return deleteSize(op.deleteRange);
}

/** Size of the RequestOp message itself. */
function opSize(op: RequestOp): number {
  return lenFieldSize(opInnerSize(op));
}

function writeOp(w: Writer, op: RequestOp): void {
  const inner = opInnerSize(op);
  if ('put' in op) {
    w.message(2, inner);
    writePut(w, op.put);
  } else if ('range' in op) {
    w.message(1, inner);
    writeRange(w, op.range);
  } else {
    w.message(3, inner);
    writeDelete(w, op.deleteRange);
  }
}

/** The oneof field of a compare target: version = 4, create_revision = 5, mod_revision = 6. */
function compareField(t: CompareTarget): number {
  return t === CompareTarget.Version ? 4 : t === CompareTarget.Create ? 5 : 6;
}

function compareSize(c: Compare): number {
  return intFieldSize(c.result) + intFieldSize(c.target) + bytesSize(c.key) + 1 + varintSize(c.value);
}

function writeCompare(w: Writer, c: Compare): void {
  w.int(1, c.result);
  w.int(2, c.target);
  w.bytes(3, c.key);
  w.int(compareField(c.target), c.value, true);
}

/** An encoded RangeRequest. */
export function encodeRange(r: RangeRequest): Buffer {
  const w = Writer.frame(rangeSize(r));
  writeRange(w, r);
  return w.finish();
}

/** An encoded PutRequest. */
export function encodePut(p: PutRequest): Buffer {
  const w = Writer.frame(putSize(p));
  writePut(w, p);
  return w.finish();
}

/** An encoded TxnRequest. */
export function encodeTxn(t: TxnRequest): Buffer {
  let size = 0;
  for (const c of t.compare) size += lenFieldSize(compareSize(c));
  for (const op of t.success) size += lenFieldSize(opSize(op));
  for (const op of t.failure) size += lenFieldSize(opSize(op));
  const w = Writer.frame(size);
  for (const c of t.compare) {
    w.message(1, compareSize(c));
    writeCompare(w, c);
  }
  for (const op of t.success) {
    w.message(2, opSize(op));
    writeOp(w, op);
  }
  for (const op of t.failure) {
    w.message(3, opSize(op));
    writeOp(w, op);
  }
  return w.finish();
}

/** An encoded CompactionRequest. */
export function encodeCompaction(revision: number, physical: boolean): Buffer {
  const w = Writer.frame(intFieldSize(revision) + (physical ? 2 : 0));
  w.int(1, revision);
  w.bool(2, physical);
  return w.finish();
}

/** An encoded empty message (StatusRequest). */
export function encodeEmpty(): Buffer {
  return Writer.frame(0).finish();
}

/** An encoded WatchRequest carrying a create_request. */
export function encodeWatchCreate(c: WatchCreateRequest): Buffer {
  const inner =
    bytesSize(c.key) +
    bytesSize(c.rangeEnd) +
    intFieldSize(c.startRevision) +
    (c.progressNotify ? 2 : 0) +
    (c.prevKv ? 2 : 0) +
    intFieldSize(c.watchId);
  const w = Writer.frame(lenFieldSize(inner));
  w.message(1, inner);
  w.bytes(1, c.key);
  w.bytes(2, c.rangeEnd);
  w.int(3, c.startRevision);
  w.bool(4, c.progressNotify);
  w.bool(6, c.prevKv);
  w.int(7, c.watchId);
  return w.finish();
}

/** An encoded WatchRequest carrying a cancel_request. */
export function encodeWatchCancel(watchId: number): Buffer {
  const inner = intFieldSize(watchId);
  const w = Writer.frame(lenFieldSize(inner));
  w.message(2, inner);
  w.int(1, watchId);
  return w.finish();
}

// ----------------------------------------------------------------------------------------- responses

/** etcdserverpb.RangeResponse. */
export interface RangeResponse {
  revision: number;
  kvs: KeyValue[];
  more: boolean;
  count: number;
}

/** etcdserverpb.DeleteRangeResponse. */
export interface DeleteRangeResponse {
  deleted: number;
  prevKvs: KeyValue[];
}

/** One etcdserverpb.ResponseOp; the member that was set (a put's answer carries nothing k8ts reads). */
export interface ResponseOp {
  range?: RangeResponse;
  deleteRange?: DeleteRangeResponse;
}

/** etcdserverpb.TxnResponse. */
export interface TxnResponse {
  revision: number;
  succeeded: boolean;
  responses: ResponseOp[];
}

/** mvccpb.Event. `kv` of a delete holds only the key and the deletion's mod revision. */
export interface RawEvent {
  type: 'put' | 'delete';
  kv: KeyValue;
  prevKv: KeyValue | undefined;
}

/** etcdserverpb.WatchResponse. */
export interface WatchResponse {
  revision: number;
  watchId: number;
  created: boolean;
  canceled: boolean;
  compactRevision: number;
  cancelReason: string;
  fragment: boolean;
  events: RawEvent[];
}

/** etcdserverpb.StatusResponse (the fields k8ts reports). */
export interface StatusResponse {
  revision: number;
  version: string;
  dbSize: number;
  /** The leader's member id; 0 when the member knows of no leader (ids above 2^53 lose precision). */
  leader: number;
  raftIndex: number;
  raftTerm: number;
  errors: string[];
}

/** The revision in a ResponseHeader occupying `[r.pos, end)`. */
function readHeader(r: Reader, end: number): number {
  let revision = 0;
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === (3 << 3) + VARINT) revision = r.varint();
    else r.skip(tag & 7);
  }
  return revision;
}

/** A KeyValue occupying `[r.pos, end)`; `strip` bytes of key prefix are dropped. */
function readKv(r: Reader, end: number, strip: number): KeyValue {
  const buf = r.buf;
  let keyStart = 0;
  let keyEnd = 0;
  let value = EMPTY;
  let createRevision = 0;
  let modRevision = 0;
  while (r.pos < end) {
    const tag = r.varint();
    switch (tag) {
      case (1 << 3) + LEN:
        keyEnd = r.len();
        keyStart = r.pos;
        r.pos = keyEnd;
        break;
      case (2 << 3) + VARINT:
        createRevision = r.varint();
        break;
      case (3 << 3) + VARINT:
        modRevision = r.varint();
        break;
      case (5 << 3) + LEN: {
        const e = r.len();
        value = buf.subarray(r.pos, e);
        r.pos = e;
        break;
      }
      default:
        r.skip(tag & 7);
    }
  }
  const from = Math.min(keyStart + strip, keyEnd);
  return { key: buf.toString('utf8', from, keyEnd), value, createRevision, modRevision };
}

function readRange(r: Reader, end: number, strip: number): RangeResponse {
  const res: RangeResponse = { revision: 0, kvs: [], more: false, count: 0 };
  while (r.pos < end) {
    const tag = r.varint();
    switch (tag) {
      case (1 << 3) + LEN:
        res.revision = readHeader(r, r.len());
        break;
      case (2 << 3) + LEN:
        res.kvs.push(readKv(r, r.len(), strip));
        break;
      case (3 << 3) + VARINT:
        res.more = r.varint() !== 0;
        break;
      case (4 << 3) + VARINT:
        res.count = r.varint();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  return res;
}

function readDelete(r: Reader, end: number, strip: number): DeleteRangeResponse {
  const res: DeleteRangeResponse = { deleted: 0, prevKvs: [] };
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === (2 << 3) + VARINT) res.deleted = r.varint();
    else if (tag === (3 << 3) + LEN) res.prevKvs.push(readKv(r, r.len(), strip));
    else r.skip(tag & 7);
  }
  return res;
}

function readResponseOp(r: Reader, end: number, strip: number): ResponseOp {
  const op: ResponseOp = {};
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === (1 << 3) + LEN) op.range = readRange(r, r.len(), strip);
    else if (tag === (3 << 3) + LEN) op.deleteRange = readDelete(r, r.len(), strip);
    else r.skip(tag & 7);
  }
  return op;
}

/** Decodes a RangeResponse; keys lose their first `strip` bytes. */
export function decodeRange(buf: Buffer, strip: number): RangeResponse {
  const r = new Reader(buf);
  return readRange(r, r.end, strip);
}

/** Decodes a TxnResponse; keys lose their first `strip` bytes. */
export function decodeTxn(buf: Buffer, strip: number): TxnResponse {
  const r = new Reader(buf);
  const res: TxnResponse = { revision: 0, succeeded: false, responses: [] };
  while (r.more()) {
    const tag = r.varint();
    switch (tag) {
      case (1 << 3) + LEN:
        res.revision = readHeader(r, r.len());
        break;
      case (2 << 3) + VARINT:
        res.succeeded = r.varint() !== 0;
        break;
      case (3 << 3) + LEN:
        res.responses.push(readResponseOp(r, r.len(), strip));
        break;
      default:
        r.skip(tag & 7);
    }
  }
  return res;
}

/** Decodes a response whose only field k8ts reads is the header's revision (Put, Compaction). */
export function decodeHeaderOnly(buf: Buffer): number {
  const r = new Reader(buf);
  let revision = 0;
  while (r.more()) {
    const tag = r.varint();
    if (tag === (1 << 3) + LEN) revision = readHeader(r, r.len());
    else r.skip(tag & 7);
  }
  return revision;
}

function readEvent(r: Reader, end: number, strip: number): RawEvent {
  let type: RawEvent['type'] = 'put';
  let kv: KeyValue | undefined;
  let prevKv: KeyValue | undefined;
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === (1 << 3) + VARINT) type = r.varint() === 1 ? 'delete' : 'put';
    else if (tag === (2 << 3) + LEN) kv = readKv(r, r.len(), strip);
    else if (tag === (3 << 3) + LEN) prevKv = readKv(r, r.len(), strip);
    else r.skip(tag & 7);
  }
  if (!kv) throw new Error('etcd watch event without a key-value');
  return { type, kv, prevKv };
}

/** Decodes a WatchResponse; keys lose their first `strip` bytes. */
export function decodeWatch(buf: Buffer, strip: number): WatchResponse {
  const r = new Reader(buf);
  const res: WatchResponse = {
    revision: 0,
    watchId: 0,
    created: false,
    canceled: false,
    compactRevision: 0,
    cancelReason: '',
    fragment: false,
    events: [],
  };
  while (r.more()) {
    const tag = r.varint();
    switch (tag) {
      case (1 << 3) + LEN:
        res.revision = readHeader(r, r.len());
        break;
      case (2 << 3) + VARINT:
        res.watchId = r.varint();
        break;
      case (3 << 3) + VARINT:
        res.created = r.varint() !== 0;
        break;
      case (4 << 3) + VARINT:
        res.canceled = r.varint() !== 0;
        break;
      case (5 << 3) + VARINT:
        res.compactRevision = r.varint();
        break;
      case (6 << 3) + LEN: {
        const e = r.len();
        res.cancelReason = buf.toString('utf8', r.pos, e);
        r.pos = e;
        break;
      }
      case (7 << 3) + VARINT:
        res.fragment = r.varint() !== 0;
        break;
      case (11 << 3) + LEN:
        res.events.push(readEvent(r, r.len(), strip));
        break;
      default:
        r.skip(tag & 7);
    }
  }
  return res;
}

/** Decodes a StatusResponse. */
export function decodeStatus(buf: Buffer): StatusResponse {
  const r = new Reader(buf);
  const res: StatusResponse = {
    revision: 0,
    version: '',
    dbSize: 0,
    leader: 0,
    raftIndex: 0,
    raftTerm: 0,
    errors: [],
  };
  while (r.more()) {
    const tag = r.varint();
    switch (tag) {
      case (1 << 3) + LEN:
        res.revision = readHeader(r, r.len());
        break;
      case (2 << 3) + LEN: {
        const e = r.len();
        res.version = buf.toString('utf8', r.pos, e);
        r.pos = e;
        break;
      }
      case (3 << 3) + VARINT:
        res.dbSize = r.varint();
        break;
      case (4 << 3) + VARINT:
        res.leader = r.varint();
        break;
      case (5 << 3) + VARINT:
        res.raftIndex = r.varint();
        break;
      case (6 << 3) + VARINT:
        res.raftTerm = r.varint();
        break;
      case (8 << 3) + LEN: {
        const e = r.len();
        res.errors.push(buf.toString('utf8', r.pos, e));
        r.pos = e;
        break;
      }
      default:
        r.skip(tag & 7);
    }
  }
  return res;
}
