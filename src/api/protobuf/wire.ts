/**
 * Reading the protobuf wire format: varints, fixed-width numbers and length-delimited spans, all
 * straight from one byte buffer by position, with no intermediate copies.
 */

/** Protobuf wire types. */
export const VARINT = 0;
export const FIXED64 = 1;
export const LEN = 2;
export const FIXED32 = 5;

/** A malformed or unsupported protobuf body; the server answers it with 400 Bad Request. */
export class ProtobufDecodeError extends Error {
  override name = 'ProtobufDecodeError';
}

/**
 * The UTF-8 text of `buf[start, end)`. Short ASCII strings (names, labels, enum values: most strings
 * in an object) are built in JS, which is cheaper than a call into the native decoder.
 */
export function utf8(buf: Buffer, start: number, end: number): string {
  if (end - start > 24) return buf.toString('utf8', start, end);
  let s = '';
  for (let i = start; i < end; i++) {
    const c = buf[i] as number;
    if (c >= 0x80) return buf.toString('utf8', start, end);
    s += String.fromCharCode(c);
  }
  return s;
}

/** A cursor over `buf[pos, end)`. */
export class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  /** High 32 bits of the last varint read. */
  private hi = 0;

  /** Reads a varint and returns its low 32 bits (unsigned); the high 32 bits are left in `hi`. */
  private varint64(): number {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    let b: number;
    // Bits 0..27 from the first four bytes.
    for (; shift < 28; shift += 7) {
      if (this.pos >= this.end) throw new ProtobufDecodeError('truncated varint');
      b = buf[this.pos++] as number;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.hi = 0;
        return lo >>> 0;
      }
    }
    // Fifth byte: bits 28..31 into lo, bits 32..34 into hi.
    if (this.pos >= this.end) throw new ProtobufDecodeError('truncated varint');
    b = buf[this.pos++] as number;
    lo |= (b & 0x0f) << 28;
    hi = (b & 0x7f) >> 4;
    if (b >= 0x80) {
      for (shift = 3; ; shift += 7) {
        if (this.pos >= this.end) throw new ProtobufDecodeError('truncated varint');
        if (shift > 31) throw new ProtobufDecodeError('varint too long');
        b = buf[this.pos++] as number;
        hi |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
    }
    this.hi = hi >>> 0;
    return lo >>> 0;
  }

  /** An unsigned varint that fits in a JS number (tags, lengths, enum-like values). */
  uint32(): number {
    const lo = this.varint64();
    if (this.hi !== 0) throw new ProtobufDecodeError('varint out of range');
    return lo;
  }

  /** A protobuf `int32`: negative values arrive sign-extended to 64 bits. */
  int32(): number {
    return this.varint64() | 0;
  }

  /** A protobuf `int64` as a JS number (exact up to 2^53, as JSON numbers are). */
  int64(): number {
    const lo = this.varint64();
    const hi = this.hi;
    return (hi | 0) * 4294967296 + lo;
  }

  bool(): boolean {
    return this.varint64() !== 0 || this.hi !== 0;
  }

  double(): number {
    if (this.pos + 8 > this.end) throw new ProtobufDecodeError('truncated fixed64');
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Reads a length prefix and returns the end of the span; the cursor is left at its start. */
  span(): number {
    const len = this.uint32();
    const end = this.pos + len;
    if (end > this.end) throw new ProtobufDecodeError('truncated length-delimited field');
    return end;
  }

  /** Skips a value of the given wire type. */
  skip(wireType: number): void {
    switch (wireType) {
      case VARINT:
        this.varint64();
        return;
      case FIXED64:
        this.pos += 8;
        break;
      case LEN:
        this.pos = this.span();
        return;
      case FIXED32:
        this.pos += 4;
        break;
      default:
        throw new ProtobufDecodeError(`unsupported wire type ${wireType}`);
    }
    if (this.pos > this.end) throw new ProtobufDecodeError('truncated field');
  }
}
