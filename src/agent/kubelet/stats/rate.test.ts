import { describe, expect, it } from 'vitest';
import { CpuRates } from './rate.js';

const S = 1e9;

describe('CpuRates', () => {
  it('needs two samples, then answers the average over the window in nanocores', () => {
    const r = new CpuRates();
    expect(r.observe('c', { usageCoreNanoSeconds: 10 * S, timestampNs: 100 * S })).toBeUndefined();
    // 5 s of CPU in 10 s: half a core
    expect(r.observe('c', { usageCoreNanoSeconds: 15 * S, timestampNs: 110 * S })).toBe(0.5e9);
    // two cores busy for 2 s
    expect(r.observe('c', { usageCoreNanoSeconds: 19 * S, timestampNs: 112 * S })).toBe(2e9);
    // keys are independent
    expect(r.observe('d', { usageCoreNanoSeconds: 1, timestampNs: 112 * S })).toBeUndefined();
  });

  it('keeps the last full-window rate for samples closer than the minimum window', () => {
    const r = new CpuRates({ minWindowNs: S });
    r.observe('c', { usageCoreNanoSeconds: 0, timestampNs: 0 });
    // no full window yet: the short one still gives a true average
    expect(r.observe('c', { usageCoreNanoSeconds: 0.1 * S, timestampNs: 0.1 * S })).toBe(1e9);
    expect(r.observe('c', { usageCoreNanoSeconds: 1 * S, timestampNs: 4 * S })).toBe(0.25e9);
    // 10 ms later: the 4 s window's rate, and the base sample stays
    expect(r.observe('c', { usageCoreNanoSeconds: 1.01 * S, timestampNs: 4.01 * S })).toBe(0.25e9);
    expect(r.observe('c', { usageCoreNanoSeconds: 1 * S, timestampNs: 4 * S })).toBe(0.25e9);
    expect(r.observe('c', { usageCoreNanoSeconds: 3 * S, timestampNs: 6 * S })).toBe(1e9);
  });

  it('starts over when the counter goes backwards (a new cgroup under the same key)', () => {
    const r = new CpuRates();
    r.observe('p', { usageCoreNanoSeconds: 50 * S, timestampNs: 0 });
    expect(r.observe('p', { usageCoreNanoSeconds: 1 * S, timestampNs: 10 * S })).toBeUndefined();
    expect(r.observe('p', { usageCoreNanoSeconds: 2 * S, timestampNs: 20 * S })).toBe(0.1e9);
  });

  it('forgets keys not sampled within the maximum age', () => {
    const r = new CpuRates({ maxAgeNs: 60 * S });
    r.observe('old', { usageCoreNanoSeconds: 1, timestampNs: 0 });
    r.observe('new', { usageCoreNanoSeconds: 1, timestampNs: 50 * S });
    r.prune(100 * S);
    expect(r.size).toBe(1);
    expect(r.observe('old', { usageCoreNanoSeconds: 5, timestampNs: 101 * S })).toBeUndefined();
  });
});
