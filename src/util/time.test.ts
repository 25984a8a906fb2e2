import { describe, expect, it } from 'vitest';
import { rfc3339, rfc3339Micro } from './time.js';

describe('rfc3339', () => {
  it('formats to the second, also when called again within the same or another second', () => {
    const times = [
      '2026-11-29T07:30:00.000Z',
      '2026-11-29T07:30:00.999Z',
      '2026-11-29T07:30:01.000Z',
      '2026-11-29T07:30:00.500Z',
      '1969-12-31T23:59:59.500Z',
      '1969-12-31T23:59:59.000Z',
      '1970-01-01T00:00:00.000Z',
    ];
    for (const t of times) expect(rfc3339(new Date(t))).toBe(`${t.slice(0, 19)}Z`);
  });

  it('refuses an invalid date as before', () => {
    expect(() => rfc3339(new Date(Number.NaN))).toThrow(RangeError);
  });

  it('keeps microseconds for MicroTime', () => {
    expect(rfc3339Micro(new Date('2026-11-29T07:30:00.123Z'))).toBe('2026-11-29T07:30:00.123000Z');
  });
});
