/**
 * Checks shared by the apps/v1 workload kinds: the selector and the pod template it must match,
 * and the status counters.
 */
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { fieldErrors, type FieldError } from '../../errors.js';
import { validatePodTemplateSpec } from '../../core/podtemplate.js';
import { nonNegative, stringMap, type Loose } from '../../validation/fieldchecks.js';
import { goLabelSelector, goStringMap, invalidGo } from '../../validation/govalue.js';
import { validateLabelSelector } from '../../validation/objectmeta.js';
import {
  compileLabelSelector,
  selectorIsEmpty,
  selectorMatches,
  type CompiledSelector,
} from '../../validation/selector.js';

export type Template = Loose<PodTemplateSpec> | undefined;

/**
 * A required, non-empty selector (Deployment, ReplicaSet, StatefulSet). `emptyWord` is the kind
 * named in the "empty selector" message (upstream says "deployment" for ReplicaSets too).
 */
export function validateRequiredSelector(
  sel: Loose<LabelSelector> | undefined | null,
  field: string,
  emptyWord: string,
): FieldError[] {
  if (sel === undefined || sel === null) return [fieldErrors.required(field)];
  const errs = validateLabelSelector(sel as LabelSelector, field);
  const n = Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length;
  if (n === 0)
    errs.push(
      invalidGo(field, goLabelSelector(sel as LabelSelector), `empty selector is invalid for ${emptyWord}`),
    );
  return errs;
}

/** The compiled selector, or the error upstream reports when it cannot be converted. */
export function compileOrError(
  sel: Loose<LabelSelector> | undefined | null,
  field: string,
  detail: string,
): { selector?: CompiledSelector; errors: FieldError[] } {
  const compiled = compileLabelSelector(sel as LabelSelector | undefined);
  if (typeof compiled === 'string') {
    const text = goLabelSelector(sel as LabelSelector | undefined);
    const err: FieldError = detail
      ? invalidGo(field, text, detail)
      : { ...invalidGo(field, text, ''), detail: text };
    return { errors: [err] };
  }
  return { selector: compiled, errors: [] };
}

/** `spec.template.metadata.labels: Invalid value: map[…]: \`selector\` does not match template \`labels\``. */
export function selectorMismatch(
  selector: CompiledSelector,
  template: Template,
  templatePath: string,
): FieldError[] {
  if (selectorIsEmpty(selector)) return [];
  const labels = template?.metadata?.labels;
  if (selectorMatches(selector, stringMap(labels))) return [];
  return [
    invalidGo(
      `${templatePath}.metadata.labels`,
      goStringMap(labels ? stringMap(labels) : undefined),
      '`selector` does not match template `labels`',
    ),
  ];
}

/** The full pod template check, and the restart policy / deadline rules of long-running workloads. */
export function validateLongRunningTemplate(
  template: Template,
  templatePath: string,
  kind: string,
): FieldError[] {
  const errs = validatePodTemplateSpec(template as PodTemplateSpec | undefined, templatePath);
  errs.push(...restartAlwaysRules(template, templatePath, kind));
  return errs;
}

/** restartPolicy must be Always and activeDeadlineSeconds unset. */
export function restartAlwaysRules(template: Template, templatePath: string, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  const rp = template?.spec?.restartPolicy ?? '';
  if (rp !== 'Always')
    errs.push(fieldErrors.notSupported(`${templatePath}.spec.restartPolicy`, rp, ['Always']));
  if (template?.spec?.activeDeadlineSeconds !== undefined && template.spec.activeDeadlineSeconds !== null) {
    errs.push(
      fieldErrors.forbidden(
        `${templatePath}.spec.activeDeadlineSeconds`,
        `activeDeadlineSeconds in ${kind} is not Supported`,
      ),
    );
  }
  return errs;
}

/** Non-negative status counters and the "cannot be greater than" rules shared by the replica kinds. */
export function validateReplicaCounters(
  status: Record<string, unknown>,
  counters: readonly string[],
  boundedByReplicas: readonly string[],
): FieldError[] {
  const errs: FieldError[] = [];
  const n = (k: string): number => (typeof status[k] === 'number' ? (status[k] as number) : 0);
  for (const c of counters) errs.push(...nonNegative(status[c] as number | undefined, `status.${c}`));
  for (const c of boundedByReplicas) {
    if (n(c) > n('replicas'))
      errs.push(fieldErrors.invalid(`status.${c}`, n(c), 'cannot be greater than status.replicas'));
  }
  return errs;
}

/** `status.collisionCount: Invalid value: N: cannot be decremented`. */
export function collisionCountNotDecremented(
  status: Record<string, unknown> | undefined,
  oldStatus: Record<string, unknown> | undefined,
): FieldError[] {
  const oldC = oldStatus?.['collisionCount'];
  if (typeof oldC !== 'number') return [];
  const newC = status?.['collisionCount'];
  const value = typeof newC === 'number' ? newC : 0;
  if (typeof newC === 'number' && newC >= oldC) return [];
  return [fieldErrors.invalid('status.collisionCount', value, 'cannot be decremented')];
}
