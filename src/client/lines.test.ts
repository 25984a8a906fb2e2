import { describe, expect, it } from 'vitest';
import { LineSplitter } from './lines.js';

const stream = Buffer.from(
  '{"type":"ADDED","object":{"n":"é-ü-漢字-🙂"}}\n\n{"type":"MODIFIED","object":{}}\r\n{"type":"DELETED","object":{"x":1}}\n',
);
const expected = [
  '{"type":"ADDED","object":{"n":"é-ü-漢字-🙂"}}',
  '{"type":"MODIFIED","object":{}}',
  '{"type":"DELETED","object":{"x":1}}',
];

describe('LineSplitter', () => {
  it('yields the same lines whatever the chunk boundaries (two chunks, split at every byte)', () => {
    for (let i = 0; i <= stream.length; i++) {
      const s = new LineSplitter();
      const lines = [...s.push(stream.subarray(0, i)), ...s.push(stream.subarray(i))];
      expect(lines, `split at ${i}`).toEqual(expected);
      expect(s.end()).toBeUndefined();
    }
  });

  it('handles one byte at a time and three-way splits', () => {
    const s = new LineSplitter();
    const lines: string[] = [];
    for (const byte of stream) lines.push(...s.push(Buffer.from([byte])));
    expect(lines).toEqual(expected);
    for (let i = 1; i < stream.length; i += 7) {
      for (let j = i; j < stream.length; j += 11) {
        const t = new LineSplitter();
        const out = [
          ...t.push(stream.subarray(0, i)),
          ...t.push(stream.subarray(i, j)),
          ...t.push(stream.subarray(j)),
        ];
        expect(out).toEqual(expected);
      }
    }
  });

  it('returns an unterminated last line at the end, and holds partial bytes until then', () => {
    const s = new LineSplitter();
    expect(s.push(Buffer.from('{"a":1}\n{"b"'))).toEqual(['{"a":1}']);
    expect(s.buffered).toBe(4);
    expect(s.push(Buffer.from(':2}'))).toEqual([]);
    expect(s.end()).toBe('{"b":2}');
    expect(s.end()).toBeUndefined();
  });
});
