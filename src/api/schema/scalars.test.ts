import { describe, expect, it } from 'vitest';
import { CORE, INT_OR_STRING, QUANTITY } from './dsl.js';
import { miniRegistry } from './testing/mini-schema.js';
import { goTypeName } from './resolve.js';
import {
  QUANTITY_FORMAT_ERROR,
  QUANTITY_SUFFIX_ERROR,
  checkBase64,
  checkQuantity,
  checkQuantityString,
  checkTime,
} from './scalars.js';

describe('quantities', () => {
  it.each([
    '0',
    '1',
    '100m',
    '1.5',
    '1.',
    '.5',
    '-1',
    '+1',
    '1Ki',
    '2Mi',
    '3Gi',
    '1Ti',
    '1Pi',
    '1Ei',
    '1n',
    '1u',
    '1k',
    '1M',
    '1G',
    '1T',
    '1P',
    '1E',
    '1e3',
    '1E-3',
    '1e+3',
    '0.001',
    '00010',
  ])('accepts %s', (q) => {
    expect(checkQuantityString(q)).toBeUndefined();
  });

  it.each([
    ['', QUANTITY_FORMAT_ERROR],
    ['abc', QUANTITY_FORMAT_ERROR],
    ['1.5.3', QUANTITY_FORMAT_ERROR],
    ['1 Gi', QUANTITY_FORMAT_ERROR],
    ['1Gb', QUANTITY_FORMAT_ERROR],
    ['5mi', QUANTITY_SUFFIX_ERROR],
    ['1KI', QUANTITY_FORMAT_ERROR],
    ['1Kb', QUANTITY_FORMAT_ERROR],
    ['1e', QUANTITY_SUFFIX_ERROR],
    ['1ee3', QUANTITY_SUFFIX_ERROR],
  ])('rejects %j', (q, message) => {
    expect(checkQuantityString(q)).toBe(message);
  });

  it('accepts JSON numbers and null, rejects other JSON kinds', () => {
    expect(checkQuantity(1.5)).toBeUndefined();
    expect(checkQuantity(null)).toBeUndefined();
    expect(checkQuantity(false)).toBe(QUANTITY_FORMAT_ERROR);
    expect(checkQuantity({})).toBe(QUANTITY_FORMAT_ERROR);
  });
});

describe('times', () => {
  it('accepts RFC 3339 and checks ranges', () => {
    expect(checkTime('2024-02-29T23:59:59Z')).toBeUndefined();
    expect(checkTime('2024-02-29T23:59:59.123+05:30')).toBeUndefined();
    expect(checkTime('2023-02-29T00:00:00Z')).toBe('parsing time "2023-02-29T00:00:00Z": day out of range');
    expect(checkTime('2024-01-01T24:00:00Z')).toBe('parsing time "2024-01-01T24:00:00Z": hour out of range');
    expect(checkTime('2024-01-01 00:00:00Z')).toContain('not an RFC 3339 time');
  });

  it('requires microseconds for MicroTime', () => {
    expect(checkTime('2024-01-01T00:00:00.000001Z', true)).toBeUndefined();
    expect(checkTime('2024-01-01T00:00:00Z', true)).toContain('2006-01-02T15:04:05.000000Z07:00');
  });
});

describe('base64', () => {
  it.each(['', 'aGk=', 'aGVsbG8=', 'aGVsbA==', 'aGVs\nbG8=\n'])('accepts %j', (s) => {
    expect(checkBase64(s)).toBeUndefined();
  });

  it.each([
    ['aGk', 0],
    ['aGV$', 3],
    ['a===', 1],
    ['aGk=x', 4],
    ['aG=x', 2],
    ['aG=', 3],
  ])('rejects %j at byte %d', (s, at) => {
    expect(checkBase64(s)).toBe(`illegal base64 data at input byte ${at}`);
  });
});

describe('Go type names', () => {
  it('names types as Go prints them', () => {
    const registry = miniRegistry();
    expect(goTypeName({ kind: 'array', items: { kind: 'ref', name: CORE + 'Container' } }, registry)).toBe(
      '[]v1.Container',
    );
    expect(goTypeName({ kind: 'map', values: { kind: 'string', format: 'byte' } }, registry)).toBe(
      'map[string][]uint8',
    );
    expect(goTypeName({ kind: 'ref', name: QUANTITY }, registry)).toBe('resource.Quantity');
    expect(goTypeName({ kind: 'ref', name: INT_OR_STRING }, registry)).toBe('intstr.IntOrString');
  });
});
