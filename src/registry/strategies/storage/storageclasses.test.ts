import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../api/meta.js';
import { copy, create, set, update } from '../test-support.js';
import { storageClassStrategy as s } from './storageclasses.js';

function sc(...edits: [string, unknown][]): KubeObject {
  const o: KubeObject = { metadata: { name: 'standard' }, provisioner: 'rancher.io/local-path' };
  for (const [path, value] of edits) set(o, path, value);
  return o;
}

describe('StorageClass', () => {
  it('defaults reclaim policy and binding mode', () => {
    const o = sc();
    expect(create(s, o)).toEqual([]);
    expect(o).toMatchObject({ reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' });
  });
  it('validates fields', () => {
    const o = sc(
      ['provisioner', ''],
      ['reclaimPolicy', 'Recycle'],
      ['volumeBindingMode', 'Later'],
      ['allowedTopologies', [{ matchLabelExpressions: [{ key: 'zone', values: [] }] }, {}]],
    );
    expect(create(s, o)).toEqual([
      'provisioner: Required value',
      'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
      'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"',
      'allowedTopologies[0].matchLabelExpressions[0].values: Required value',
      'allowedTopologies[1].matchLabelExpressions: Duplicate value: ""',
      'allowedTopologies[1].matchLabelExpressions: Duplicate value: ""',
    ]);
  });
  it('forbids changing the provisioner, parameters and policies', () => {
    const old = sc(['parameters', { type: 'ssd' }]);
    create(s, old);
    const o = copy(old);
    set(o, 'provisioner', 'example.com/other');
    set(o, 'parameters', { type: 'hdd' });
    set(o, 'reclaimPolicy', 'Retain');
    set(o, 'volumeBindingMode', 'WaitForFirstConsumer');
    set(o, 'allowVolumeExpansion', true);
    expect(update(s, o, old)).toEqual([
      'parameters: Forbidden: updates to parameters are forbidden.',
      'provisioner: Forbidden: updates to provisioner are forbidden.',
      'reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.',
      'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable',
    ]);
  });
});
