/**
 * HorizontalPodAutoscaler strategy, on the stored autoscaling/v2 form (autoscaling/v1 requests are
 * converted before and after): status kept apart, no generation tracking (as upstream).
 */
import { defaultHorizontalPodAutoscaler } from '../../../api/autoscaling/defaults.js';
import {
  validateHorizontalPodAutoscaler,
  validateHorizontalPodAutoscalerStatusUpdate,
  validateHorizontalPodAutoscalerUpdate,
} from '../../../api/autoscaling/validation.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../../strategy.js';
import { keepOldSpec, keepOldStatus } from '../groups-helpers.js';

/** HPAConfigurableTolerance is alpha (off): tolerance is kept only when already in use. */
function dropDisabledFields(obj: KubeObject, old: KubeObject | undefined): void {
  const inUse = (o: KubeObject | undefined): boolean => {
    const b = (
      o?.['spec'] as { behavior?: { scaleUp?: { tolerance?: unknown }; scaleDown?: { tolerance?: unknown } } }
    )?.behavior;
    return b?.scaleUp?.tolerance !== undefined || b?.scaleDown?.tolerance !== undefined;
  };
  if (inUse(old)) return;
  const b = (obj['spec'] as { behavior?: Record<string, Record<string, unknown> | undefined> } | undefined)
    ?.behavior;
  if (!b) return;
  delete b['scaleUp']?.['tolerance'];
  delete b['scaleDown']?.['tolerance'];
}

export const horizontalPodAutoscalerStrategy: Strategy = {
  defaults: defaultHorizontalPodAutoscaler,
  prepareForCreate(obj) {
    obj['status'] = { desiredReplicas: 0, currentMetrics: null };
    dropDisabledFields(obj, undefined);
  },
  prepareForUpdate(obj, old) {
    keepOldStatus(obj, old);
    dropDisabledFields(obj, old);
  },
  validate: (obj) => validateHorizontalPodAutoscaler(obj),
  validateUpdate: (obj, old) => validateHorizontalPodAutoscalerUpdate(obj, old),
  status: {
    prepareForUpdate: keepOldSpec,
    validateUpdate: (obj) => validateHorizontalPodAutoscalerStatusUpdate(obj),
  },
};
