/**
 * The strategy of every stored resource, keyed `group/plural` ('' group for core: `/pods`).
 */
import type { Strategy } from '../strategy.js';
import { coreStrategies } from './core/index.js';
import { groupStrategies } from './groups.js';
import { rbacStrategies } from './rbac/index.js';

function prefixed(group: string, m: Record<string, Strategy>): Record<string, Strategy> {
  return Object.fromEntries(Object.entries(m).map(([plural, s]) => [`${group}/${plural}`, s]));
}

const STRATEGIES: Record<string, Strategy> = {
  ...prefixed('', coreStrategies),
  ...groupStrategies,
  ...prefixed('rbac.authorization.k8s.io', rbacStrategies),
};

/** A kind with no rules of its own: ObjectMeta validation only. */
export const defaultStrategy: Strategy = {
  validate: () => [],
};

/** The strategy of a stored resource. */
export function strategyFor(group: string, plural: string): Strategy {
  return STRATEGIES[`${group}/${plural}`] ?? defaultStrategy;
}
