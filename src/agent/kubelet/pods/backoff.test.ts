import { describe, expect, it } from 'vitest';
import { Backoff, goDuration } from './backoff.js';

describe('Backoff', () => {
  it('restarts at once after the first failure, then waits 10s, 20s, 40s … up to 5 min', () => {
    const b = new Backoff();
    let t = 0;
    expect(b.remaining('k', t, t)).toBe(0);
    b.next('k', t);
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      t += 1000; // the container fails again one second after each restart
      const wait = b.remaining('k', t, t);
      waits.push(wait);
      t += wait;
      expect(b.remaining('k', t - wait, t)).toBe(0);
      b.next('k', t - wait, 1000);
    }
    expect(waits).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  });

  it('starts over after a run of 10 minutes', () => {
    const b = new Backoff();
    b.next('k', 0);
    b.next('k', 1000);
    expect(b.delay('k')).toBe(20_000);
    b.next('k', 700_000, 650_000);
    expect(b.delay('k')).toBe(10_000);
  });

  it('forgets a pod', () => {
    const b = new Backoff();
    b.next('uid1/web', 0);
    b.forget('uid1/');
    expect(b.remaining('uid1/web', 5, 6)).toBe(0);
  });

  it('prints Go durations', () => {
    expect(goDuration(10_000)).toBe('10s');
    expect(goDuration(80_000)).toBe('1m20s');
    expect(goDuration(300_000)).toBe('5m0s');
  });
});
