/**
 * The strategy of every stored resource, keyed `group/plural` ('' group for core: `/pods`).
 */
import type { Strategy } from '../strategy.js';

const STRATEGIES: Record<string, Strategy> = {};

/** A kind with no rules of its own: ObjectMeta validation only. */
export const defaultStrategy: Strategy = {
  validate: () => [],
};

/** The strategy of a stored resource. */
export function strategyFor(group: string, plural: string): Strategy {
  return STRATEGIES[`${group}/${plural}`] ?? defaultStrategy;
}
