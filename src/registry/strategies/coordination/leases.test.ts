import { describe, expect, it } from 'vitest';
import { create } from '../test-support.js';
import { leaseStrategy as s } from './leases.js';

describe('Lease', () => {
  it('accepts a lease and is created on update', () => {
    expect(
      create(s, {
        metadata: { name: 'node-1', namespace: 'kube-node-lease' },
        spec: {
          holderIdentity: 'node-1',
          leaseDurationSeconds: 40,
          renewTime: '2025-01-01T00:00:00.000000Z',
        },
      }),
    ).toEqual([]);
    expect(s.allowCreateOnUpdate).toBe(true);
    expect(s.allowUnconditionalUpdate).toBe(false);
  });
  it('checks durations and transitions, and drops the disabled fields', () => {
    const o = {
      metadata: { name: 'x', namespace: 'default' },
      spec: { leaseDurationSeconds: 0, leaseTransitions: -1, preferredHolder: 'a', strategy: 'Bogus' },
    };
    expect(create(s, o)).toEqual([
      'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
      'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0',
    ]);
    expect(o.spec).toEqual({ leaseDurationSeconds: 0, leaseTransitions: -1 });
  });
});
