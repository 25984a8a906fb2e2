/**
 * DaemonSet validation (upstream ValidateDaemonSetSpec, ValidateDaemonSetUpdate and the status
 * checks).
 */
import type { DaemonSet, DaemonSetUpdateStrategy } from 'kubernetes-types/apps/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
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
import { validateLabelSelector } from '../../validation/objectmeta.js';
import {
  collisionCountNotDecremented,
  compileOrError,
  selectorMismatch,
  validateLongRunningTemplate,
} from './common.js';

type DS = Loose<DaemonSet>;

function validateUpdateStrategy(us: Loose<DaemonSetUpdateStrategy> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = us?.type ?? '';
  const ru = us?.rollingUpdate;
  switch (type) {
    case 'OnDelete':
      break;
    case 'RollingUpdate': {
      if (ru === undefined || ru === null) return [fieldErrors.required(`${path}.rollingUpdate`)];
      const rp = `${path}.rollingUpdate`;
      const mu = ru.maxUnavailable as IntOrString | undefined;
      const ms = ru.maxSurge as IntOrString | undefined;
      errs.push(...validatePositiveIntOrPercent(mu, `${rp}.maxUnavailable`));
      errs.push(...validatePositiveIntOrPercent(ms, `${rp}.maxSurge`));
      errs.push(...isNotMoreThan100Percent(mu, `${rp}.maxUnavailable`));
      errs.push(...isNotMoreThan100Percent(ms, `${rp}.maxSurge`));
      const hasUnavailable = intOrPercentValue(mu) !== 0;
      const hasSurge = intOrPercentValue(ms) !== 0;
      if (hasUnavailable && hasSurge)
        errs.push(
          invalidGo(`${rp}.maxSurge`, goIntOrString(ms), 'may not be set when maxUnavailable is non-zero'),
        );
      else if (!hasUnavailable && !hasSurge)
        errs.push(fieldErrors.required(`${rp}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
      break;
    }
    default: {
      const ruText = ru
        ? goPointer('apps.RollingUpdateDaemonSet')
        : goNilPointer('apps.RollingUpdateDaemonSet');
      errs.push(
        notSupportedGo(path, `apps.DaemonSetUpdateStrategy{Type:${goQuote(type)}, RollingUpdate:${ruText}}`, [
          'RollingUpdate',
          'OnDelete',
        ]),
      );
    }
  }
  return errs;
}

/** Upstream's ValidateDaemonSetSpec at `spec`. */
export function validateDaemonSetSpec(ds: DS): FieldError[] {
  const spec = ds.spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateLabelSelector(spec.selector as LabelSelector | undefined, 'spec.selector'));
  const compiled = compileOrError(spec.selector, 'spec.selector', '');
  if (compiled.selector) errs.push(...selectorMismatch(compiled.selector, spec.template, 'spec.template'));
  const sel = spec.selector;
  if (sel && Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0) {
    errs.push(
      invalidGo(
        'spec.selector',
        goLabelSelector(sel as LabelSelector),
        'empty selector is invalid for daemonset',
      ),
    );
  }
  errs.push(...validateLongRunningTemplate(spec.template, 'spec.template', 'DaemonSet'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateUpdateStrategy(spec.updateStrategy, 'spec.updateStrategy'));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errs;
}

/** A DaemonSet on create. */
export function validateDaemonSet(obj: KubeObject): FieldError[] {
  return validateDaemonSetSpec(obj as DS);
}

/** A DaemonSet on update: the spec rules plus an immutable selector (apps/v1). */
export function validateDaemonSetUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const ds = obj as DS;
  const errs = validateDaemonSetSpec(ds);
  errs.push(
    ...immutable(ds.spec?.selector, (old as DS).spec?.selector, 'spec.selector', (v) =>
      goLabelSelector(v as never),
    ),
  );
  return errs;
}

const STATUS_COUNTERS = [
  'currentNumberScheduled',
  'numberMisscheduled',
  'desiredNumberScheduled',
  'numberReady',
  'observedGeneration',
  'updatedNumberScheduled',
  'numberAvailable',
  'numberUnavailable',
  'collisionCount',
] as const;

/** An update through /status. */
export function validateDaemonSetStatusUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const status = ((obj as DS).status ?? {}) as Record<string, unknown>;
  const errs: FieldError[] = [];
  for (const c of STATUS_COUNTERS) errs.push(...nonNegative(status[c] as number | undefined, `status.${c}`));
  errs.push(
    ...collisionCountNotDecremented(
      status,
      ((old as DS).status ?? undefined) as Record<string, unknown> | undefined,
    ),
  );
  return errs;
}
