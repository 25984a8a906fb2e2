/**
 * SPDY/3 framing (the protocol behind `Upgrade: SPDY/3.1` in Kubernetes streaming): splitting a byte
 * stream into frames, encoding frames, and the name/value header blocks of SYN_STREAM, SYN_REPLY and
 * HEADERS.
 *
 * Header blocks are zlib streams that span the whole connection (one per direction) with the
 * {@link SPDY_DICTIONARY} preset. Inflating is asynchronous (Node's zlib streams); deflating writes
 * stored (uncompressed) deflate blocks ended on a byte boundary, which any zlib reader accepts and
 * which keeps writing synchronous. Header blocks are small and rare (a few per session).
 */
import { constants as zc, createInflate, type Inflate } from 'node:zlib';
import { SPDY_DICTIONARY } from './dictionary.js';

/** The SPDY version on the wire (SPDY/3.1 frames carry version 3). */
export const SPDY_VERSION = 3;

/** Control frame types. */
export const FrameType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

/** FLAG_FIN on data frames and on SYN_STREAM/SYN_REPLY/HEADERS. */
export const FLAG_FIN = 0x01;
/** FLAG_UNIDIRECTIONAL on SYN_STREAM. */
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes. */
export const RstStatus = {
  ProtocolError: 1,
  InvalidStream: 2,
  RefusedStream: 3,
  Cancel: 5,
  InternalError: 6,
} as const;

/** The largest payload of one frame (24-bit length). */
export const MAX_FRAME_PAYLOAD = 0xffffff;

/** Header names (lower case) to their values; several values of one name are kept in order. */
export type SpdyHeaders = Record<string, string[]>;

/** One frame as read off the wire, before its header block (if any) is inflated. */
export interface RawFrame {
  control: boolean;
  /** Control frames: the frame type. */
  type: number;
  /** Data frames: the stream id. */
  streamId: number;
  flags: number;
  payload: Buffer;
}

/** Splits a byte stream into frames; feed it chunks, get whole frames back. */
export class FrameSplitter {
  private buf: Buffer = Buffer.alloc(0);

  /** Adds bytes and returns every frame now complete. Throws on a malformed frame. */
  push(chunk: Buffer): RawFrame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: RawFrame[] = [];
    while (this.buf.length >= 8) {
      const length = this.buf.readUIntBE(5, 3);
      if (this.buf.length < 8 + length) break;
      const first = this.buf.readUInt32BE(0);
      const control = (first & 0x80000000) !== 0;
      const flags = this.buf[4] ?? 0;
      const payload = this.buf.subarray(8, 8 + length);
      if (control) {
        const version = (first >>> 16) & 0x7fff;
        if (version !== SPDY_VERSION) throw new Error(`unsupported SPDY version ${version}`);
        out.push({ control, type: first & 0xffff, streamId: 0, flags, payload });
      } else {
        out.push({ control, type: 0, streamId: first & 0x7fffffff, flags, payload });
      }
      this.buf = this.buf.subarray(8 + length);
    }
    return out;
  }
}

function frameHeader(first: number, flags: number, length: number): Buffer {
  if (length > MAX_FRAME_PAYLOAD) throw new Error(`SPDY frame payload too large: ${length}`);
  const h = Buffer.alloc(8);
  h.writeUInt32BE(first >>> 0, 0);
  h.writeUInt8(flags, 4);
  h.writeUIntBE(length, 5, 3);
  return h;
}

/** A control frame with its payload. */
export function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const first = (0x8000 | SPDY_VERSION) * 0x10000 + type;
  return Buffer.concat([frameHeader(first, flags, payload.length), payload]);
}

/** A data frame. */
export function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  return Buffer.concat([frameHeader(streamId & 0x7fffffff, flags, data.length), data]);
}

function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
}

/** Encodes a header block (before compression). Names must be lower case. */
export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [name, values] of entries) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(values.join('\0'), 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

/** Decodes an inflated header block. */
export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  const out: SpdyHeaders = {};
  let off = 0;
  const need = (n: number): void => {
    if (off + n > block.length) throw new Error('truncated SPDY header block');
  };
  need(4);
  const count = block.readUInt32BE(off);
  off += 4;
  for (let i = 0; i < count; i++) {
    need(4);
    const nl = block.readUInt32BE(off);
    off += 4;
    need(nl);
    const name = block.toString('utf8', off, off + nl);
    off += nl;
    need(4);
    const vl = block.readUInt32BE(off);
    off += 4;
    need(vl);
    const value = block.toString('utf8', off, off + vl);
    off += vl;
    (out[name.toLowerCase()] ??= []).push(...value.split('\0'));
  }
  return out;
}

/** First value of a header, or undefined. */
export function headerValue(headers: SpdyHeaders, name: string): string | undefined {
  return headers[name.toLowerCase()]?.[0];
}

/**
 * Compresses header blocks for one direction of a connection as stored deflate blocks. The first
 * block starts the zlib stream (no preset dictionary is needed to read stored data).
 */
export class HeaderDeflater {
  private started = false;

  deflate(raw: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) {
      // CMF 0x78 (deflate, 32K window), FLG 0x01: no preset dictionary, check bits valid.
      parts.push(Buffer.from([0x78, 0x01]));
      this.started = true;
    }
    let off = 0;
    do {
      const chunk = raw.subarray(off, off + 0xffff);
      const h = Buffer.alloc(5);
      h[0] = 0x00; // BFINAL 0, BTYPE 00 (stored), padding to the byte boundary
      h.writeUInt16LE(chunk.length, 1);
      h.writeUInt16LE(~chunk.length & 0xffff, 3);
      parts.push(h, chunk);
      off += chunk.length;
    } while (off < raw.length);
    // An empty stored block, as a zlib sync flush ends: readers such as Go's hand out what they
    // inflated only when the next block starts, so without it the block's end would wait for the
    // next frame.
    parts.push(Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]));
    return Buffer.concat(parts);
  }
}

/** Inflates the header blocks of one direction of a connection, in order. */
export class HeaderInflater {
  private readonly z: Inflate;
  private out: Buffer[] = [];
  private failed: Error | undefined;

  constructor() {
    this.z = createInflate({ dictionary: SPDY_DICTIONARY });
    this.z.on('data', (c: Buffer) => this.out.push(c));
    this.z.on('error', (err: Error) => {
      this.failed = err;
    });
  }

  /** Inflates the next block; blocks must be given in the order they arrived. */
  inflate(block: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.failed) {
        reject(this.failed);
        return;
      }
      const onError = (err: Error): void => reject(err);
      this.z.once('error', onError);
      this.z.write(block);
      this.z.flush(zc.Z_SYNC_FLUSH, () => {
        this.z.off('error', onError);
        if (this.failed) {
          reject(this.failed);
          return;
        }
        const result = Buffer.concat(this.out);
        this.out = [];
        resolve(result);
      });
    });
  }

  close(): void {
    this.z.close();
  }
}

/** The stream id at the start of SYN_STREAM, SYN_REPLY, HEADERS, RST_STREAM and WINDOW_UPDATE. */
export function payloadStreamId(payload: Buffer): number {
  if (payload.length < 4) throw new Error('SPDY control frame too short');
  return payload.readUInt32BE(0) & 0x7fffffff;
}

/** Encoders for the control frames the connection sends. */
export const encode = {
  synStream(streamId: number, flags: number, block: Buffer, priority = 0): Buffer {
    const p = Buffer.alloc(10);
    p.writeUInt32BE(streamId & 0x7fffffff, 0);
    p.writeUInt32BE(0, 4);
    p[8] = (priority & 0x7) << 5;
    p[9] = 0;
    return controlFrame(FrameType.SynStream, flags, Buffer.concat([p, block]));
  },
  synReply(streamId: number, flags: number, block: Buffer): Buffer {
    return controlFrame(FrameType.SynReply, flags, Buffer.concat([u32(streamId & 0x7fffffff), block]));
  },
  rstStream(streamId: number, status: number): Buffer {
    return controlFrame(FrameType.RstStream, 0, u32(streamId & 0x7fffffff, status));
  },
  ping(id: number): Buffer {
    return controlFrame(FrameType.Ping, 0, u32(id));
  },
  goAway(lastGoodStreamId: number, status = 0): Buffer {
    return controlFrame(FrameType.GoAway, 0, u32(lastGoodStreamId & 0x7fffffff, status));
  },
};
