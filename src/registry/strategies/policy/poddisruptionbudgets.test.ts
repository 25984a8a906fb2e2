import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { evictionDeleteOptions } from '../../../api/policy/eviction.js';
import { copy, create, set, update, updateStatus } from '../test-support.js';
import { podDisruptionBudgetStrategy as s } from './poddisruptionbudgets.js';

function pdb(...edits: [string, unknown][]): KubeObject {
  const o: KubeObject = {
    metadata: { name: 'web', namespace: 'default' },
    spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
  };
  for (const [path, value] of edits) set(o, path, value);
  return o;
}

describe('PodDisruptionBudget', () => {
  it('prepares status and generation', () => {
    const o = pdb(['status', { disruptionsAllowed: 4 }]);
    expect(create(s, o)).toEqual([]);
    expect(o['status']).toEqual({
      disruptionsAllowed: 0,
      currentHealthy: 0,
      desiredHealthy: 0,
      expectedPods: 0,
    });
    expect(o.metadata?.generation).toBe(1);
  });
  it('checks minAvailable and maxUnavailable', () => {
    expect(create(s, pdb(['spec.maxUnavailable', '10%']))).toEqual([
      'spec: Invalid value: policy.PodDisruptionBudgetSpec{MinAvailable:(*intstr.IntOrString)(0xc000000000), Selector:(*v1.LabelSelector)(0xc000000000), MaxUnavailable:(*intstr.IntOrString)(0xc000000000), UnhealthyPodEvictionPolicy:(*policy.UnhealthyPodEvictionPolicyType)(nil)}: minAvailable and maxUnavailable cannot be both set',
    ]);
    expect(create(s, pdb(['spec.minAvailable', '120%']))).toEqual([
      'spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"120%"}: must not be greater than 100%',
    ]);
    expect(create(s, pdb(['spec.minAvailable', -2], ['spec.unhealthyPodEvictionPolicy', 'Never']))).toEqual([
      'spec.minAvailable: Invalid value: -2: must be greater than or equal to 0',
      'spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"',
    ]);
  });
  it('allows selector updates, bumps generation and checks status', () => {
    const old = pdb();
    create(s, old);
    const o = copy(old);
    set(o, 'spec.selector', { matchLabels: { app: 'other' } });
    expect(update(s, o, old)).toEqual([]);
    expect(o.metadata?.generation).toBe(2);
    const st = copy(old);
    set(st, 'status', {
      disruptionsAllowed: -1,
      currentHealthy: 0,
      desiredHealthy: 0,
      expectedPods: 0,
      conditions: [{ type: 'DisruptionAllowed', status: 'Maybe', reason: '1bad' }],
    });
    expect(updateStatus(s, st, old)).toEqual([
      'status.conditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"',
      'status.conditions[0].lastTransitionTime: Required value: must be set',
      "status.conditions[0].reason: Invalid value: \"1bad\": a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName',  or 'ReasonA,ReasonB',  or 'ReasonA:ReasonB', regex used for validation is '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?')",
      'status.disruptionsAllowed: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });
});

describe('Eviction body', () => {
  const eviction = (deleteOptions?: unknown): KubeObject => ({
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name: 'web-1', namespace: 'default' },
    ...(deleteOptions === undefined ? {} : { deleteOptions }),
  });
  it('returns the delete options, merging the request dry-run', () => {
    expect(evictionDeleteOptions(eviction(), 'web-1')).toEqual({});
    expect(evictionDeleteOptions(eviction({ gracePeriodSeconds: 0 }), 'web-1', ['All'])).toEqual({
      gracePeriodSeconds: 0,
      dryRun: ['All'],
    });
  });
  it('rejects a name mismatch', () => {
    try {
      evictionDeleteOptions(eviction(), 'web-2');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).status).toMatchObject({
        code: 400,
        reason: 'BadRequest',
        message: 'name in URL does not match name in Eviction object',
      });
    }
  });
  it('rejects invalid delete options', () => {
    try {
      evictionDeleteOptions(eviction({ propagationPolicy: 'Sometimes', dryRun: ['Maybe'] }), 'web-1');
      expect.unreachable();
    } catch (e) {
      const err = e as ApiError;
      expect(err.status.code).toBe(422);
      expect(err.status.details?.causes?.map((c) => `${c.field}: ${c.message}`)).toEqual([
        'propagationPolicy: Unsupported value: "Sometimes": supported values: "Foreground", "Background", "Orphan", "nil"',
        'dryRun[0]: Unsupported value: "Maybe": supported values: "All"',
      ]);
    }
    expect(() => evictionDeleteOptions(eviction({ dryRun: ['All'] }), 'web-1', ['Other'])).toThrow(
      'Internal error occurred: Non-matching dry-run options in request and content: [Other] and [All]',
    );
  });
});
