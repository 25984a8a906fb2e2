import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import {
  CompareResult,
  CompareTarget,
  decodeHeaderOnly,
  decodeRange,
  decodeStatus,
  decodeTxn,
  decodeWatch,
  encodeCompaction,
  encodeEmpty,
  encodePut,
  encodeRange,
  encodeTxn,
  encodeWatchCancel,
  encodeWatchCreate,
} from './messages.js';

/**
 * An independent description of the etcd messages (field numbers as in etcd's rpc.proto and
 * kv.proto), decoded and encoded by protobufjs, to check the hand-written codec against.
 */
const SCHEMA = `
syntax = "proto3";
package t;
message ResponseHeader { uint64 cluster_id = 1; uint64 member_id = 2; int64 revision = 3; uint64 raft_term = 4; }
message KeyValue { bytes key = 1; int64 create_revision = 2; int64 mod_revision = 3; int64 version = 4; bytes value = 5; int64 lease = 6; }
message Event { int32 type = 1; KeyValue kv = 2; KeyValue prev_kv = 3; }
message RangeRequest { bytes key = 1; bytes range_end = 2; int64 limit = 3; int64 revision = 4; int32 sort_order = 5;
  int32 sort_target = 6; bool serializable = 7; bool keys_only = 8; bool count_only = 9; }
message RangeResponse { ResponseHeader header = 1; repeated KeyValue kvs = 2; bool more = 3; int64 count = 4; }
message PutRequest { bytes key = 1; bytes value = 2; int64 lease = 3; bool prev_kv = 4; }
message PutResponse { ResponseHeader header = 1; KeyValue prev_kv = 2; }
message DeleteRangeRequest { bytes key = 1; bytes range_end = 2; bool prev_kv = 3; }
message DeleteRangeResponse { ResponseHeader header = 1; int64 deleted = 2; repeated KeyValue prev_kvs = 3; }
message RequestOp { oneof request { RangeRequest request_range = 1; PutRequest request_put = 2;
  DeleteRangeRequest request_delete_range = 3; } }
message ResponseOp { oneof response { RangeResponse response_range = 1; PutResponse response_put = 2;
  DeleteRangeResponse response_delete_range = 3; } }
message Compare { int32 result = 1; int32 target = 2; bytes key = 3;
  oneof target_union { int64 version = 4; int64 create_revision = 5; int64 mod_revision = 6; bytes value = 7; int64 lease = 8; }
  bytes range_end = 64; }
message TxnRequest { repeated Compare compare = 1; repeated RequestOp success = 2; repeated RequestOp failure = 3; }
message TxnResponse { ResponseHeader header = 1; bool succeeded = 2; repeated ResponseOp responses = 3; }
message CompactionRequest { int64 revision = 1; bool physical = 2; }
message WatchCreateRequest { bytes key = 1; bytes range_end = 2; int64 start_revision = 3; bool progress_notify = 4;
  repeated int32 filters = 5; bool prev_kv = 6; int64 watch_id = 7; bool fragment = 8; }
message WatchCancelRequest { int64 watch_id = 1; }
message WatchRequest { oneof request_union { WatchCreateRequest create_request = 1; WatchCancelRequest cancel_request = 2; } }
message WatchResponse { ResponseHeader header = 1; int64 watch_id = 2; bool created = 3; bool canceled = 4;
  int64 compact_revision = 5; string cancel_reason = 6; bool fragment = 7; repeated Event events = 11; }
message StatusResponse { ResponseHeader header = 1; string version = 2; int64 dbSize = 3; uint64 leader = 4;
  uint64 raftIndex = 5; uint64 raftTerm = 6; uint64 raftAppliedIndex = 7; repeated string errors = 8; int64 dbSizeInUse = 9; }
`;

const root = protobuf.parse(SCHEMA, { keepCase: true }).root;
const type = (name: string): protobuf.Type => root.lookupType(`t.${name}`);

/** Decodes our encoding (minus the gRPC prefix) with protobufjs into plain JSON-like values. */
function theirs(name: string, framed: Buffer): Record<string, unknown> {
  expect(framed[0]).toBe(0);
  expect(framed.readUInt32BE(1)).toBe(framed.length - 5);
  const t = type(name);
  return t.toObject(t.decode(framed.subarray(5)), { longs: Number, bytes: String, oneofs: false }) as Record<
    string,
    unknown
  >;
}

/** Encodes with protobufjs (64-bit ids above 2^53 given as decimal strings). */
function encodeTheirs(name: string, obj: Record<string, unknown>): Buffer {
  const t = type(name);
  return Buffer.from(t.encode(t.fromObject(obj)).finish());
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('etcd message encoders', () => {
  it('encode a range request', () => {
    expect(
      theirs(
        'RangeRequest',
        encodeRange({
          key: Buffer.from('/registry/pods/'),
          rangeEnd: Buffer.from('/registry/pods0'),
          limit: 500,
          revision: 2 ** 40 + 3,
          keysOnly: true,
          countOnly: true,
        }),
      ),
    ).toEqual({
      key: b64('/registry/pods/'),
      range_end: b64('/registry/pods0'),
      limit: 500,
      revision: 2 ** 40 + 3,
      keys_only: true,
      count_only: true,
    });
    expect(theirs('RangeRequest', encodeRange({ key: Buffer.from('k') }))).toEqual({ key: b64('k') });
  });

  it('encode a create transaction, writing a compare against revision 0', () => {
    const k = Buffer.from('/registry/configmaps/ns/a');
    const framed = encodeTxn({
      compare: [{ key: k, target: CompareTarget.Create, result: CompareResult.Equal, value: 0 }],
      success: [{ put: { key: k, value: Buffer.from('{"a":1}') } }],
      failure: [],
    });
    expect(theirs('TxnRequest', framed)).toEqual({
      compare: [{ target: 1, key: b64('/registry/configmaps/ns/a'), create_revision: 0 }],
      success: [{ request_put: { key: b64('/registry/configmaps/ns/a'), value: b64('{"a":1}') } }],
    });
    // The oneof member is present on the wire even though it is zero.
    const decoded = type('TxnRequest').decode(framed.subarray(5)) as unknown as {
      compare: { target_union?: string }[];
    };
    expect(type('Compare').oneofs['target_union']?.oneof).toContain('create_revision');
    expect(
      (
        type('TxnRequest').toObject(decoded as unknown as protobuf.Message, { oneofs: true }) as {
          compare: { target_union?: string }[];
        }
      ).compare[0]?.target_union,
    ).toBe('create_revision');
  });

  it('encode update and delete transactions with ranges and deletes in both branches', () => {
    const k = Buffer.from('key');
    const framed = encodeTxn({
      compare: [{ key: k, target: CompareTarget.Mod, result: CompareResult.Equal, value: 1234567 }],
      success: [
        { put: { key: k, value: Buffer.alloc(300, 1) } },
        { range: { key: k, keysOnly: true } },
        { deleteRange: { key: k, prevKv: true } },
      ],
      failure: [{ range: { key: k } }],
    });
    expect(theirs('TxnRequest', framed)).toEqual({
      compare: [{ target: 2, key: b64('key'), mod_revision: 1234567 }],
      success: [
        { request_put: { key: b64('key'), value: Buffer.alloc(300, 1).toString('base64') } },
        { request_range: { key: b64('key'), keys_only: true } },
        { request_delete_range: { key: b64('key'), prev_kv: true } },
      ],
      failure: [{ request_range: { key: b64('key') } }],
    });
    const greater = encodeTxn({
      compare: [{ key: k, target: CompareTarget.Create, result: CompareResult.Greater, value: 0 }],
      success: [],
      failure: [],
    });
    expect(theirs('TxnRequest', greater)).toEqual({
      compare: [{ result: 1, target: 1, key: b64('key'), create_revision: 0 }],
    });
  });

  it('encode put, compaction, status and watch requests', () => {
    expect(
      theirs('PutRequest', encodePut({ key: Buffer.from('compact_rev_key'), value: Buffer.from('42') })),
    ).toEqual({
      key: b64('compact_rev_key'),
      value: b64('42'),
    });
    expect(theirs('CompactionRequest', encodeCompaction(99, false))).toEqual({ revision: 99 });
    expect(theirs('CompactionRequest', encodeCompaction(99, true))).toEqual({ revision: 99, physical: true });
    expect(encodeEmpty()).toEqual(Buffer.from([0, 0, 0, 0, 0]));
    expect(
      theirs(
        'WatchRequest',
        encodeWatchCreate({
          key: Buffer.from([0]),
          rangeEnd: Buffer.from([0]),
          startRevision: 17,
          prevKv: true,
          watchId: 3,
        }),
      ),
    ).toEqual({
      create_request: { key: 'AA==', range_end: 'AA==', start_revision: 17, prev_kv: true, watch_id: 3 },
    });
    expect(theirs('WatchRequest', encodeWatchCancel(3))).toEqual({ cancel_request: { watch_id: 3 } });
  });

  it('refuse numbers a varint cannot carry', () => {
    expect(() => encodeCompaction(-1, false)).toThrow(RangeError);
    expect(() => encodeCompaction(2 ** 53, false)).toThrow(RangeError);
    expect(() => encodeCompaction(1.5, false)).toThrow(RangeError);
  });
});

const header = {
  cluster_id: '14841639068965178418',
  member_id: '10276657743932975437',
  revision: 2 ** 45 + 1,
  raft_term: 7,
};

describe('etcd message decoders', () => {
  it('decode a range response, stripping the key prefix and skipping fields k8ts does not read', () => {
    const buf = encodeTheirs('RangeResponse', {
      header,
      kvs: [
        {
          key: Buffer.from('/pfx/registry/pods/a'),
          create_revision: 5,
          mod_revision: 2 ** 33,
          version: 3,
          value: Buffer.from('hello'),
          lease: '7587862234129637123',
        },
        { key: Buffer.from('/pfx/registry/pods/b'), create_revision: 6, mod_revision: 6, version: 1 },
      ],
      more: true,
      count: 12,
    });
    const res = decodeRange(buf, '/pfx'.length);
    expect(res.revision).toBe(2 ** 45 + 1);
    expect(res.more).toBe(true);
    expect(res.count).toBe(12);
    expect(res.kvs.map((kv) => ({ ...kv, value: kv.value.toString() }))).toEqual([
      { key: '/registry/pods/a', value: 'hello', createRevision: 5, modRevision: 2 ** 33 },
      { key: '/registry/pods/b', value: '', createRevision: 6, modRevision: 6 },
    ]);
    expect(decodeRange(encodeTheirs('RangeResponse', { header }), 0)).toEqual({
      revision: 2 ** 45 + 1,
      kvs: [],
      more: false,
      count: 0,
    });
  });

  it('decode keys as UTF-8', () => {
    const buf = encodeTheirs('RangeResponse', {
      kvs: [{ key: Buffer.from('/registry/ä/ü'), mod_revision: 1 }],
    });
    expect(decodeRange(buf, 0).kvs[0]?.key).toBe('/registry/ä/ü');
  });

  it('decode transaction responses with range, put and delete results', () => {
    const kv = { key: Buffer.from('k'), create_revision: 3, mod_revision: 4, value: Buffer.from('v') };
    const res = decodeTxn(
      encodeTheirs('TxnResponse', {
        header,
        succeeded: true,
        responses: [
          { response_put: { header, prev_kv: kv } },
          { response_range: { header, kvs: [kv], count: 1 } },
          { response_delete_range: { header, deleted: 1, prev_kvs: [kv] } },
        ],
      }),
      0,
    );
    expect(res.revision).toBe(2 ** 45 + 1);
    expect(res.succeeded).toBe(true);
    expect(res.responses).toHaveLength(3);
    expect(res.responses[0]).toEqual({});
    expect(res.responses[1]?.range?.kvs[0]?.createRevision).toBe(3);
    expect(res.responses[2]?.deleteRange?.deleted).toBe(1);
    expect(res.responses[2]?.deleteRange?.prevKvs[0]?.modRevision).toBe(4);
    const failed = decodeTxn(encodeTheirs('TxnResponse', { header: { revision: 9 } }), 0);
    expect(failed).toEqual({ revision: 9, succeeded: false, responses: [] });
  });

  it('decode the revision of put and compaction answers', () => {
    expect(decodeHeaderOnly(encodeTheirs('PutResponse', { header: { revision: 77 } }))).toBe(77);
  });

  it('decode watch responses with put and delete events', () => {
    const res = decodeWatch(
      encodeTheirs('WatchResponse', {
        header,
        watch_id: 4,
        events: [
          {
            type: 0,
            kv: {
              key: Buffer.from('/p/a'),
              create_revision: 10,
              mod_revision: 11,
              value: Buffer.from('new'),
            },
            prev_kv: {
              key: Buffer.from('/p/a'),
              create_revision: 10,
              mod_revision: 10,
              value: Buffer.from('old'),
            },
          },
          { type: 1, kv: { key: Buffer.from('/p/a'), mod_revision: 12 } },
        ],
      }),
      2,
    );
    expect(res.watchId).toBe(4);
    expect(res.canceled).toBe(false);
    expect(res.events.map((e) => [e.type, e.kv.key, e.kv.modRevision, e.prevKv?.value.toString()])).toEqual([
      ['put', '/a', 11, 'old'],
      ['delete', '/a', 12, undefined],
    ]);
  });

  it('decode a cancelled watch with its compact revision and reason', () => {
    const res = decodeWatch(
      encodeTheirs('WatchResponse', {
        header,
        watch_id: 2,
        created: true,
        canceled: true,
        compact_revision: 55,
        cancel_reason: 'mvcc: required revision has been compacted',
        fragment: true,
      }),
      0,
    );
    expect(res).toMatchObject({
      watchId: 2,
      created: true,
      canceled: true,
      compactRevision: 55,
      cancelReason: 'mvcc: required revision has been compacted',
      fragment: true,
      events: [],
    });
  });

  it('decode a status response', () => {
    expect(
      decodeStatus(
        encodeTheirs('StatusResponse', {
          header,
          version: '3.4.23',
          dbSize: 20480,
          leader: 12345,
          raftIndex: 99,
          raftTerm: 2,
          raftAppliedIndex: 99,
          errors: ['NOSPACE'],
          dbSizeInUse: 16384,
        }),
      ),
    ).toEqual({
      revision: 2 ** 45 + 1,
      version: '3.4.23',
      dbSize: 20480,
      leader: 12345,
      raftIndex: 99,
      raftTerm: 2,
      errors: ['NOSPACE'],
    });
  });

  it('reject truncated messages', () => {
    const buf = encodeTheirs('RangeResponse', {
      header,
      kvs: [{ key: Buffer.from('abc'), value: Buffer.from('v') }],
    });
    expect(() => decodeRange(buf.subarray(0, buf.length - 1), 0)).toThrow(/truncated/);
  });
});
