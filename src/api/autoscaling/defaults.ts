/**
 * autoscaling/v2 HorizontalPodAutoscaler defaulting (upstream SetDefaults_HorizontalPodAutoscaler):
 * minReplicas 1, an 80% CPU utilization metric when none is given, and the scale-up/scale-down
 * rules completed when a behavior is given.
 */
import type { KubeObject } from '../meta.js';
import { clone } from '../validation/equality.js';
import { ensureObject } from '../validation/fieldchecks.js';

type Obj = Record<string, unknown>;

/** The CPU utilization target of an HPA that names no metric. */
export const DEFAULT_CPU_UTILIZATION = 80;

const SCALE_UP_DEFAULTS: Obj = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};

/** Scale-down has no default window here: the controller's --horizontal-pod-autoscaler-downscale-stabilization applies. */
const SCALE_DOWN_DEFAULTS: Obj = {
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
};

function completeRules(given: unknown, defaults: Obj): Obj {
  const out = clone(defaults);
  if (typeof given !== 'object' || given === null || Array.isArray(given)) return out;
  const g = given as Obj;
  for (const key of ['selectPolicy', 'stabilizationWindowSeconds', 'policies', 'tolerance']) {
    if (g[key] !== undefined && g[key] !== null) out[key] = g[key];
  }
  return out;
}

/** The 80% CPU utilization metric used when an HPA names none. */
export function defaultCpuMetric(): Obj {
  return {
    type: 'Resource',
    resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } },
  };
}

/** Applies the autoscaling/v2 defaults in place. */
export function defaultHorizontalPodAutoscaler(obj: KubeObject): void {
  const spec = ensureObject<Obj>(obj, 'spec');
  if (spec['minReplicas'] === undefined || spec['minReplicas'] === null) spec['minReplicas'] = 1;
  const metrics = spec['metrics'];
  if (!Array.isArray(metrics) || metrics.length === 0) spec['metrics'] = [defaultCpuMetric()];
  const behavior = spec['behavior'];
  if (typeof behavior === 'object' && behavior !== null && !Array.isArray(behavior)) {
    const b = behavior as Obj;
    b['scaleUp'] = completeRules(b['scaleUp'], SCALE_UP_DEFAULTS);
    b['scaleDown'] = completeRules(b['scaleDown'], SCALE_DOWN_DEFAULTS);
  }
}
