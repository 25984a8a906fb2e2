/**
 * `spec.podFailurePolicy`: the first rule that matches a failed pod (by a container's non-zero exit
 * code, or by a pod condition) decides whether the failure fails the Job, fails only its index, is
 * ignored, or counts towards the backoff limit.
 */
import type { PodFailurePolicy, PodFailurePolicyOnExitCodesRequirement } from 'kubernetes-types/batch/v1.js';
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';

/** The actions of pod failure policy rules. */
export type FailureAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

/** What the policy says about one failed pod. */
export interface FailureVerdict {
  /** The Job's failure message when a FailJob rule matched. */
  failJobMessage?: string;
  /** Whether the failure counts towards backoffLimit (false only for Ignore). */
  countFailed: boolean;
  /** The action of the matching rule, if any matched. */
  action?: FailureAction;
}

function exitCodeMatches(code: number, req: PodFailurePolicyOnExitCodesRequirement): boolean {
  if (req.operator === 'In') return req.values.includes(code);
  if (req.operator === 'NotIn') return !req.values.includes(code);
  return false;
}

function matchingContainer(
  statuses: readonly ContainerStatus[] | undefined,
  req: PodFailurePolicyOnExitCodesRequirement,
): ContainerStatus | undefined {
  for (const s of statuses ?? []) {
    const terminated = s.state?.terminated;
    if (!terminated) continue;
    if (req.containerName !== undefined && req.containerName !== s.name) continue;
    if (terminated.exitCode !== 0 && exitCodeMatches(terminated.exitCode, req)) return s;
  }
  return undefined;
}

/** Applies `policy` to a failed pod. Without a policy every failure counts. */
export function matchPodFailurePolicy(policy: PodFailurePolicy | undefined, pod: Pod): FailureVerdict {
  if (!policy) return { countFailed: true };
  const ns = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  for (const [index, rule] of policy.rules.entries()) {
    const action = rule.action as FailureAction;
    let matched: string | undefined;
    if (rule.onExitCodes) {
      const s =
        matchingContainer(pod.status?.containerStatuses, rule.onExitCodes) ??
        matchingContainer(pod.status?.initContainerStatuses, rule.onExitCodes);
      if (s)
        matched = `Container ${s.name} for pod ${ns}/${name} failed with exit code ${s.state?.terminated?.exitCode ?? 0} matching ${action} rule at index ${index}`;
    } else if (rule.onPodConditions) {
      const c = (pod.status?.conditions ?? []).find((cond) =>
        rule.onPodConditions?.some((p) => p.type === cond.type && p.status === cond.status),
      );
      if (c) matched = `Pod ${ns}/${name} has condition ${c.type} matching ${action} rule at index ${index}`;
    }
    if (matched === undefined) continue;
    switch (action) {
      case 'Ignore':
        return { countFailed: false, action };
      case 'Count':
      case 'FailIndex':
        return { countFailed: true, action };
      case 'FailJob':
        return { failJobMessage: matched, countFailed: true, action };
      default:
        continue;
    }
  }
  return { countFailed: true };
}
