/**
 * Test helpers: run objects through a strategy the way the generic store does (defaults, prepare,
 * validate), and render the field errors as upstream prints them.
 */
import { fieldErrorString } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy, StrategyContext } from '../../strategy.js';

/** A fixed context: admin user, namespace "default", a fixed clock. */
export const testContext: StrategyContext = {
  user: { username: 'admin', groups: ['system:masters'] },
  namespace: 'default',
  now: () => new Date('2025-05-01T10:00:00Z'),
};

/** Defaults, prepareForCreate and validate; returns the prepared object and error strings. */
export function create(strategy: Strategy, input: KubeObject): { obj: KubeObject; errors: string[] } {
  const obj = structuredClone(input);
  strategy.defaults?.(obj);
  strategy.prepareForCreate?.(obj, testContext);
  return { obj, errors: strategy.validate(obj, testContext).map(fieldErrorString) };
}

/** Defaults, prepareForUpdate and validateUpdate. */
export function update(
  strategy: Strategy,
  input: KubeObject,
  old: KubeObject,
): { obj: KubeObject; errors: string[] } {
  const obj = structuredClone(input);
  strategy.defaults?.(obj);
  strategy.prepareForUpdate?.(obj, old, testContext);
  const errs = strategy.validateUpdate
    ? strategy.validateUpdate(obj, old, testContext)
    : strategy.validate(obj, testContext);
  return { obj, errors: errs.map(fieldErrorString) };
}

/** Defaults, status prepareForUpdate and status validateUpdate. */
export function updateStatus(
  strategy: Strategy,
  input: KubeObject,
  old: KubeObject,
): { obj: KubeObject; errors: string[] } {
  const obj = structuredClone(input);
  strategy.defaults?.(obj);
  if (!strategy.status) throw new Error('no status strategy');
  strategy.status.prepareForUpdate(obj, old, testContext);
  return { obj, errors: strategy.status.validateUpdate(obj, old, testContext).map(fieldErrorString) };
}
