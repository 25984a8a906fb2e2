import { describe, expect, it } from 'vitest';
import { matchingTolerations, minTolerationSeconds, tolerates } from './taints.js';

const unreachable = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };

describe('tolerations', () => {
  it('match on effect, key and operator as upstream', () => {
    expect(tolerates({ operator: 'Exists' }, unreachable)).toBe(true);
    expect(tolerates({ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }, unreachable)).toBe(true);
    expect(
      tolerates(
        { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', operator: 'Exists' },
        unreachable,
      ),
    ).toBe(false);
    expect(tolerates({ key: 'other', operator: 'Exists' }, unreachable)).toBe(false);
    expect(tolerates({ key: 'k', value: 'v' }, { key: 'k', value: 'v', effect: 'NoExecute' })).toBe(true);
    expect(
      tolerates({ key: 'k', operator: 'Equal', value: 'w' }, { key: 'k', value: 'v', effect: 'NoExecute' }),
    ).toBe(false);
  });

  it('need every taint tolerated, and count the shortest tolerationSeconds', () => {
    const taints = [unreachable, { key: 'gpu', effect: 'NoExecute' }];
    expect(matchingTolerations(taints, [{ operator: 'Exists', tolerationSeconds: 5 }])).toEqual({
      all: true,
      used: [
        { operator: 'Exists', tolerationSeconds: 5 },
        { operator: 'Exists', tolerationSeconds: 5 },
      ],
    });
    expect(matchingTolerations(taints, [{ key: 'gpu', operator: 'Exists' }]).all).toBe(false);
    expect(matchingTolerations([], []).all).toBe(true);
    expect(minTolerationSeconds([])).toBe(0);
    expect(minTolerationSeconds([{ operator: 'Exists' }])).toBeUndefined();
    expect(minTolerationSeconds([{ tolerationSeconds: 30 }, { tolerationSeconds: 10 }, {}])).toBe(10);
    expect(minTolerationSeconds([{ tolerationSeconds: -1 }, { tolerationSeconds: 10 }])).toBe(0);
  });
});
