/**
 * Protocol-buffers wire primitives for the few etcd messages k8ts exchanges (see ./messages.ts).
 * Integers are JavaScript numbers: etcd revisions, counts and watch ids stay far below 2^53, so no
 * 64-bit integer objects are made. Encoders know each message's size in advance and write into
 * one buffer that also holds the 5-byte gRPC message prefix.
 */

/** Wire types. */
export const VARINT = 0;
export const FIXED64 = 1;
export const LEN = 2;
export const FIXED32 = 5;

const TWO_32 = 0x1_0000_0000;

/** Bytes a varint of `n` (an integer in [0, 2^53)) takes. */
export function varintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x20_0000) return 3;
  if (n < 0x1000_0000) return 4;
  let size = 4;
  let rest = Math.floor(n / 0x1000_0000);
  while (rest > 0) {
    size++;
    rest = Math.floor(rest / 0x80);
  }
  return size;
}

/** Bytes of a length-delimited field with a one-byte tag (field numbers below 16). */
export function lenFieldSize(len: number): number {
  return 1 + varintSize(len) + len;
}

/** Bytes of a varint field with a one-byte tag, or 0 when `n` is 0 (proto3 leaves zeros out). */
export function intFieldSize(n: number): number {
  return n === 0 ? 0 : 1 + varintSize(n);
}

/** Writes into a buffer sized beforehand; `frame` reserves the 5-byte gRPC message prefix. */
export class Writer {
  readonly buf: Buffer;
  pos: number;

  /** A buffer for one gRPC message of `size` bytes, prefix included. */
  static frame(size: number): Writer {
    const w = new Writer(Buffer.allocUnsafe(5 + size), 5);
    w.buf[0] = 0; // not compressed
    w.buf.writeUInt32BE(size, 1);
    return w;
  }

  constructor(buf: Buffer, pos = 0) {
    this.buf = buf;
    this.pos = pos;
  }

  /** A non-negative integer below 2^53. */
  varint(n: number): void {
    if (!(n >= 0) || !Number.isSafeInteger(n)) throw new RangeError(`cannot encode ${n} as a varint`);
    const buf = this.buf;
    let pos = this.pos;
    let hi = Math.floor(n / TWO_32);
    let lo = n >>> 0;
    while (hi > 0) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi = Math.floor(hi / 0x80);
    }
    while (lo > 0x7f) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    buf[pos++] = lo;
    this.pos = pos;
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** A varint field, left out when 0 unless `always` (a oneof member must be written even when 0). */
  int(field: number, n: number, always = false): void {
    if (n === 0 && !always) return;
    this.tag(field, VARINT);
    this.varint(n);
  }

  bool(field: number, v: boolean | undefined): void {
    if (!v) return;
    this.tag(field, VARINT);
    this.buf[this.pos++] = 1;
  }

  /** A bytes field, left out when empty. */
  bytes(field: number, b: Buffer | undefined): void {
    if (!b || b.length === 0) return;
    this.tag(field, LEN);
    this.varint(b.length);
    this.pos += b.copy(this.buf, this.pos);
  }

  /** The header of an embedded message of `len` bytes; its fields follow. */
  message(field: number, len: number): void {
    this.tag(field, LEN);
    this.varint(len);
  }

  /** The written bytes; throws if the size computed beforehand was wrong. */
  finish(): Buffer {
    if (this.pos !== this.buf.length) {
      throw new Error(`protobuf encoder wrote ${this.pos} bytes into a ${this.buf.length}-byte buffer`);
    }
    return this.buf;
  }
}

/** Reads fields from `buf[pos, end)`. */
export class Reader {
  buf: Buffer;
  pos: number;
  end: number;

  constructor(buf: Buffer, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  more(): boolean {
    return this.pos < this.end;
  }

  /**
   * A varint as a number. Values of 2^53 and above lose precision (only ids etcd never needs
   * exactly here, such as cluster and member ids); negative int64 values come out as large numbers.
   */
  varint(): number {
    const buf = this.buf;
    let pos = this.pos;
    let b = buf[pos++] ?? this.truncated();
    if (b < 0x80) {
      this.pos = pos;
      return b;
    }
    let lo = b & 0x7f;
    let shift = 7;
    // The low 28 bits fit a 32-bit integer exactly.
    while (shift < 28) {
      b = buf[pos++] ?? this.truncated();
      lo |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) {
        this.pos = pos;
        return lo;
      }
    }
    let value = lo;
    let scale = 0x1000_0000;
    for (let i = 4; i < 10; i++) {
      b = buf[pos++] ?? this.truncated();
      value += (b & 0x7f) * scale;
      scale *= 0x80;
      if (b < 0x80) {
        this.pos = pos;
        return value;
      }
    }
    throw new Error('malformed protobuf varint');
  }

  /** Reads a length prefix; returns the end offset of the bytes that follow (`pos` is their start). */
  len(): number {
    const n = this.varint();
    const end = this.pos + n;
    if (end > this.end) this.truncated();
    return end;
  }

  /** Skips a field of the given wire type whose tag was just read. */
  skip(wireType: number): void {
    switch (wireType) {
      case VARINT:
        this.varint();
        return;
      case FIXED64:
        this.pos += 8;
        break;
      case LEN:
        this.pos = this.len();
        return;
      case FIXED32:
        this.pos += 4;
        break;
      default:
        throw new Error(`unsupported protobuf wire type ${wireType}`);
    }
    if (this.pos > this.end) this.truncated();
  }

  private truncated(): never {
    throw new Error('truncated protobuf message');
  }
}
