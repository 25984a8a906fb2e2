/**
 * StatefulSet validation (upstream ValidateStatefulSetSpec, ValidateStatefulSetUpdate and the status
 * checks). As upstream, the pod template's spec is not validated here beyond labels, annotations,
 * restart policy and deadline: its volumes may refer to claim templates.
 */
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import { fieldErrors, type FieldError } from '../../errors.js';
import type { KubeObject } from '../../meta.js';
import { clone, semanticEqual } from '../../validation/equality.js';
import { nonNegative, type Loose } from '../../validation/fieldchecks.js';
import { goIntOrString, goNilPointer, goPointer, goQuote, invalidGo } from '../../validation/govalue.js';
import {
  intOrPercentValue,
  isNotMoreThan100Percent,
  validatePositiveIntOrPercent,
  type IntOrString,
} from '../../validation/intstr.js';
import { validateAnnotations, validateLabels } from '../../validation/objectmeta.js';
import {
  collisionCountNotDecremented,
  compileOrError,
  restartAlwaysRules,
  selectorMismatch,
  validateReplicaCounters,
  validateRequiredSelector,
} from './common.js';

type STS = Loose<StatefulSet>;

const RETENTION = ['Retain', 'Delete'] as const;

function validateRetentionType(v: string | undefined, field: string): FieldError[] {
  const value = v ?? '';
  return (RETENTION as readonly string[]).includes(value)
    ? []
    : [fieldErrors.notSupported(field, value, RETENTION)];
}

function validateUpdateStrategy(spec: NonNullable<STS['spec']>): FieldError[] {
  const errs: FieldError[] = [];
  const us = spec.updateStrategy ?? {};
  const type = us.type ?? '';
  const ru = us.rollingUpdate;
  switch (type) {
    case '':
      errs.push(fieldErrors.required('spec.updateStrategy'));
      break;
    case 'OnDelete':
      if (ru !== undefined && ru !== null) {
        const mu =
          ru.maxUnavailable === undefined
            ? goNilPointer('intstr.IntOrString')
            : goPointer('intstr.IntOrString');
        errs.push(
          invalidGo(
            'spec.updateStrategy.rollingUpdate',
            `apps.RollingUpdateStatefulSetStrategy{Partition:${ru.partition ?? 0}, MaxUnavailable:${mu}}`,
            "only allowed for updateStrategy 'RollingUpdate'",
          ),
        );
      }
      break;
    case 'RollingUpdate':
      if (ru !== undefined && ru !== null) {
        const p = 'spec.updateStrategy.rollingUpdate';
        errs.push(...nonNegative(ru.partition, `${p}.partition`));
        if (ru.maxUnavailable !== undefined && ru.maxUnavailable !== null) {
          const mu = ru.maxUnavailable as IntOrString;
          errs.push(...validatePositiveIntOrPercent(mu, `${p}.maxUnavailable`));
          if (intOrPercentValue(mu) === 0)
            errs.push(invalidGo(`${p}.maxUnavailable`, goIntOrString(mu), 'cannot be 0'));
          errs.push(...isNotMoreThan100Percent(mu, `${p}.maxUnavailable`));
        }
      }
      break;
    default: {
      const ruText = ru
        ? goPointer('apps.RollingUpdateStatefulSetStrategy')
        : goNilPointer('apps.RollingUpdateStatefulSetStrategy');
      errs.push(
        invalidGo(
          'spec.updateStrategy',
          `apps.StatefulSetUpdateStrategy{Type:${goQuote(type)}, RollingUpdate:${ruText}}`,
          "must be 'RollingUpdate' or 'OnDelete'",
        ),
      );
    }
  }
  return errs;
}

/** Upstream's ValidateStatefulSetSpec at `spec`. */
export function validateStatefulSetSpec(sts: STS): FieldError[] {
  const spec = sts.spec ?? {};
  const errs: FieldError[] = [];
  const pmp = spec.podManagementPolicy ?? '';
  if (pmp === '') errs.push(fieldErrors.required('spec.podManagementPolicy'));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel')
    errs.push(fieldErrors.invalid('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"));
  errs.push(...validateUpdateStrategy(spec));
  const retention = spec.persistentVolumeClaimRetentionPolicy;
  if (retention) {
    const p = 'spec.persistentVolumeClaimRetentionPolicy';
    errs.push(...validateRetentionType(retention.whenDeleted, `${p}.whenDeleted`));
    errs.push(...validateRetentionType(retention.whenScaled, `${p}.whenScaled`));
  }
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  if (spec.ordinals) errs.push(...nonNegative(spec.ordinals.start, 'spec.ordinals.start'));
  errs.push(...validateRequiredSelector(spec.selector, 'spec.selector', 'statefulset'));
  const compiled = compileOrError(spec.selector, 'spec.selector', '');
  errs.push(...compiled.errors);
  if (compiled.selector) {
    const template = spec.template;
    errs.push(...selectorMismatch(compiled.selector, template, 'spec.template'));
    errs.push(...validateLabels(template?.metadata?.labels, 'spec.template.labels'));
    errs.push(...validateAnnotations(template?.metadata?.annotations, 'spec.template.annotations'));
  }
  errs.push(...restartAlwaysRules(spec.template, 'spec.template', 'StatefulSet'));
  return errs;
}

/** A StatefulSet on create. */
export function validateStatefulSet(obj: KubeObject): FieldError[] {
  return validateStatefulSetSpec(obj as STS);
}

const MUTABLE = [
  'replicas',
  'template',
  'updateStrategy',
  'minReadySeconds',
  'ordinals',
  'persistentVolumeClaimRetentionPolicy',
] as const;

/** A StatefulSet on update: only some spec fields may change. */
export function validateStatefulSetUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const sts = obj as STS;
  const errs = validateStatefulSetSpec(sts);
  const newSpec = clone((sts.spec ?? {}) as Record<string, unknown>);
  const oldSpec = clone(((old as STS).spec ?? {}) as Record<string, unknown>);
  for (const k of MUTABLE) {
    delete newSpec[k];
    delete oldSpec[k];
  }
  if (!semanticEqual(newSpec, oldSpec)) {
    errs.push(
      fieldErrors.forbidden(
        'spec',
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
  return errs;
}

/** An update through /status. */
export function validateStatefulSetStatusUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const status = ((obj as STS).status ?? {}) as Record<string, unknown>;
  const errs = validateReplicaCounters(
    status,
    [
      'replicas',
      'readyReplicas',
      'currentReplicas',
      'updatedReplicas',
      'availableReplicas',
      'observedGeneration',
      'collisionCount',
    ],
    ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas'],
  );
  const avail = typeof status['availableReplicas'] === 'number' ? (status['availableReplicas'] as number) : 0;
  const ready = typeof status['readyReplicas'] === 'number' ? (status['readyReplicas'] as number) : 0;
  if (avail > ready)
    errs.push(
      fieldErrors.invalid('status.availableReplicas', avail, 'cannot be greater than status.readyReplicas'),
    );
  errs.push(
    ...collisionCountNotDecremented(
      status,
      ((old as STS).status ?? undefined) as Record<string, unknown> | undefined,
    ),
  );
  return errs;
}
