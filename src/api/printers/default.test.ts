import { describe, expect, it } from 'vitest';
import { defaultPrinter } from './default.js';
import { row } from './testing/table.js';

describe('default printer', () => {
  it('prints NAME and CREATED AT in RFC 3339 UTC', () => {
    expect(defaultPrinter.columns).toEqual([
      expect.objectContaining({ name: 'Name', type: 'string', format: 'name', priority: 0 }),
      expect.objectContaining({ name: 'Created At', type: 'date', format: '', priority: 0 }),
    ]);
    expect(
      row(defaultPrinter, { metadata: { name: 'view', creationTimestamp: '2026-02-03T04:05:06.789+02:00' } }),
    ).toEqual({
      Name: 'view',
      'Created At': '2026-02-03T02:05:06Z',
    });
    expect(row(defaultPrinter, { metadata: { name: 'x' } })['Created At']).toBe('0001-01-01T00:00:00Z');
  });
});
