import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { matchPodFailurePolicy } from './failure-policy.js';

function failed(exitCodes: Record<string, number>, conditions: { type: string; status: string }[] = []): Pod {
  return {
    metadata: { name: 'p', namespace: 'ns' },
    status: {
      phase: 'Failed',
      conditions,
      containerStatuses: Object.entries(exitCodes).map(([name, exitCode]) => ({
        name,
        image: 'i',
        imageID: '',
        ready: false,
        restartCount: 0,
        state: { terminated: { exitCode } },
      })),
    },
  };
}

describe('matchPodFailurePolicy', () => {
  it('counts every failure without a policy', () => {
    expect(matchPodFailurePolicy(undefined, failed({ c: 1 }))).toEqual({ countFailed: true });
  });

  it('takes the first matching rule, by exit code (In/NotIn, container name) or pod condition', () => {
    const policy = {
      rules: [
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
        { action: 'Count', onExitCodes: { operator: 'NotIn', values: [0, 42] } },
      ],
    };
    expect(matchPodFailurePolicy(policy, failed({ main: 42 }))).toEqual({
      countFailed: true,
      action: 'FailJob',
      failJobMessage: 'Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 1',
    });
    expect(matchPodFailurePolicy(policy, failed({ side: 42 }))).toEqual({ countFailed: true });
    expect(matchPodFailurePolicy(policy, failed({ side: 7 }))).toEqual({
      countFailed: true,
      action: 'Count',
    });
    expect(
      matchPodFailurePolicy(policy, failed({ main: 42 }, [{ type: 'DisruptionTarget', status: 'True' }])),
    ).toEqual({ countFailed: false, action: 'Ignore' });
  });

  it('words a FailJob on a pod condition as upstream does', () => {
    const policy = {
      rules: [{ action: 'FailJob', onPodConditions: [{ type: 'ConfigIssue', status: 'True' }] }],
    };
    expect(
      matchPodFailurePolicy(policy, failed({}, [{ type: 'ConfigIssue', status: 'True' }])).failJobMessage,
    ).toBe('Pod ns/p has condition ConfigIssue matching FailJob rule at index 0');
  });
});
