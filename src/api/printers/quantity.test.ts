import { describe, expect, it } from 'vitest';
import { canonicalQuantity, optionalQuantity } from './quantity.js';

describe('canonicalQuantity', () => {
  it.each([
    ['1Gi', '1Gi'],
    ['1024Mi', '1Gi'],
    ['2048Ki', '2Mi'],
    ['1536Mi', '1536Mi'],
    ['1.5Gi', '1536Mi'],
    ['0.5Gi', '512Mi'],
    ['500Mi', '500Mi'],
    ['512Ki', '512Ki'],
    ['1Ki', '1Ki'],
    ['0.5Ki', '512'],
    ['1.1Gi', '1181116006400m'],
    ['100m', '100m'],
    ['0.1', '100m'],
    ['1.5', '1500m'],
    ['1000m', '1'],
    ['1500', '1500'],
    ['1000', '1k'],
    ['10G', '10G'],
    ['10000M', '10G'],
    ['1e3', '1e3'],
    // Upstream keeps a text whose digits already look canonical (String() returns it).
    ['1E6', '1E6'],
    ['12e2', '1200'],
    ['0.000000001', '1n'],
    ['0.0000000001', '1n'],
    ['-100m', '-100m'],
    ['+5', '+5'],
    ['0Gi', '0'],
    ['0', '0'],
  ])('%s prints as %s', (input, output) => {
    expect(canonicalQuantity(input)).toBe(output);
  });

  it('accepts numbers, prints a missing quantity as 0 and keeps what it cannot parse', () => {
    expect(canonicalQuantity(2)).toBe('2');
    expect(canonicalQuantity(undefined)).toBe('0');
    expect(canonicalQuantity('lots')).toBe('lots');
    expect(optionalQuantity(undefined)).toBe('<nil>');
    expect(optionalQuantity('2000m')).toBe('2');
  });
});
