import { describe, it, expect } from 'vitest';
import {
  Quantity,
  QuantityParseError,
  QUANTITY_FORMAT_ERROR,
  QUANTITY_SUFFIX_ERROR,
  canonicalQuantity,
  canonicalResourceListQuantity,
} from './quantity.js';

/** What the API server stores for each input: facts from upstream's resource package tests. */
function expectStored(cases: [string | number, string][]): void {
  for (const [input, want] of cases) {
    it(`${JSON.stringify(input)} is stored as ${want}`, () => {
      expect(canonicalQuantity(input)).toBe(want);
      // The stored form is stable: stored again, it stays the same.
      expect(canonicalQuantity(want)).toBe(want);
    });
  }
}

describe('the stored form of a quantity', () => {
  describe('values a user writes in a manifest', () => {
    expectStored([
      // kubectl sends unquoted YAML numbers as JSON numbers.
      [0.5, '500m'],
      [1000, '1k'], // `memory: 1e3` in YAML is the number 1000
      [2, '2'],
      [0.25, '250m'],
      [-0.25, '-250m'],
      [1e21, '1e+21'], // Go and JavaScript both write 1e21 as "1e+21"; its digits are kept
      ['0.5', '500m'],
      ['1024Mi', '1Gi'],
      ['1000m', '1'],
      ['2000000k', '2G'],
      ['1e3', '1e3'],
      ['1.5Gi', '1536Mi'],
      ['0.5Gi', '512Mi'],
      ['100m', '100m'],
      ['1Gi', '1Gi'],
      ['500m', '500m'],
      ['128974848', '128974848'],
      ['129e6', '129e6'],
      ['129M', '129M'],
      ['123Mi', '123Mi'],
      ['  3  ', '3'],
    ]);
  });

  describe('precision below a nano-unit rounds up; finer than milli is kept', () => {
    expectStored([
      ['0.0001', '100u'],
      ['0.1m', '100u'],
      ['3.001n', '4n'],
      ['1.1E-9', '2e-9'],
      ['0.0000000001', '1n'],
      ['0.0000000005', '1n'],
      ['0.00000000050', '1n'],
      ['0.5e-9', '1e-9'],
      ['0.9n', '1n'],
      ['0.00000012345', '124n'],
      ['0.00000012354', '124n'],
      ['0.000000000001Ki', '2n'],
    ]);
  });

  describe('format is kept: binary, decimal SI or decimal exponent', () => {
    expectStored([
      ['1Ki', '1Ki'],
      ['8Ki', '8Ki'],
      ['7Mi', '7Mi'],
      ['6Gi', '6Gi'],
      ['5Ti', '5Ti'],
      ['4Pi', '4Pi'],
      ['3Ei', '3Ei'],
      ['100Ti', '100Ti'],
      ['307200Ki', '300Mi'],
      ['1025024Mi', '1001Gi'],
      ['1024Gi', '1Ti'],
      ['2048Ki', '2Mi'],
      ['1000Mi', '1000Mi'],
      ['5n', '5n'],
      ['4u', '4u'],
      ['8k', '8k'],
      ['50k', '50k'],
      ['1000M', '1G'],
      ['0.001T', '1G'],
      ['40T', '40T'],
      ['300T', '300T'],
      ['2P', '2P'],
      ['1E', '1E'],
      ['12E', '12E'],
      ['1.01E', '1010P'],
      ['1000u', '1m'],
      ['1080000000n', '1080m'],
      ['1.08', '1080m'],
      ['9.01', '9010m'],
      ['8.1k', '8100'],
      ['5000m', '5'],
      ['.001e12', '1e9'],
      ['0.001e0', '1e-3'],
      ['1000e-12', '1e-9'],
      ['0.5e0', '500e-3'],
      ['0.5e-1', '50e-3'],
      ['1.2e3', '1200'],
      ['1.3E+6', '1300e3'],
      ['1.40e9', '1400e6'],
      ['1.5e3', '1500'],
      ['80e-3', '80e-3'],
      ['300e6', '300e6'],
    ]);
  });

  describe('binary values that are not whole counts of 1024 print in decimal', () => {
    expectStored([
      ['1.5Ki', '1536'],
      ['0.5Ki', '512'],
      ['1536', '1536'],
      ['1025', '1025'],
      ['0.5Mi', '512Ki'],
      ['.001Ki', '1024m'],
      ['.000001Ki', '1024u'],
      ['.000000001Ki', '1024n'],
      ['100.035Ki', '102435840m'],
      ['0.05Gi', '53687091200m'],
      ['0.025Ti', '27487790694400m'],
      ['1.1Gi', '1181116006400m'],
    ]);
  });

  describe('upstream keeps the text when its digits already look canonical', () => {
    expectStored([
      ['+1', '+1'],
      ['01', '01'],
      ['+3Ki', '+3Ki'],
      ['1E6', '1E6'],
      ['1E-3', '1E-3'],
      ['1e+3', '1e+3'],
      ['1.', '1.'],
      ['1.G', '1.G'],
      ['1.500', '1.500'],
      ['100.035k', '100.035k'],
      ['10.035M', '10.035M'],
      ['7.123456M', '7.123456M'],
      ['5.444T', '5.444T'],
    ]);
  });

  describe('negative values', () => {
    expectStored([
      ['-1', '-1'],
      ['-500m', '-500m'],
      ['-1.5', '-1500m'],
      ['-1024Mi', '-1Gi'],
      ['-1Ki', '-1Ki'],
      ['-.001Ki', '-1024m'],
      ['-9.01', '-9010m'],
    ]);
  });

  describe('zero is always "0"', () => {
    expectStored([
      ['0', '0'],
      ['00', '0'],
      ['-0', '0'],
      ['0.0', '0'],
      ['0m', '0'],
      ['0n', '0'],
      ['0Ki', '0'],
      ['0Gi', '0'],
      ['0T', '0'],
      ['0e3', '0'],
      ['.', '0'],
      ['-', '0'],
      ['+', '0'],
      [0, '0'],
    ]);
  });

  describe('binary values are capped at 2^63-1; decimal ones are not', () => {
    expectStored([
      ['9Ei', '9223372036854775807'],
      ['9223372036854775807Ki', '9223372036854775807'],
      ['-9Ei', '-9223372036854775807'],
      ['9223372036854775808', '9223372036854775808'],
      ['1000000000000000000.1', '1000000000000000000100m'],
      // Past "E" there is no decimal suffix; the exponent form keeps the magnitude.
      ['1000E', '1e21'],
      ['5000E', '5e21'],
    ]);
  });
});

describe('Quantity.parse errors', () => {
  it('refuses malformed text with upstream wording', () => {
    for (const bad of ['1.1.M', '1+1.0M', '0.1am', 'aoeu', '', '   ', '1 2'])
      expect(() => Quantity.parse(bad), bad).toThrow(QUANTITY_FORMAT_ERROR);
    for (const bad of ['0.1mi', '.5i', '1i', '-3.01i', '-3.01e-', '1K', '1e', '1e2000'])
      expect(() => Quantity.parse(bad), bad).toThrow(QUANTITY_SUFFIX_ERROR);
    expect(() => Quantity.parse('abc')).toThrow(QuantityParseError);
  });

  it('gives undefined for what does not parse', () => {
    expect(canonicalQuantity({})).toBeUndefined();
    expect(canonicalQuantity(null)).toBeUndefined();
    expect(canonicalQuantity(Number.NaN)).toBeUndefined();
    expect(canonicalQuantity('lots')).toBeUndefined();
  });
});

describe('Quantity values and canonical form', () => {
  it('parses exactly', () => {
    expect(Quantity.parse('1Ki').value()).toBe(1024n);
    expect(Quantity.parse('100.035k').value()).toBe(100035n);
    expect(Quantity.parse('0.0005k').milliValue()).toBe(500n);
    expect(Quantity.parse('.0001k').milliValue()).toBe(100n);
    expect(Quantity.parse('9Ei').value()).toBe(9223372036854775807n);
  });
  it('gives the canonical form even of a kept text', () => {
    expect(Quantity.parse('+1').canonical()).toBe('1');
    expect(Quantity.parse('1.500').canonical()).toBe('1500m');
    expect(Quantity.parse('1E6').canonical()).toBe('1e6');
    expect(Quantity.parse('100.035k').canonical()).toBe('100035');
  });
  it('keeps the format of a binary value of at least one unit', () => {
    expect(Quantity.parse('0.5Ki').format).toBe('BinarySI');
    expect(Quantity.parse('0.000000000001Ki').format).toBe('DecimalSI');
  });
});

describe('Quantity arithmetic', () => {
  it('compares across formats', () => {
    expect(Quantity.parse('1Gi').cmp(Quantity.parse('1073741824'))).toBe(0);
    expect(Quantity.parse('500m').cmp(Quantity.parse('1'))).toBe(-1);
    expect(Quantity.parse('2').cmp(Quantity.parse('1999m'))).toBe(1);
    expect(Quantity.parse('10000T').cmp(Quantity.parse('100Gi'))).toBe(1);
  });
  it('rounds values up', () => {
    expect(Quantity.parse('1500m').value()).toBe(2n);
    expect(Quantity.parse('0.1m').milliValue()).toBe(1n);
  });
  it('rounds up to milli as resource-list defaulting does, keeping a text that needs no rounding', () => {
    expect(Quantity.parse('0.0001').roundUp(-3).toString()).toBe('1m');
    expect(Quantity.parse('0.1m').roundUp(-3).toString()).toBe('1m');
    expect(Quantity.parse('1500u').roundUp(-3).toString()).toBe('2m');
    expect(Quantity.parse('100m').roundUp(-3).toString()).toBe('100m');
    expect(Quantity.parse('1.500').roundUp(-3).toString()).toBe('1.500');
    expect(Quantity.parse('9.01').roundUp(-1).toString()).toBe('9100m');
    expect(Quantity.parse('-9.01').roundUp(0).toString()).toBe('-10');
  });
  it('adds and subtracts into the canonical form', () => {
    expect(Quantity.parse('500m').add(Quantity.parse('1')).toString()).toBe('1500m');
    expect(Quantity.parse('+1').add(Quantity.parse('0')).toString()).toBe('1');
    expect(Quantity.parse('0').add(Quantity.parse('1Gi')).toString()).toBe('1Gi');
    expect(Quantity.parse('0').sub(Quantity.parse('100m')).toString()).toBe('-100m');
  });
});

describe('the stored form of a ResourceList value', () => {
  it('is rounded up to milli-units first, as resource-list defaulting does', () => {
    expect(canonicalResourceListQuantity('0.0001')).toBe('1m');
    expect(canonicalResourceListQuantity('0.1m')).toBe('1m');
    expect(canonicalResourceListQuantity('1500u')).toBe('2m');
    expect(canonicalResourceListQuantity('3.001n')).toBe('1m');
    expect(canonicalResourceListQuantity('-0.0001')).toBe('-1m');
    expect(canonicalResourceListQuantity(0.0005)).toBe('1m');
  });
  it('is otherwise the stored form of a quantity', () => {
    expect(canonicalResourceListQuantity('0.5')).toBe('500m');
    expect(canonicalResourceListQuantity('1024Mi')).toBe('1Gi');
    expect(canonicalResourceListQuantity('+1')).toBe('+1');
    expect(canonicalResourceListQuantity('1.500')).toBe('1.500');
    expect(canonicalResourceListQuantity('1e3')).toBe('1e3');
    expect(canonicalResourceListQuantity('lots')).toBeUndefined();
  });
});
