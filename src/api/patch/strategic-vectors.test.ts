/**
 * Input/result pairs that upstream's strategic merge patch is known to produce (from its own test
 * data), on a small generic type: `mergingList` (merged by `name`), `mergingIntList` (merged
 * primitives) and `nonMergingList` (replaced).
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { obj, p, t } from '../schema/dsl.js';
import { DefinitionRegistry } from '../schema/registry.js';
import { strategicMergePatch } from './strategic.js';

const ITEM = 'test.v1.MergeItem';
const item = obj(ITEM, 'A test item.', {
  name: p.string('Name.'),
  value: p.string('Value.'),
  other: p.string('Other.'),
  mergingList: p.array(t.ref(ITEM), 'Merged by name.', { patchStrategy: 'merge', patchMergeKey: 'name' }),
  nonMergingList: p.array(t.ref(ITEM), 'Replaced.'),
  mergingIntList: p.array(t.int64, 'Merged primitives.', { patchStrategy: 'merge' }),
  nonMergingIntList: p.array(t.int64, 'Replaced primitives.'),
  simpleMap: p.map(t.string, 'A map.'),
});
const registry = new DefinitionRegistry().add(item);

function apply(current: unknown, patch: unknown): unknown {
  return strategicMergePatch(structuredClone(current), patch, item, registry);
}

const n = (name: number, more: Record<string, string> = {}): Record<string, unknown> => ({ name, ...more });
const order = (...names: number[]): Record<string, unknown>[] => names.map((x) => ({ name: x }));

describe('strategic merge patch: upstream results', () => {
  it.each([
    {
      what: 'add map and delete map from merging list',
      current: { mergingList: [n(1), n(2, { other: 'b' }), n(4, { other: 'c' })] },
      patch: {
        '$setElementOrder/mergingList': order(2, 3),
        mergingList: [n(3), { name: 1, $patch: 'delete' }],
      },
      result: { mergingList: [n(2, { other: 'b' }), n(4, { other: 'c' }), n(3)] },
    },
    {
      what: 'add map and delete map from merging list with conflict',
      current: { mergingList: [n(1, { other: 'a' }), n(4, { other: 'c' })] },
      patch: {
        '$setElementOrder/mergingList': order(2, 3),
        mergingList: [n(2), n(3), { name: 1, $patch: 'delete' }],
      },
      result: { mergingList: [n(4, { other: 'c' }), n(2), n(3)] },
    },
    {
      what: 'delete missing map from merging list with conflict',
      current: { mergingList: [n(3, { other: 'a' })] },
      patch: { '$setElementOrder/mergingList': order(2), mergingList: [n(2), { name: 1, $patch: 'delete' }] },
      result: { mergingList: [n(2), n(3, { other: 'a' })] },
    },
    {
      what: 'merge lists of maps',
      current: { mergingList: [n(1, { other: 'a' }), n(2, { value: '2', other: 'b' })] },
      patch: {
        '$setElementOrder/mergingList': order(4, 1, 2, 3),
        mergingList: [n(4, { value: '4' }), n(3, { value: '3' })],
      },
      result: {
        mergingList: [
          n(4, { value: '4' }),
          n(1, { other: 'a' }),
          n(2, { value: '2', other: 'b' }),
          n(3, { value: '3' }),
        ],
      },
    },
    {
      what: 'preserve the order from the patch in a merging list',
      current: { mergingList: [n(1), n(2, { value: 'b' }), n(3)] },
      patch: { mergingList: [n(3, { value: 'c' }), n(1, { value: 'a' })] },
      result: { mergingList: [n(2, { value: 'b' }), n(3, { value: 'c' }), n(1, { value: 'a' })] },
    },
    {
      what: 'preserve the order from the patch in a merging int list',
      current: { mergingIntList: [1, 2, 3] },
      patch: { mergingIntList: [3, 1] },
      result: { mergingIntList: [2, 3, 1] },
    },
    {
      what: 'delete items in lists of scalars',
      current: { mergingIntList: [1, 2, 3, 4] },
      patch: { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] },
      result: { mergingIntList: [1, 2, 4] },
    },
    {
      what: 'delete all duplicate items in lists of scalars',
      current: { mergingIntList: [1, 2, 3, 3, 4] },
      patch: { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] },
      result: { mergingIntList: [1, 2, 4] },
    },
    {
      what: '$setElementOrder names an item the list does not have',
      current: { mergingList: [n(1), n(3)] },
      patch: {
        '$setElementOrder/mergingList': order(3, 2, 1),
        mergingList: [n(3, { value: '3' }), n(1, { value: '1' })],
      },
      result: { mergingList: [n(3, { value: '3' }), n(1, { value: '1' })] },
    },
    {
      what: '$setElementOrder alone reorders an int list',
      current: { mergingIntList: [1, 3] },
      patch: { '$setElementOrder/mergingIntList': [3, 2, 1] },
      result: { mergingIntList: [3, 1] },
    },
    {
      what: 'replace a non-merging list nested in a merging list',
      current: {
        mergingList: [n(1, { other: 'a' }), { name: 2, other: 'b' }],
      },
      patch: {
        '$setElementOrder/mergingList': order(1, 2),
        mergingList: [{ name: 1, nonMergingList: [n(1, { value: '1' })] }],
      },
      result: {
        mergingList: [
          { name: 1, other: 'a', nonMergingList: [n(1, { value: '1' })] },
          { name: 2, other: 'b' },
        ],
      },
    },
    {
      what: 'delete all maps from a merging list',
      current: { mergingList: [n(1, { other: 'a' }), n(2, { other: 'b' })] },
      patch: {
        mergingList: [
          { name: 1, $patch: 'delete' },
          { name: 2, $patch: 'delete' },
        ],
      },
      result: { mergingList: [] },
    },
    {
      what: 'null values remove fields and are not added',
      current: { name: 'original-name', value: 'original-value', other: 'current-other' },
      patch: { name: 'modified-name', value: null },
      result: { name: 'modified-name', other: 'current-other' },
    },
  ])('$what', ({ current, patch, result }) => {
    expect(apply(current, patch)).toEqual(result);
  });

  it.each([
    {
      what: 'a patch list out of order with $setElementOrder',
      current: { mergingList: [n(1), n(3), n(2)] },
      patch: {
        '$setElementOrder/mergingList': order(1, 2, 3),
        mergingList: [n(3, { value: '3' }), n(1, { value: '1' })],
      },
      error: "doesn't match",
    },
    {
      what: 'an int list out of order with $setElementOrder',
      current: { mergingIntList: [1, 3, 2] },
      patch: { '$setElementOrder/mergingIntList': [1, 2, 3], mergingIntList: [3, 1] },
      error: "doesn't match",
    },
    {
      what: 'a missing merge key',
      current: { mergingList: [n(1, { value: 'a' })] },
      patch: { mergingList: [{ value: 'b' }] },
      error: 'does not contain declared merge key',
    },
  ])('rejects $what', ({ current, patch, error }) => {
    let err: unknown;
    try {
      apply(current, patch);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toContain(error);
  });
});
