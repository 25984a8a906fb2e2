/**
 * PodDisruptionBudget validation (upstream ValidatePodDisruptionBudget and the status checks).
 */
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { fieldErrors, type FieldError } from '../errors.js';
import type { KubeObject } from '../meta.js';
import { check, nonNegative, type Loose } from '../validation/fieldchecks.js';
import { invalidGo } from '../validation/govalue.js';
import {
  isNotMoreThan100Percent,
  validatePositiveIntOrPercent,
  type IntOrString,
} from '../validation/intstr.js';
import { validateLabelSelector } from '../validation/objectmeta.js';
import { regexError } from '../validation/regex.js';

type PDB = Loose<PodDisruptionBudget>;

const EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'] as const;

function goIntOrStringPtr(v: IntOrString | undefined | null): string {
  return v === undefined || v === null ? '(*intstr.IntOrString)(nil)' : '(*intstr.IntOrString)(0xc000000000)';
}

/** Upstream's ValidatePodDisruptionBudgetSpec at `spec`. */
export function validatePodDisruptionBudgetSpec(pdb: PDB): FieldError[] {
  const spec = pdb.spec ?? {};
  const errs: FieldError[] = [];
  const min = spec.minAvailable as IntOrString | undefined | null;
  const max = spec.maxUnavailable as IntOrString | undefined | null;
  if (min !== undefined && min !== null && max !== undefined && max !== null) {
    const text = `policy.PodDisruptionBudgetSpec{MinAvailable:${goIntOrStringPtr(min)}, Selector:(*v1.LabelSelector)(${spec.selector ? '0xc000000000' : 'nil'}), MaxUnavailable:${goIntOrStringPtr(max)}, UnhealthyPodEvictionPolicy:(*policy.UnhealthyPodEvictionPolicyType)(${spec.unhealthyPodEvictionPolicy ? '0xc000000000' : 'nil'})}`;
    errs.push(invalidGo('spec', text, 'minAvailable and maxUnavailable cannot be both set'));
  }
  if (min !== undefined && min !== null) {
    errs.push(...validatePositiveIntOrPercent(min, 'spec.minAvailable'));
    errs.push(...isNotMoreThan100Percent(min, 'spec.minAvailable'));
  }
  if (max !== undefined && max !== null) {
    errs.push(...validatePositiveIntOrPercent(max, 'spec.maxUnavailable'));
    errs.push(...isNotMoreThan100Percent(max, 'spec.maxUnavailable'));
  }
  errs.push(...validateLabelSelector(spec.selector as LabelSelector | undefined, 'spec.selector'));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy !== undefined && policy !== null && !(EVICTION_POLICIES as readonly string[]).includes(policy))
    errs.push(fieldErrors.notSupported('spec.unhealthyPodEvictionPolicy', policy, EVICTION_POLICIES));
  return errs;
}

/** A PodDisruptionBudget on create or update. */
export function validatePodDisruptionBudget(obj: KubeObject): FieldError[] {
  return validatePodDisruptionBudgetSpec(obj as PDB);
}

const REASON_FMT = '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?';
const reasonRe = new RegExp(`^${REASON_FMT}$`);
const MAX_REASON = 1024;
const MAX_MESSAGE = 32768;
const STATUSES = ['False', 'True', 'Unknown'] as const;

interface Condition {
  type?: string;
  status?: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** metav1.Condition lists (upstream ValidateConditions). */
export function validateConditions(conditions: Condition[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (conditions ?? []).forEach((c, i) => {
    const p = `${path}[${i}]`;
    const type = c.type ?? '';
    if (seen.has(type)) errs.push(fieldErrors.duplicate(`${p}.type`, type));
    seen.add(type);
    errs.push(...check.qualifiedName(type, `${p}.type`));
    const status = c.status ?? '';
    if (!(STATUSES as readonly string[]).includes(status))
      errs.push(fieldErrors.notSupported(`${p}.status`, status, STATUSES));
    if ((c.observedGeneration ?? 0) < 0)
      errs.push(
        fieldErrors.invalid(
          `${p}.observedGeneration`,
          c.observedGeneration,
          'must be greater than or equal to zero',
        ),
      );
    if (!c.lastTransitionTime) errs.push(fieldErrors.required(`${p}.lastTransitionTime`, 'must be set'));
    const reason = c.reason ?? '';
    if (reason === '') errs.push(fieldErrors.required(`${p}.reason`, 'must be set'));
    else {
      if (!reasonRe.test(reason)) {
        errs.push(
          fieldErrors.invalid(
            `${p}.reason`,
            reason,
            regexError(
              "a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_'",
              REASON_FMT,
              'my_name',
              'MY_NAME',
              'MyName',
              'ReasonA,ReasonB',
              'ReasonA:ReasonB',
            ),
          ),
        );
      }
      if (reason.length > MAX_REASON) errs.push(fieldErrors.tooLong(`${p}.reason`, reason, MAX_REASON));
    }
    if ((c.message ?? '').length > MAX_MESSAGE)
      errs.push(fieldErrors.tooLong(`${p}.message`, c.message, MAX_MESSAGE));
  });
  return errs;
}

/** An update through /status (policy/v1 rules). */
export function validatePodDisruptionBudgetStatusUpdate(obj: KubeObject): FieldError[] {
  const st = (obj as PDB).status ?? {};
  return [
    ...validateConditions(st.conditions as Condition[] | undefined, 'status.conditions'),
    ...nonNegative(st.disruptionsAllowed, 'status.disruptionsAllowed'),
    ...nonNegative(st.currentHealthy, 'status.currentHealthy'),
    ...nonNegative(st.desiredHealthy, 'status.desiredHealthy'),
    ...nonNegative(st.expectedPods, 'status.expectedPods'),
  ];
}
