/**
 * Job conditions as the controller writes them: the interim FailureTarget / SuccessCriteriaMet
 * conditions first, then (once no pod is left terminating) Failed / Complete with the same reason.
 */
import type { JobCondition } from 'kubernetes-types/batch/v1.js';
import { rfc3339 } from '../../util/time.js';

/** A Job condition probed and changed at `now`. */
export function newCondition(
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
  now: Date,
): JobCondition {
  const t = rfc3339(now);
  return { type, status, lastProbeTime: t, lastTransitionTime: t, reason, message };
}

/** The interim condition of a failing Job (it becomes Failed once its pods are gone). */
export function failureTarget(reason: string, message: string, now: Date): JobCondition {
  return newCondition('FailureTarget', 'True', reason, message, now);
}

/** The interim condition of a Job that reached its completions. */
export function completionsReached(now: Date): JobCondition {
  return newCondition(
    'SuccessCriteriaMet',
    'True',
    'CompletionsReached',
    'Reached expected number of succeeded pods',
    now,
  );
}

/**
 * Sets condition `type` to `status` (adding it only when True); returns the new list and whether it
 * changed. An existing condition is replaced when status, reason or message differ.
 */
export function ensureCondition(
  list: JobCondition[] | undefined,
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
  now: Date,
): { conditions: JobCondition[]; changed: boolean } {
  const conditions = list ? [...list] : [];
  const i = conditions.findIndex((c) => c.type === type);
  const existing = conditions[i];
  if (existing) {
    if (existing.status !== status || existing.reason !== reason || existing.message !== message) {
      conditions[i] = newCondition(type, status, reason, message, now);
      return { conditions, changed: true };
    }
    return { conditions, changed: false };
  }
  if (status === 'False') return { conditions, changed: false };
  conditions.push(newCondition(type, status, reason, message, now));
  return { conditions, changed: true };
}
