import { describe, it, expect } from 'vitest';
import { Quantity, QuantityParseError, QUANTITY_FORMAT_ERROR, canonicalQuantity } from './quantity.js';

describe('Quantity canonical form', () => {
  const cases: [string | number, string][] = [
    ['1000m', '1'],
    ['0.5', '500m'],
    ['500m', '500m'],
    ['1024Mi', '1Gi'],
    ['1Gi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['0.5Gi', '512Mi'],
    ['1000Mi', '1000Mi'],
    ['1536', '1536'],
    ['1.5Ki', '1536'],
    ['100Ki', '100Ki'],
    ['512', '512'],
    ['1500', '1500'],
    ['2000', '2k'],
    ['128974848', '128974848'],
    ['129e6', '129e6'],
    ['129M', '129M'],
    ['123Mi', '123Mi'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['0', '0'],
    ['0Gi', '0'],
    ['-1', '-1'],
    ['-500m', '-500m'],
    ['0.0000000001', '1n'],
    ['100u', '100u'],
    ['1E', '1E'],
    [2, '2'],
    [0.25, '250m'],
    ['  3  ', '3'],
  ];
  for (const [input, want] of cases) {
    it(`${JSON.stringify(input)} -> ${want}`, () => {
      expect(Quantity.parse(input).toString()).toBe(want);
    });
  }

  it('rejects malformed quantities with upstream wording', () => {
    expect(() => Quantity.parse('abc')).toThrow(QuantityParseError);
    expect(() => Quantity.parse('abc')).toThrow(QUANTITY_FORMAT_ERROR);
    expect(() => Quantity.parse('1K')).toThrow("unable to parse quantity's suffix");
    expect(canonicalQuantity({})).toBeUndefined();
  });
});

describe('Quantity arithmetic', () => {
  it('compares across formats', () => {
    expect(Quantity.parse('1Gi').cmp(Quantity.parse('1073741824'))).toBe(0);
    expect(Quantity.parse('500m').cmp(Quantity.parse('1'))).toBe(-1);
    expect(Quantity.parse('2').cmp(Quantity.parse('1999m'))).toBe(1);
  });
  it('rounds values up', () => {
    expect(Quantity.parse('1500m').value()).toBe(2n);
    expect(Quantity.parse('0.1m').milliValue()).toBe(1n);
    expect(Quantity.parse('0.1m').roundUp(-3).toString()).toBe('1m');
    expect(Quantity.parse('100m').roundUp(-3).toString()).toBe('100m');
  });
  it('adds', () => {
    expect(Quantity.parse('500m').add(Quantity.parse('1')).toString()).toBe('1500m');
  });
});
