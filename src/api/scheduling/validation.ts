/**
 * PriorityClass validation: the `system-` prefix is reserved for the built-in classes, user
 * values are capped at one billion, value and preemptionPolicy are immutable. (That only one
 * class is globalDefault is enforced by admission, not here.)
 */
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import { fieldErrors, type FieldError } from '../errors.js';
import type { KubeObject } from '../meta.js';
import { immutable, type Loose } from '../validation/fieldchecks.js';

type PC = Loose<PriorityClass>;

/** The highest value a user-defined PriorityClass may have. */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
export const SYSTEM_PRIORITY_CLASS_PREFIX = 'system-';

/** The built-in classes: name → value (neither is the global default). */
export const SYSTEM_PRIORITY_CLASSES: Readonly<Record<string, number>> = {
  'system-node-critical': 2_000_001_000,
  'system-cluster-critical': 2_000_000_000,
};

function knownSystemClassError(name: string, value: number, globalDefault: boolean): string | undefined {
  const expected = SYSTEM_PRIORITY_CLASSES[name];
  if (expected === undefined) return `${name} is not a known system priority class`;
  if (expected !== value) return `value of ${name} PriorityClass must be ${expected}`;
  if (globalDefault) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

/** A PriorityClass on create. */
export function validatePriorityClass(obj: KubeObject): FieldError[] {
  const pc = obj as PC;
  const errs: FieldError[] = [];
  const name = pc.metadata?.name ?? '';
  const value = pc.value ?? 0;
  if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    const err = knownSystemClassError(name, value, pc.globalDefault === true);
    if (err)
      errs.push(
        fieldErrors.forbidden(
          'metadata.name',
          `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${err}`,
        ),
      );
  } else if (value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(
      fieldErrors.forbidden(
        'value',
        `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`,
      ),
    );
  }
  const policy = pc.preemptionPolicy;
  if (policy !== undefined && policy !== null) {
    if (policy === '') errs.push(fieldErrors.required('preemptionPolicy'));
    else if (policy !== 'PreemptLowerPriority' && policy !== 'Never')
      errs.push(fieldErrors.notSupported('preemptionPolicy', policy, ['PreemptLowerPriority', 'Never']));
  }
  return errs;
}

/** A PriorityClass on update: value and preemptionPolicy are fixed. */
export function validatePriorityClassUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const pc = obj as PC;
  const o = old as PC;
  const errs: FieldError[] = [];
  if ((pc.value ?? 0) !== (o.value ?? 0))
    errs.push(fieldErrors.forbidden('value', 'may not be changed in an update.'));
  errs.push(...immutable(pc.preemptionPolicy, o.preemptionPolicy, 'preemptionPolicy'));
  return errs;
}
