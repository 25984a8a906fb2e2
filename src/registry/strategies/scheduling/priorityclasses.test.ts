import { describe, expect, it } from 'vitest';
import { create, update } from '../test-support.js';
import { priorityClassStrategy as s } from './priorityclasses.js';

describe('PriorityClass', () => {
  it('defaults preemptionPolicy and accepts user classes up to one billion', () => {
    const o = { metadata: { name: 'high' }, value: 1_000_000_000 };
    expect(create(s, o)).toEqual([]);
    expect(o).toMatchObject({ preemptionPolicy: 'PreemptLowerPriority' });
    expect(create(s, { metadata: { name: 'low' }, value: -5 })).toEqual([]);
  });
  it('caps user values and reserves the system- prefix', () => {
    expect(create(s, { metadata: { name: 'huge' }, value: 1_000_000_001 })).toEqual([
      'value: Forbidden: maximum allowed value of a user defined priority is 1000000000',
    ]);
    expect(create(s, { metadata: { name: 'system-mine' }, value: 10 })).toEqual([
      "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class",
    ]);
    expect(create(s, { metadata: { name: 'system-node-critical' }, value: 10 })).toEqual([
      "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: value of system-node-critical PriorityClass must be 2000001000",
    ]);
    expect(create(s, { metadata: { name: 'system-cluster-critical' }, value: 2_000_000_000 })).toEqual([]);
    expect(create(s, { metadata: { name: 'p' }, value: 1, preemptionPolicy: 'Always' })).toEqual([
      'preemptionPolicy: Unsupported value: "Always": supported values: "PreemptLowerPriority", "Never"',
    ]);
  });
  it('keeps value and preemptionPolicy immutable', () => {
    const old = { metadata: { name: 'p' }, value: 5, preemptionPolicy: 'Never' };
    expect(
      update(s, { metadata: { name: 'p' }, value: 6, preemptionPolicy: 'PreemptLowerPriority' }, old),
    ).toEqual([
      'value: Forbidden: may not be changed in an update.',
      'preemptionPolicy: Invalid value: "PreemptLowerPriority": field is immutable',
    ]);
  });
});
