/**
 * Deployment validation (upstream ValidateDeploymentSpec, ValidateDeploymentUpdate and the status
 * checks), with upstream's messages.
 */
import type { Deployment, DeploymentStrategy } from 'kubernetes-types/apps/v1.js';
import { fieldErrors, type FieldError } from '../../errors.js';
import type { KubeObject } from '../../meta.js';
import { immutable, nonNegative, type Loose } from '../../validation/fieldchecks.js';
import {
  goIntOrString,
  goLabelSelector,
  goNilPointer,
  goPointer,
  goQuote,
  invalidGo,
  notSupportedGo,
} from '../../validation/govalue.js';
import {
  intOrPercentValue,
  isNotMoreThan100Percent,
  validatePositiveIntOrPercent,
  type IntOrString,
} from '../../validation/intstr.js';
import {
  collisionCountNotDecremented,
  compileOrError,
  selectorMismatch,
  validateLongRunningTemplate,
  validateReplicaCounters,
  validateRequiredSelector,
} from './common.js';

type D = Loose<Deployment>;

function validateStrategy(strategy: Loose<DeploymentStrategy> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = strategy?.type ?? '';
  const ru = strategy?.rollingUpdate;
  switch (type) {
    case 'Recreate':
      if (ru !== undefined && ru !== null)
        errs.push(
          fieldErrors.forbidden(
            `${path}.rollingUpdate`,
            "may not be specified when strategy `type` is 'Recreate'",
          ),
        );
      break;
    case 'RollingUpdate': {
      if (ru === undefined || ru === null) {
        errs.push(fieldErrors.required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil'));
        break;
      }
      const rp = `${path}.rollingUpdate`;
      const mu = ru.maxUnavailable as IntOrString | undefined;
      const ms = ru.maxSurge as IntOrString | undefined;
      errs.push(...validatePositiveIntOrPercent(mu, `${rp}.maxUnavailable`));
      errs.push(...validatePositiveIntOrPercent(ms, `${rp}.maxSurge`));
      if (intOrPercentValue(mu) === 0 && intOrPercentValue(ms) === 0) {
        errs.push(invalidGo(`${rp}.maxUnavailable`, goIntOrString(mu), 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...isNotMoreThan100Percent(mu, `${rp}.maxUnavailable`));
      break;
    }
    default: {
      const ruText = ru
        ? goPointer('apps.RollingUpdateDeployment')
        : goNilPointer('apps.RollingUpdateDeployment');
      errs.push(
        notSupportedGo(path, `apps.DeploymentStrategy{Type:${goQuote(type)}, RollingUpdate:${ruText}}`, [
          'Recreate',
          'RollingUpdate',
        ]),
      );
    }
  }
  return errs;
}

/** Upstream's ValidateDeploymentSpec at `spec`. */
export function validateDeploymentSpec(d: D): FieldError[] {
  const spec = d.spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateRequiredSelector(spec.selector, 'spec.selector', 'deployment'));
  const compiled = compileOrError(spec.selector, 'spec.selector', 'invalid label selector');
  errs.push(...compiled.errors);
  if (compiled.selector) {
    errs.push(...selectorMismatch(compiled.selector, spec.template, 'spec.template'));
    errs.push(...validateLongRunningTemplate(spec.template, 'spec.template', 'ReplicaSet'));
  }
  errs.push(...validateStrategy(spec.strategy, 'spec.strategy'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const pds = spec.progressDeadlineSeconds;
  if (typeof pds === 'number') {
    errs.push(...nonNegative(pds, 'spec.progressDeadlineSeconds'));
    if (pds <= (spec.minReadySeconds ?? 0)) {
      errs.push(
        fieldErrors.invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'),
      );
    }
  }
  return errs;
}

/** A Deployment on create. */
export function validateDeployment(obj: KubeObject): FieldError[] {
  return validateDeploymentSpec(obj as D);
}

/** A Deployment on update: the spec rules plus an immutable selector (apps/v1). */
export function validateDeploymentUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const d = obj as D;
  const o = old as D;
  const errs = validateDeploymentSpec(d);
  errs.push(
    ...immutable(d.spec?.selector, o.spec?.selector, 'spec.selector', (v) => goLabelSelector(v as never)),
  );
  return errs;
}

/** An update through /status. */
export function validateDeploymentStatusUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const status = ((obj as D).status ?? {}) as Record<string, unknown>;
  const oldStatus = ((old as D).status ?? undefined) as Record<string, unknown> | undefined;
  const errs = validateReplicaCounters(
    status,
    [
      'observedGeneration',
      'replicas',
      'updatedReplicas',
      'readyReplicas',
      'availableReplicas',
      'unavailableReplicas',
      'collisionCount',
    ],
    ['updatedReplicas', 'readyReplicas', 'availableReplicas'],
  );
  const avail = typeof status['availableReplicas'] === 'number' ? (status['availableReplicas'] as number) : 0;
  const ready = typeof status['readyReplicas'] === 'number' ? (status['readyReplicas'] as number) : 0;
  if (avail > ready)
    errs.push(fieldErrors.invalid('status.availableReplicas', avail, 'cannot be greater than readyReplicas'));
  errs.push(...collisionCountNotDecremented(status, oldStatus));
  return errs;
}
