/**
 * Lease strategy: updates of a missing Lease create it, updates must name a resourceVersion, and
 * the CoordinatedLeaderElection fields (a feature that is off by default) are dropped unless used.
 */
import { validateLease } from '../../../api/coordination/validation.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../../strategy.js';

type LeaseSpec = { strategy?: unknown; preferredHolder?: unknown } | undefined;

function dropDisabledFields(obj: KubeObject, old: KubeObject | undefined): void {
  const spec = obj['spec'] as LeaseSpec;
  const oldSpec = old?.['spec'] as LeaseSpec;
  if (!spec) return;
  if (oldSpec?.strategy === undefined) delete spec.strategy;
  if (oldSpec?.preferredHolder === undefined) delete spec.preferredHolder;
}

export const leaseStrategy: Strategy = {
  allowCreateOnUpdate: true,
  allowUnconditionalUpdate: false,
  prepareForCreate(obj) {
    dropDisabledFields(obj, undefined);
  },
  prepareForUpdate(obj, old) {
    dropDisabledFields(obj, old);
  },
  validate: (obj) => validateLease(obj),
  validateUpdate: (obj) => validateLease(obj),
};
