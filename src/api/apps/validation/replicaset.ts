/**
 * ReplicaSet validation (upstream ValidateReplicaSetSpec and the status checks).
 */
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { fieldErrors, type FieldError } from '../../errors.js';
import type { KubeObject } from '../../meta.js';
import { immutable, nonNegative, type Loose } from '../../validation/fieldchecks.js';
import { goLabelSelector } from '../../validation/govalue.js';
import {
  compileOrError,
  selectorMismatch,
  validateLongRunningTemplate,
  validateReplicaCounters,
  validateRequiredSelector,
} from './common.js';

type RS = Loose<ReplicaSet>;

/** Upstream's ValidateReplicaSetSpec at `spec`. */
export function validateReplicaSetSpec(rs: RS): FieldError[] {
  const spec = rs.spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  // Upstream names "deployment" in this message for ReplicaSets too.
  errs.push(...validateRequiredSelector(spec.selector, 'spec.selector', 'deployment'));
  const compiled = compileOrError(spec.selector, 'spec.selector', 'invalid label selector');
  errs.push(...compiled.errors);
  if (compiled.selector) {
    errs.push(...selectorMismatch(compiled.selector, spec.template, 'spec.template'));
    errs.push(...validateLongRunningTemplate(spec.template, 'spec.template', 'ReplicaSet'));
  }
  return errs;
}

/** A ReplicaSet on create. */
export function validateReplicaSet(obj: KubeObject): FieldError[] {
  return validateReplicaSetSpec(obj as RS);
}

/** A ReplicaSet on update: the spec rules plus an immutable selector (apps/v1). */
export function validateReplicaSetUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const rs = obj as RS;
  const errs = validateReplicaSetSpec(rs);
  errs.push(
    ...immutable(rs.spec?.selector, (old as RS).spec?.selector, 'spec.selector', (v) =>
      goLabelSelector(v as never),
    ),
  );
  return errs;
}

/** An update through /status. */
export function validateReplicaSetStatusUpdate(obj: KubeObject): FieldError[] {
  const status = ((obj as RS).status ?? {}) as Record<string, unknown>;
  const errs = validateReplicaCounters(
    status,
    ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'],
    ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'],
  );
  const avail = typeof status['availableReplicas'] === 'number' ? (status['availableReplicas'] as number) : 0;
  const ready = typeof status['readyReplicas'] === 'number' ? (status['readyReplicas'] as number) : 0;
  if (avail > ready)
    errs.push(fieldErrors.invalid('status.availableReplicas', avail, 'cannot be greater than readyReplicas'));
  return errs;
}
