/**
 * ResourceQuotas: REQUEST and LIMIT list `resource: used/hard` for each hard limit, limits.* ones
 * in LIMIT and all others in REQUEST.
 */
import type { ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../meta.js';
import { AGE, NAME, ageOf, column, nameOf, printer, view } from '../columns.js';
import { canonicalQuantity } from '../quantity.js';
import { compareStrings } from '../selectors.js';
import type { Cell } from '../types.js';

const columns = [
  NAME,
  column('Request', 'string', 'Used and hard amounts of the quota, other than limits.'),
  column('Limit', 'string', 'Used and hard amounts of the limits.* entries of the quota.'),
  AGE,
];

function quotaCells(obj: KubeObject, now: Date): Cell[] {
  const status = view<ResourceQuota>(obj).status ?? {};
  const hard = status.hard ?? {};
  const used = status.used ?? {};
  const requests: string[] = [];
  const limits: string[] = [];
  for (const resource of Object.keys(hard).sort(compareStrings)) {
    const entry = `${resource}: ${canonicalQuantity(used[resource])}/${canonicalQuantity(hard[resource])}`;
    const dot = resource.indexOf('.');
    if (dot > 0 && resource.slice(0, dot) === 'limits') limits.push(entry);
    else requests.push(entry);
  }
  return [nameOf(obj), requests.join(', '), limits.join(', '), ageOf(obj, now)];
}

/** core/v1 ResourceQuota. */
export const resourceQuotaPrinter = printer(columns, quotaCells);
