import { describe, expect, it } from 'vitest';
import { RESOURCES, storageOf } from '../../api/resources.js';
import { groupStrategies } from './groups.js';

describe('groupStrategies', () => {
  it('has a strategy for every stored resource of the non-core, non-RBAC groups', () => {
    const expected = new Set<string>();
    for (const r of RESOURCES) {
      const s = storageOf(r);
      if (r.virtual || s.group === '' || s.group === 'rbac.authorization.k8s.io') continue;
      expected.add(`${s.group}/${s.resource}`);
    }
    expect(Object.keys(groupStrategies).sort()).toEqual([...expected].sort());
  });
});
