/**
 * Lease validation (upstream ValidateLease / ValidateLeaseUpdate).
 */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { fieldErrors, type FieldError } from '../errors.js';
import type { KubeObject } from '../meta.js';
import type { Loose } from '../validation/fieldchecks.js';
import { isQualifiedName } from '../validation/names.js';

type L = Loose<Lease> & { spec?: { strategy?: string; preferredHolder?: string } };

const STRATEGIES = ['OldestEmulationVersion'] as const;

/** A Lease on create or update. */
export function validateLease(obj: KubeObject): FieldError[] {
  const spec = (obj as L).spec ?? {};
  const errs: FieldError[] = [];
  const duration = spec.leaseDurationSeconds;
  if (typeof duration === 'number' && duration <= 0)
    errs.push(fieldErrors.invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  const transitions = spec.leaseTransitions;
  if (typeof transitions === 'number' && transitions < 0)
    errs.push(
      fieldErrors.invalid('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'),
    );
  const strategy = spec.strategy;
  if (typeof strategy === 'string') {
    // Upstream reports these at spec.strategy.strategy.
    if (strategy.split('/').length === 1) {
      if (!(STRATEGIES as readonly string[]).includes(strategy))
        errs.push(fieldErrors.notSupported('spec.strategy.strategy', strategy, STRATEGIES));
    } else {
      for (const m of isQualifiedName(strategy))
        errs.push(fieldErrors.invalid('spec.strategy.strategy', strategy, m));
    }
  }
  if (typeof spec.preferredHolder === 'string' && spec.preferredHolder !== '' && (strategy ?? '') === '')
    errs.push(
      fieldErrors.forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'),
    );
  return errs;
}
