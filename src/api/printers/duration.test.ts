import { describe, expect, it } from 'vitest';
import { humanDuration, since } from './duration.js';
import { NOW, ago } from './testing/table.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const Y = 365 * D;

describe('humanDuration', () => {
  it.each([
    [0, '0s'],
    [59 * S, '59s'],
    [119 * S, '119s'],
    [2 * M, '2m'],
    [2 * M + 3 * S, '2m3s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M, '10m'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [7 * H + 59 * M, '7h59m'],
    [8 * H + 30 * M, '8h'],
    [47 * H, '47h'],
    [2 * D, '2d'],
    [2 * D + 3 * H, '2d3h'],
    [7 * D + 23 * H, '7d23h'],
    [8 * D, '8d'],
    [45 * D, '45d'],
    [2 * Y - D, '729d'],
    [2 * Y, '2y'],
    [3 * Y + 45 * D, '3y45d'],
    [8 * Y + 100 * D, '8y'],
  ])('%i ms reads %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  it('tolerates a clock up to a second ahead, and calls later times invalid', () => {
    expect(humanDuration(-999)).toBe('0s');
    expect(humanDuration(-1999)).toBe('0s');
    expect(humanDuration(-2000)).toBe('<invalid>');
  });
});

describe('since', () => {
  it('measures from a timestamp to the injected now', () => {
    expect(since(ago({ d: 2, h: 3 }), NOW)).toBe('2d3h');
    expect(since('2026-03-01T11:59:01.500000Z', NOW)).toBe('58s');
  });

  it('prints <unknown> for a missing, zero or unparsable time', () => {
    expect(since(undefined, NOW)).toBe('<unknown>');
    expect(since(null, NOW)).toBe('<unknown>');
    expect(since('', NOW)).toBe('<unknown>');
    expect(since('0001-01-01T00:00:00Z', NOW)).toBe('<unknown>');
    expect(since('yesterday', NOW)).toBe('<unknown>');
  });
});
