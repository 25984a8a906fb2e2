import { constants as zc, createDeflate } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SPDY_DICTIONARY } from './dictionary.js';
import {
  FLAG_FIN,
  FrameSplitter,
  HeaderDeflater,
  HeaderInflater,
  dataFrame,
  decodeHeaderBlock,
  encode,
  encodeHeaderBlock,
  type SpdyHeaders,
} from './frames.js';

function adler32(b: Buffer): number {
  let a = 1;
  let c = 0;
  for (const x of b) {
    a = (a + x) % 65521;
    c = (c + a) % 65521;
  }
  return ((c << 16) | a) >>> 0;
}

describe('SPDY/3 framing', () => {
  it('has the 1423-byte header dictionary of the spec (its zlib id is what Go peers announce)', () => {
    expect(SPDY_DICTIONARY.length).toBe(1423);
    expect(adler32(SPDY_DICTIONARY).toString(16)).toBe('e3c6a7c2');
  });

  it('splits frames arriving in pieces', () => {
    const bytes = Buffer.concat([dataFrame(3, FLAG_FIN, Buffer.from('hello')), encode.ping(7)]);
    const s = new FrameSplitter();
    const frames = [
      ...s.push(bytes.subarray(0, 5)),
      ...s.push(bytes.subarray(5, 20)),
      ...s.push(bytes.subarray(20)),
    ];
    expect(frames.map((f) => [f.control, f.streamId, f.flags, f.payload.toString('hex')])).toEqual([
      [false, 3, FLAG_FIN, Buffer.from('hello').toString('hex')],
      [true, 0, 0, '00000007'],
    ]);
  });

  it('writes header blocks any zlib reader inflates block by block, each ending in a sync flush', async () => {
    const d = new HeaderDeflater();
    const headers: SpdyHeaders[] = [{ streamtype: ['error'] }, { streamtype: ['stdout'], port: ['80'] }];
    const blocks = headers.map((h) => d.deflate(encodeHeaderBlock(h)));
    for (const b of blocks) expect(b.subarray(-5)).toEqual(Buffer.from([0, 0, 0, 0xff, 0xff]));
    const i = new HeaderInflater();
    expect(decodeHeaderBlock(await i.inflate(blocks[0] ?? Buffer.alloc(0)))).toEqual({
      streamtype: ['error'],
    });
    expect(decodeHeaderBlock(await i.inflate(blocks[1] ?? Buffer.alloc(0)))).toEqual({
      streamtype: ['stdout'],
      port: ['80'],
    });
  });

  it('reads header blocks compressed with the dictionary across one connection-long stream', async () => {
    const z = createDeflate({ dictionary: SPDY_DICTIONARY });
    const chunks: Buffer[] = [];
    z.on('data', (c: Buffer) => chunks.push(c));
    const block = async (raw: Buffer): Promise<Buffer> => {
      z.write(raw);
      await new Promise<void>((r) => z.flush(zc.Z_SYNC_FLUSH, () => r()));
      return Buffer.concat(chunks.splice(0));
    };
    const i = new HeaderInflater();
    const list: SpdyHeaders[] = [
      { streamtype: ['error'] },
      { streamtype: ['data'], requestid: ['0'], port: ['8080'] },
    ];
    for (const h of list) {
      expect(decodeHeaderBlock(await i.inflate(await block(encodeHeaderBlock(h))))).toEqual(h);
    }
  });
});
