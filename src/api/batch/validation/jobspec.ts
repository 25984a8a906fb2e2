/**
 * JobSpec validation shared by Jobs and CronJob job templates (upstream validateJobSpec): counts,
 * completion mode, pod failure and success policies, replacement policy, and the pod template with
 * its restart policy.
 */
import type { JobSpec, PodFailurePolicyRule } from 'kubernetes-types/batch/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { OMIT_VALUE, fieldErrors, type FieldError } from '../../errors.js';
import { validatePodTemplateSpec } from '../../core/podtemplate.js';
import { check, isDomainPrefixedPath, nonNegative, type Loose } from '../../validation/fieldchecks.js';
import { goInt32Slice, invalidGo } from '../../validation/govalue.js';

export type Spec = Loose<JobSpec>;

const MAX_PARALLELISM_INDEXED = 100000;
const MAX_FAILED_INDEXES = 100_000;
const COMPLETIONS_SOFT_LIMIT = 100_000;
const PARALLELISM_LIMIT_HIGH_COMPLETIONS = 10_000;
const MAX_FAILED_INDEXES_HIGH_COMPLETIONS = 10_000;
const MAX_POD_FAILURE_RULES = 20;
const MAX_EXIT_CODE_VALUES = 255;
const MAX_POD_CONDITION_PATTERNS = 20;
const MAX_MANAGED_BY = 63;
const MAX_SUCCEEDED_INDEXES = 64 * 1024;
const MAX_SUCCESS_RULES = 20;

const ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'] as const;
const OPERATORS = ['In', 'NotIn'] as const;
const STATUSES = ['False', 'True', 'Unknown'] as const;

/** Go's `%q` of a string slice: `["a" "b"]`. */
function goQuotedList(values: readonly string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
}

function invalidOmit(field: string, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, badValue: OMIT_VALUE, detail };
}

function parseIndexInterval(interval: string, completions: number): [number, number] {
  const limits = interval.split('-');
  if (limits.length > 2) {
    throw new Error(
      `the fragment ${JSON.stringify(interval)} violates the requirement that an index interval can have at most two parts separated by '-'`,
    );
  }
  const parse = (s: string): number => {
    if (!/^[+-]?\d+$/.test(s))
      throw new Error(`cannot convert string to integer for index: ${JSON.stringify(s)}`);
    return Number.parseInt(s, 10);
  };
  const x = parse(limits[0] ?? '');
  if (x >= completions) throw new Error(`too large index: ${JSON.stringify(limits[0])}`);
  if (limits.length > 1) {
    const y = parse(limits[1] ?? '');
    if (y >= completions) throw new Error(`too large index: ${JSON.stringify(limits[1])}`);
    if (x >= y) throw new Error(`non-increasing order, previous: ${x}, current: ${y}`);
    return [x, y];
  }
  return [x, x];
}

/** Upstream's validateIndexesFormat: "1,3-5,7" style; returns the number of indexes. Throws with upstream's message. */
export function indexesCount(indexes: string, completions: number): number {
  if (indexes.length === 0) return 0;
  let last: number | undefined;
  let total = 0;
  for (const interval of indexes.split(',')) {
    const [x, y] = parseIndexInterval(interval, completions);
    if (last !== undefined && last >= x)
      throw new Error(`non-increasing order, previous: ${last}, current: ${x}`);
    total += y - x + 1;
    last = y;
  }
  return total;
}

function validateRule(
  spec: Spec,
  rule: Loose<PodFailurePolicyRule>,
  path: string,
  containers: Set<string>,
): FieldError[] {
  const errs: FieldError[] = [];
  const action = rule.action ?? '';
  if (action === '')
    errs.push(fieldErrors.required(`${path}.action`, `valid values: ${goQuotedList(ACTIONS)}`));
  else if (action === 'FailIndex') {
    if (spec.backoffLimitPerIndex === undefined || spec.backoffLimitPerIndex === null)
      errs.push(fieldErrors.invalid(`${path}.action`, action, 'requires the backoffLimitPerIndex to be set'));
  } else if (!(ACTIONS as readonly string[]).includes(action))
    errs.push(fieldErrors.notSupported(`${path}.action`, action, ACTIONS));

  const onExit = rule.onExitCodes;
  if (onExit) {
    const p = `${path}.onExitCodes`;
    const op = onExit.operator ?? '';
    if (op === '')
      errs.push(fieldErrors.required(`${p}.operator`, `valid values: ${goQuotedList(OPERATORS)}`));
    else if (!(OPERATORS as readonly string[]).includes(op))
      errs.push(fieldErrors.notSupported(`${p}.operator`, op, OPERATORS));
    if (
      onExit.containerName !== undefined &&
      onExit.containerName !== null &&
      !containers.has(onExit.containerName)
    )
      errs.push(
        fieldErrors.invalid(
          `${p}.containerName`,
          onExit.containerName,
          'must be one of the container or initContainer names in the pod template',
        ),
      );
    const values = onExit.values ?? [];
    if (values.length === 0)
      errs.push(invalidGo(`${p}.values`, goInt32Slice(onExit.values), 'at least one value is required'));
    else if (values.length > MAX_EXIT_CODE_VALUES)
      errs.push(fieldErrors.tooMany(`${p}.values`, values.length, MAX_EXIT_CODE_VALUES));
    let ordered = true;
    const seen = new Set<number>();
    values.forEach((v, j) => {
      if (op === 'In' && v === 0)
        errs.push(fieldErrors.invalid(`${p}.values[${j}]`, v, 'must not be 0 for the In operator'));
      if (seen.has(v)) errs.push(fieldErrors.duplicate(`${p}.values[${j}]`, v));
      else seen.add(v);
      if (j > 0 && (values[j - 1] ?? 0) > v) ordered = false;
    });
    if (!ordered) errs.push(invalidGo(`${p}.values`, goInt32Slice(values), 'must be ordered'));
  }
  const patterns = rule.onPodConditions ?? [];
  if (patterns.length > 0) {
    const p = `${path}.onPodConditions`;
    if (patterns.length > MAX_POD_CONDITION_PATTERNS)
      errs.push(fieldErrors.tooMany(p, patterns.length, MAX_POD_CONDITION_PATTERNS));
    patterns.forEach((pattern, j) => {
      errs.push(...check.qualifiedName(pattern.type ?? '', `${p}[${j}].type`));
      const status = pattern.status ?? '';
      if (status === '')
        errs.push(fieldErrors.required(`${p}[${j}].status`, `valid values: ${goQuotedList(STATUSES)}`));
      else if (!(STATUSES as readonly string[]).includes(status))
        errs.push(fieldErrors.notSupported(`${p}[${j}].status`, status, STATUSES));
    });
  }
  if (onExit && patterns.length > 0)
    errs.push(invalidOmit(path, 'specifying both OnExitCodes and OnPodConditions is not supported'));
  if (!onExit && patterns.length === 0)
    errs.push(invalidOmit(path, 'specifying one of OnExitCodes and OnPodConditions is required'));
  return errs;
}

function validateSuccessPolicy(spec: Spec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const rules = spec.successPolicy?.rules ?? [];
  const completions = spec.completions ?? 0;
  if (rules.length === 0)
    errs.push(
      fieldErrors.required(
        `${path}.rules`,
        'at least one rules must be specified when the successPolicy is specified',
      ),
    );
  if (rules.length > MAX_SUCCESS_RULES)
    errs.push(fieldErrors.tooMany(`${path}.rules`, rules.length, MAX_SUCCESS_RULES));
  rules.forEach((rule, i) => {
    const rp = `${path}.rules[${i}]`;
    const idx = rule.succeededIndexes;
    const count = rule.succeededCount;
    if ((count === undefined || count === null) && (idx === undefined || idx === null))
      errs.push(
        fieldErrors.required(rp, 'at least one of succeededCount or succeededIndexes must be specified'),
      );
    let total = 0;
    if (typeof idx === 'string') {
      if (idx.length > MAX_SUCCEEDED_INDEXES)
        errs.push(fieldErrors.tooLong(`${rp}.succeededIndexes`, idx, MAX_SUCCEEDED_INDEXES));
      try {
        total = indexesCount(idx, completions);
      } catch (e) {
        errs.push(
          fieldErrors.invalid(
            `${rp}.succeededIndexes`,
            idx,
            `error parsing succeededIndexes: ${(e as Error).message}`,
          ),
        );
      }
    }
    if (typeof count === 'number') {
      const cp = `${rp}.succeededCount`;
      errs.push(...nonNegative(count, cp));
      if (count > completions)
        errs.push(
          fieldErrors.invalid(
            cp,
            count,
            `must be less than or equal to ${completions} (the number of specified completions)`,
          ),
        );
      if (typeof idx === 'string' && count > total)
        errs.push(
          fieldErrors.invalid(
            cp,
            count,
            `must be less than or equal to ${total} (the number of indexes in the specified succeededIndexes field)`,
          ),
        );
    }
  });
  return errs;
}

/** Upstream's validateJobSpec at `path` (`spec` for Jobs, `spec.jobTemplate.spec` for CronJobs). */
export function validateJobSpecFields(spec: Spec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const has = (v: unknown): boolean => v !== undefined && v !== null;
  errs.push(...nonNegative(spec.parallelism, `${path}.parallelism`));
  errs.push(...nonNegative(spec.completions, `${path}.completions`));
  errs.push(...nonNegative(spec.activeDeadlineSeconds, `${path}.activeDeadlineSeconds`));
  errs.push(...nonNegative(spec.backoffLimit, `${path}.backoffLimit`));
  errs.push(...nonNegative(spec.ttlSecondsAfterFinished, `${path}.ttlSecondsAfterFinished`));
  errs.push(...nonNegative(spec.backoffLimitPerIndex, `${path}.backoffLimitPerIndex`));
  if (has(spec.maxFailedIndexes)) {
    errs.push(...nonNegative(spec.maxFailedIndexes, `${path}.maxFailedIndexes`));
    if (!has(spec.backoffLimitPerIndex))
      errs.push(fieldErrors.required(`${path}.backoffLimitPerIndex`, 'when maxFailedIndexes is specified'));
  }
  if (typeof spec.managedBy === 'string') {
    errs.push(...isDomainPrefixedPath(`${path}.managedBy`, spec.managedBy));
    if (spec.managedBy.length > MAX_MANAGED_BY)
      errs.push(fieldErrors.tooLong(`${path}.managedBy`, spec.managedBy, MAX_MANAGED_BY));
  }
  const mode = spec.completionMode;
  if (has(mode)) {
    if (mode !== 'NonIndexed' && mode !== 'Indexed')
      errs.push(fieldErrors.notSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
    if (mode === 'Indexed') {
      if (!has(spec.completions))
        errs.push(fieldErrors.required(`${path}.completions`, 'when completion mode is Indexed'));
      const par = spec.parallelism;
      if (typeof par === 'number' && par > MAX_PARALLELISM_INDEXED)
        errs.push(
          fieldErrors.invalid(
            `${path}.parallelism`,
            par,
            `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`,
          ),
        );
      const mfi = spec.maxFailedIndexes;
      const comp = spec.completions;
      if (typeof comp === 'number' && typeof mfi === 'number' && mfi > comp)
        errs.push(
          fieldErrors.invalid(`${path}.maxFailedIndexes`, mfi, 'must be less than or equal to completions'),
        );
      if (typeof mfi === 'number' && mfi > MAX_FAILED_INDEXES)
        errs.push(
          fieldErrors.invalid(
            `${path}.maxFailedIndexes`,
            mfi,
            `must be less than or equal to ${MAX_FAILED_INDEXES}`,
          ),
        );
      if (typeof comp === 'number' && comp > COMPLETIONS_SOFT_LIMIT && has(spec.backoffLimitPerIndex)) {
        if (!has(mfi))
          errs.push(
            fieldErrors.required(
              `${path}.maxFailedIndexes`,
              `must be specified when completions is above ${COMPLETIONS_SOFT_LIMIT}`,
            ),
          );
        if (typeof par === 'number' && par > PARALLELISM_LIMIT_HIGH_COMPLETIONS)
          errs.push(
            fieldErrors.invalid(
              `${path}.parallelism`,
              par,
              `must be less than or equal to ${PARALLELISM_LIMIT_HIGH_COMPLETIONS} when completions are above ${COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index`,
            ),
          );
        if (typeof mfi === 'number' && mfi > MAX_FAILED_INDEXES_HIGH_COMPLETIONS)
          errs.push(
            fieldErrors.invalid(
              `${path}.maxFailedIndexes`,
              mfi,
              `must be less than or equal to ${MAX_FAILED_INDEXES_HIGH_COMPLETIONS} when completions are above ${COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index`,
            ),
          );
      }
    }
  }
  if (!has(mode) || mode === 'NonIndexed') {
    if (has(spec.backoffLimitPerIndex))
      errs.push(
        fieldErrors.invalid(
          `${path}.backoffLimitPerIndex`,
          spec.backoffLimitPerIndex,
          'requires indexed completion mode',
        ),
      );
    if (has(spec.maxFailedIndexes))
      errs.push(
        fieldErrors.invalid(
          `${path}.maxFailedIndexes`,
          spec.maxFailedIndexes,
          'requires indexed completion mode',
        ),
      );
  }
  const pfp = spec.podFailurePolicy;
  if (pfp) {
    const rulesPath = `${path}.podFailurePolicy.rules`;
    const rules = pfp.rules ?? [];
    if (rules.length > MAX_POD_FAILURE_RULES)
      errs.push(fieldErrors.tooMany(rulesPath, rules.length, MAX_POD_FAILURE_RULES));
    const containers = new Set<string>();
    for (const c of spec.template?.spec?.containers ?? []) containers.add(c.name ?? '');
    for (const c of spec.template?.spec?.initContainers ?? []) containers.add(c.name ?? '');
    rules.forEach((rule, i) => errs.push(...validateRule(spec, rule, `${rulesPath}[${i}]`, containers)));
  }
  if (spec.successPolicy) {
    if ((mode ?? 'NonIndexed') !== 'Indexed')
      errs.push(
        invalidGo(
          `${path}.successPolicy`,
          'batch.SuccessPolicy{Rules:[]batch.SuccessPolicyRule{...}}',
          'requires indexed completion mode',
        ),
      );
    else errs.push(...validateSuccessPolicy(spec, `${path}.successPolicy`));
  }
  const rp = spec.podReplacementPolicy;
  if (has(rp)) {
    if (pfp) {
      if (rp !== 'Failed')
        errs.push(fieldErrors.notSupported(`${path}.podReplacementPolicy`, rp, ['Failed']));
    } else if (rp !== 'Failed' && rp !== 'TerminatingOrFailed')
      errs.push(
        fieldErrors.notSupported(`${path}.podReplacementPolicy`, rp, ['Failed', 'TerminatingOrFailed']),
      );
  }
  errs.push(...validatePodTemplateSpec(spec.template as PodTemplateSpec | undefined, `${path}.template`));
  const restart = spec.template?.spec?.restartPolicy ?? '';
  const restartPath = `${path}.template.spec.restartPolicy`;
  if (restart === 'Always' || restart === '')
    errs.push(fieldErrors.required(restartPath, 'valid values: "OnFailure", "Never"'));
  else if (restart !== 'OnFailure' && restart !== 'Never')
    errs.push(fieldErrors.notSupported(restartPath, restart, ['OnFailure', 'Never']));
  else if (pfp && restart !== 'Never')
    errs.push(
      fieldErrors.invalid(
        restartPath,
        restart,
        'only "Never" is supported when podFailurePolicy is specified',
      ),
    );
  return errs;
}
