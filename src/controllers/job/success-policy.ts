/**
 * `spec.successPolicy` of Indexed Jobs: the Job succeeds once the succeeded indexes satisfy one rule
 * (all of `succeededIndexes`, or `succeededCount` of them, or `succeededCount` indexes overall).
 */
import type { SuccessPolicy } from 'kubernetes-types/batch/v1.js';
import { IndexSet } from './intervals.js';

/** The SuccessCriteriaMet message when a rule matches, else undefined. */
export function matchSuccessPolicy(
  policy: SuccessPolicy | undefined,
  completions: number,
  succeeded: IndexSet,
): string | undefined {
  if (!policy || succeeded.intervals.length === 0) return undefined;
  for (const [index, rule] of (policy.rules ?? []).entries()) {
    const count = rule.succeededCount;
    if (rule.succeededIndexes !== undefined) {
      const required = IndexSet.parse(rule.succeededIndexes, completions);
      if (required.intervals.length === 0) continue;
      const have = succeeded.countIn(required);
      if (have === required.total() || (count !== undefined && have >= count))
        return `Matched rules at index ${index}`;
    } else if (count !== undefined && succeeded.total() >= count) {
      return `Matched rules at index ${index}`;
    }
  }
  return undefined;
}
