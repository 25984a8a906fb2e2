import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta.js';
import { findResource } from '../../api/resources.js';
import { defaultTolerationSeconds } from './default-toleration-seconds.js';
import type { AdmissionAttributes } from './types.js';

const plugin = defaultTolerationSeconds({ notReadySeconds: 7, unreachableSeconds: 9 });
const podsType = findResource({ group: '', version: 'v1' }, 'pods');

function admit(tolerations: unknown[] | undefined, over: Partial<AdmissionAttributes> = {}): unknown {
  const object = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers: [], ...(tolerations ? { tolerations } : {}) },
  };
  if (!podsType) throw new Error('pods not in the catalog');
  void plugin.admit?.({
    operation: 'CREATE',
    resource: podsType,
    subresource: '',
    namespace: 'default',
    name: 'p',
    object: object as KubeObject,
    user: { username: 'u', groups: [] },
    dryRun: false,
    ...over,
  });
  return (object.spec as { tolerations?: unknown }).tolerations;
}

describe('DefaultTolerationSeconds admission', () => {
  it('adds the two NoExecute tolerations with the configured seconds', () => {
    expect(admit(undefined)).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 7 },
      {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 9,
      },
    ]);
  });

  it('keeps tolerations that already cover a taint (its key or any key; NoExecute or any effect)', () => {
    const own = {
      key: 'node.kubernetes.io/unreachable',
      operator: 'Exists',
      effect: 'NoExecute',
      tolerationSeconds: 600,
    };
    expect(admit([own])).toEqual([
      own,
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 7 },
    ]);
    expect(admit([{ operator: 'Exists' }])).toEqual([{ operator: 'Exists' }]);
    const noSchedule = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' };
    expect(admit([noSchedule])).toHaveLength(3);
  });

  it('leaves updates and subresources alone', () => {
    expect(admit(undefined, { operation: 'UPDATE' })).toBeUndefined();
    expect(admit(undefined, { subresource: 'status' })).toBeUndefined();
  });
});
