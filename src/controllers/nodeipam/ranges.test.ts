import { describe, expect, it } from 'vitest';
import { RangeAllocator } from './ranges.js';

describe('RangeAllocator', () => {
  it('hands out /24 ranges of the cluster CIDR lowest first and reuses released ones', () => {
    const r = new RangeAllocator('10.42.0.0/16', 24);
    expect(r.allocate()).toBe('10.42.0.0/24');
    expect(r.allocate()).toBe('10.42.1.0/24');
    r.occupy('10.42.2.0/24');
    expect(r.allocate()).toBe('10.42.3.0/24');
    r.release('10.42.1.0/24');
    expect(r.allocate()).toBe('10.42.1.0/24');
  });

  it('ignores ranges outside the cluster CIDR or of another size', () => {
    const r = new RangeAllocator('10.42.0.0/16', 24);
    r.occupy('10.99.0.0/24');
    r.occupy('10.42.0.0/25');
    r.occupy('not a cidr');
    expect(r.allocate()).toBe('10.42.0.0/24');
  });

  it('runs out when every range is used', () => {
    const r = new RangeAllocator('10.42.0.0/23', 24);
    expect(r.allocate()).toBe('10.42.0.0/24');
    expect(r.allocate()).toBe('10.42.1.0/24');
    expect(r.allocate()).toBeUndefined();
  });

  it('gives the whole cluster CIDR to one node when it is smaller than a node range', () => {
    const r = new RangeAllocator('10.42.0.0/26', 24);
    expect(r.allocate()).toBe('10.42.0.0/26');
    expect(r.allocate()).toBeUndefined();
  });
});
