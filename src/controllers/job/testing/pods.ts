/**
 * The kubelet's part in batch controller tests: ending pods with an exit code (container status,
 * Ready=False, phase) or marking them running and ready.
 */
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../../client/types.js';
import { rfc3339 } from '../../../util/time.js';
import type { ApiFake } from './harness.js';

/** Ends `pod` as a kubelet would: containers terminated with `exitCode`, phase Succeeded or Failed. */
export function finishPod(
  api: ApiFake,
  pod: Pod & ApiObject,
  exitCode: number,
  now: Date,
  extraConditions: PodCondition[] = [],
): Pod & ApiObject {
  const at = rfc3339(now);
  return api.setPodStatus(pod, {
    phase: exitCode === 0 ? 'Succeeded' : 'Failed',
    conditions: [
      { type: 'Ready', status: 'False', lastTransitionTime: at, reason: 'PodCompleted' },
      ...extraConditions,
    ],
    containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: '',
      ready: false,
      restartCount: 0,
      state: { terminated: { exitCode, finishedAt: at, reason: exitCode === 0 ? 'Completed' : 'Error' } },
    })),
  });
}

/** Marks `pod` Running and Ready. */
export function runPod(api: ApiFake, pod: Pod & ApiObject, now: Date): Pod & ApiObject {
  const at = rfc3339(now);
  return api.setPodStatus(pod, {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at }],
  });
}
