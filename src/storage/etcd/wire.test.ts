import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { LEN, Reader, VARINT, Writer, varintSize } from './wire.js';

const SAMPLES = [
  0,
  1,
  127,
  128,
  300,
  16_383,
  16_384,
  2 ** 21 - 1,
  2 ** 21,
  2 ** 28 - 1,
  2 ** 28,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 35 + 17,
  2 ** 42 - 1,
  2 ** 49,
  2 ** 53 - 1,
];

describe('protobuf wire primitives', () => {
  it('write varints byte for byte as protobufjs does, and read them back', () => {
    for (const n of SAMPLES) {
      const w = new Writer(Buffer.alloc(varintSize(n)));
      w.varint(n);
      const ours = w.finish();
      const theirs = Buffer.from(protobuf.Writer.create().uint64(n).finish());
      expect(ours.toString('hex'), String(n)).toBe(theirs.toString('hex'));
      expect(new Reader(ours).varint()).toBe(n);
    }
  });

  it('read ten-byte varints (negative int64) without failing', () => {
    const minusOne = Buffer.from(protobuf.Writer.create().int64(-1).finish());
    expect(minusOne.length).toBe(10);
    const r = new Reader(minusOne);
    expect(r.varint()).toBeGreaterThan(2 ** 63);
    expect(r.more()).toBe(false);
  });

  it('skip fields of every wire type', () => {
    const buf = Buffer.from(
      protobuf.Writer.create()
        .uint32((1 << 3) | VARINT)
        .uint64(2 ** 40)
        .uint32((2 << 3) | 1)
        .fixed64(5)
        .uint32((3 << 3) | LEN)
        .bytes(Buffer.from('skip me'))
        .uint32((4 << 3) | 5)
        .fixed32(9)
        .uint32((5 << 3) | VARINT)
        .uint32(42)
        .finish(),
    );
    const r = new Reader(buf);
    for (let i = 0; i < 4; i++) r.skip(r.varint() & 7);
    expect(r.varint()).toBe((5 << 3) | VARINT);
    expect(r.varint()).toBe(42);
    expect(r.more()).toBe(false);
  });

  it('refuse truncated input and groups', () => {
    expect(() => new Reader(Buffer.from([0x80])).varint()).toThrow(/truncated/);
    expect(() => new Reader(Buffer.from([0x05, 0x61])).len()).toThrow(/truncated/);
    expect(() => new Reader(Buffer.from([])).skip(3)).toThrow(/wire type 3/);
  });

  it('frame a message with the gRPC prefix and check the precomputed size', () => {
    const w = Writer.frame(3);
    w.bytes(1, Buffer.from('a'));
    expect(w.finish().toString('hex')).toBe('00000000030a0161');
    const short = Writer.frame(4);
    short.bytes(1, Buffer.from('a'));
    expect(() => short.finish()).toThrow(/wrote 8 bytes into a 9-byte buffer/);
  });
});
