import { describe, expect, it } from 'vitest';
import { formatLabelSelector, formatLabels, selectorString } from './selectors.js';

describe('formatLabels', () => {
  it('sorts by key and prints <none> when empty', () => {
    expect(formatLabels({ tier: 'db', app: 'web' })).toBe('app=web,tier=db');
    expect(formatLabels({})).toBe('<none>');
    expect(formatLabels(undefined)).toBe('<none>');
  });
});

describe('label selectors', () => {
  it('prints requirements sorted by key, values of in/notin sorted', () => {
    expect(
      formatLabelSelector({
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['staging', 'prod'] },
          { key: 'canary', operator: 'DoesNotExist' },
          { key: 'zone', operator: 'NotIn', values: ['b'] },
          { key: 'gpu', operator: 'Exists' },
        ],
      }),
    ).toBe('app=web,!canary,env in (prod,staging),gpu,zone notin (b)');
  });

  it('prints <none> for an empty or missing selector', () => {
    expect(formatLabelSelector({})).toBe('<none>');
    expect(formatLabelSelector(undefined)).toBe('<none>');
    expect(selectorString(undefined)).toBe('');
  });

  it('prints <error> for a selector that does not parse', () => {
    expect(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })).toBe(
      '<error>',
    );
    expect(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] })).toBe(
      '<error>',
    );
    expect(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] })).toBe(
      '<error>',
    );
    expect(formatLabelSelector({ matchLabels: { 'bad key!': 'x' } })).toBe('<error>');
    expect(selectorString({ matchLabels: { app: 'not valid value' } })).toBeUndefined();
  });
});
