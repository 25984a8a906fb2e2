import { describe, expect, it } from 'vitest';
import { remainingBackoff } from './backoff.js';
import { IndexSet } from './intervals.js';
import { matchSuccessPolicy } from './success-policy.js';

describe('IndexSet', () => {
  it('prints neighbours as a pair and longer runs as ranges', () => {
    expect(IndexSet.of([3, 1, 4, 7, 8, 9, 2]).toString()).toBe('1-4,7-9');
    expect(IndexSet.of([1, 2, 5]).toString()).toBe('1,2,5');
    expect(IndexSet.EMPTY.toString()).toBe('');
  });

  it('parses status text, cutting at completions and skipping corrupt fragments', () => {
    expect(IndexSet.parse('0-2,5,x,7-20', 10).toString()).toBe('0-2,5,7-9');
    expect(IndexSet.parse('0,1', 3).total()).toBe(2);
    expect(IndexSet.parse('4-6', 3).total()).toBe(0);
  });

  it('answers membership, overlap and the first missing indexes', () => {
    const s = IndexSet.parse('1-3,6', 10);
    expect([0, 1, 3, 4, 6].map((i) => s.has(i))).toEqual([false, true, true, false, true]);
    expect(s.countIn(IndexSet.parse('0-2,6-8', 10))).toBe(3);
    expect(s.firstMissing(4, 10)).toEqual([0, 4, 5, 7]);
    expect(s.firstMissing(10, 5)).toEqual([0, 4]);
    expect(s.merge(IndexSet.of([4, 5])).toString()).toBe('1-6');
  });
});

describe('pod failure backoff', () => {
  it('is 10 s after one failure, doubling, capped at 10 minutes', () => {
    expect(remainingBackoff(0, 0, undefined)).toBe(0);
    expect(remainingBackoff(1_000, 1, 0)).toBe(9_000);
    expect(remainingBackoff(0, 2, 0)).toBe(20_000);
    expect(remainingBackoff(0, 3, 0)).toBe(40_000);
    expect(remainingBackoff(0, 20, 0)).toBe(600_000);
    expect(remainingBackoff(700_000, 20, 0)).toBe(0);
  });
});

describe('success policy', () => {
  const done = IndexSet.parse('0,2-4', 10);
  it('matches all of succeededIndexes, or succeededCount of them, or a count overall', () => {
    expect(matchSuccessPolicy({ rules: [{ succeededIndexes: '2-3' }] }, 10, done)).toBe(
      'Matched rules at index 0',
    );
    expect(matchSuccessPolicy({ rules: [{ succeededIndexes: '1-2' }] }, 10, done)).toBeUndefined();
    expect(
      matchSuccessPolicy(
        { rules: [{ succeededIndexes: '5-9' }, { succeededIndexes: '0-5', succeededCount: 4 }] },
        10,
        done,
      ),
    ).toBe('Matched rules at index 1');
    expect(matchSuccessPolicy({ rules: [{ succeededCount: 4 }] }, 10, done)).toBe('Matched rules at index 0');
    expect(matchSuccessPolicy({ rules: [{ succeededCount: 5 }] }, 10, done)).toBeUndefined();
    expect(matchSuccessPolicy(undefined, 10, done)).toBeUndefined();
  });
});
