/**
 * autoscaling/v2 HorizontalPodAutoscaler validation (upstream validateHorizontalPodAutoscalerSpec,
 * metrics, targets and scaling behavior), with upstream's messages.
 */
import type {
  CrossVersionObjectReference,
  HPAScalingRules,
  HorizontalPodAutoscaler,
  MetricSpec,
  MetricTarget,
} from 'kubernetes-types/autoscaling/v2.js';
import { fieldErrors, type FieldError } from '../errors.js';
import type { KubeObject } from '../meta.js';
import { check, nonNegative, type Loose } from '../validation/fieldchecks.js';
import { invalidGo } from '../validation/govalue.js';
import { isValidPathSegmentName } from '../validation/names.js';

type HPA = Loose<HorizontalPodAutoscaler>;

const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;
const METRIC_SOURCE_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'] as const;
const SELECT_POLICIES = ['Disabled', 'Max', 'Min'] as const;
const POLICY_TYPES = ['Percent', 'Pods'] as const;

/** The sign of a quantity string ("100m", "-1", "0"), or undefined when it does not parse. */
export function quantitySign(q: unknown): -1 | 0 | 1 | undefined {
  const s = typeof q === 'number' ? String(q) : typeof q === 'string' ? q.trim() : undefined;
  if (s === undefined) return undefined;
  const m = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+|[a-zA-Z]*)$/.exec(s);
  if (!m) return undefined;
  if (Number(m[2]) === 0) return 0;
  return m[1] === '-' ? -1 : 1;
}

/** A resource.Quantity as Go's %#v shows it (approximately: the cached string is not reproduced). */
function goQuantity(q: unknown): string {
  return `resource.Quantity{i:resource.int64Amount{value:${Number.parseInt(String(q), 10) || 0}, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"", Format:"DecimalSI"}`;
}

export function validateCrossVersionObjectReference(
  ref: Loose<CrossVersionObjectReference> | undefined,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of ['kind', 'name'] as const) {
    const v = ref?.[key] ?? '';
    if (v === '') errs.push(fieldErrors.required(`${path}.${key}`));
    else for (const m of isValidPathSegmentName(v)) errs.push(fieldErrors.invalid(`${path}.${key}`, v, m));
  }
  return errs;
}

function validateMetricIdentifier(name: string | undefined, path: string): FieldError[] {
  const n = name ?? '';
  if (n === '') return [fieldErrors.required(`${path}.name`, 'must specify a metric name')];
  return isValidPathSegmentName(n).map((m) => fieldErrors.invalid(`${path}.name`, n, m));
}

function validateTarget(t: Loose<MetricTarget> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = t?.type ?? '';
  if (type === '') errs.push(fieldErrors.required(`${path}.type`, 'must specify a metric target type'));
  if (type !== 'Utilization' && type !== 'Value' && type !== 'AverageValue')
    errs.push(
      fieldErrors.invalid(`${path}.type`, type, 'must be either Utilization, Value, or AverageValue'),
    );
  for (const key of ['value', 'averageValue'] as const) {
    const v = t?.[key];
    if (v !== undefined && v !== null && quantitySign(v) !== 1)
      errs.push(invalidGo(`${path}.${key}`, goQuantity(v), 'must be positive'));
  }
  const u = t?.averageUtilization;
  if (typeof u === 'number' && u < 1)
    errs.push(fieldErrors.invalid(`${path}.averageUtilization`, u, 'must be greater than 0'));
  return errs;
}

function has(v: unknown): boolean {
  return v !== undefined && v !== null;
}

function validateSource(spec: Loose<MetricSpec>, key: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const p = `${path}.${key}`;
  switch (key) {
    case 'object': {
      const src = spec.object ?? {};
      errs.push(...validateCrossVersionObjectReference(src.describedObject, `${p}.describedObject`));
      errs.push(...validateMetricIdentifier(src.metric?.name, `${p}.metric`));
      errs.push(...validateTarget(src.target, `${p}.target`));
      if (!has(src.target?.value) && !has(src.target?.averageValue))
        errs.push(
          fieldErrors.required(`${p}.target.averageValue`, 'must set either a target value or averageValue'),
        );
      break;
    }
    case 'external': {
      const src = spec.external ?? {};
      errs.push(...validateMetricIdentifier(src.metric?.name, `${p}.metric`));
      errs.push(...validateTarget(src.target, `${p}.target`));
      if (!has(src.target?.value) && !has(src.target?.averageValue))
        errs.push(
          fieldErrors.required(
            `${p}.target.averageValue`,
            'must set either a target value for metric or a per-pod target',
          ),
        );
      if (has(src.target?.value) && has(src.target?.averageValue))
        errs.push(
          fieldErrors.forbidden(
            `${p}.target.value`,
            'may not set both a target value for metric and a per-pod target',
          ),
        );
      break;
    }
    case 'pods': {
      const src = spec.pods ?? {};
      errs.push(...validateMetricIdentifier(src.metric?.name, `${p}.metric`));
      errs.push(...validateTarget(src.target, `${p}.target`));
      if (!has(src.target?.averageValue))
        errs.push(
          fieldErrors.required(`${p}.target.averageValue`, 'must specify a positive target averageValue'),
        );
      break;
    }
    case 'resource':
    case 'containerResource': {
      const src = (key === 'resource' ? spec.resource : spec.containerResource) ?? {};
      const name = src.name ?? '';
      if (name === '') errs.push(fieldErrors.required(`${p}.name`, 'must specify a resource name'));
      else if (key === 'containerResource') errs.push(...check.qualifiedName(name, `${p}.name`));
      if (key === 'containerResource') {
        const container = spec.containerResource?.container ?? '';
        if (container === '') errs.push(fieldErrors.required(`${p}.container`, 'must specify a container'));
        else errs.push(...check.dns1123Label(container, `${p}.container`));
      }
      errs.push(...validateTarget(src.target, `${p}.target`));
      if (!has(src.target?.averageUtilization) && !has(src.target?.averageValue))
        errs.push(
          fieldErrors.required(
            `${p}.target.averageUtilization`,
            'must set either a target raw value or a target utilization',
          ),
        );
      if (has(src.target?.averageUtilization) && has(src.target?.averageValue))
        errs.push(
          fieldErrors.forbidden(
            `${p}.target.averageValue`,
            'may not set both a target raw value and a target utilization',
          ),
        );
      break;
    }
    default:
  }
  return errs;
}

const SOURCE_OF_TYPE: Record<string, string> = {
  Object: 'object',
  Pods: 'pods',
  Resource: 'resource',
  External: 'external',
  ContainerResource: 'containerResource',
};

function validateMetric(spec: Loose<MetricSpec>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = spec.type ?? '';
  if (type === '') errs.push(fieldErrors.required(`${path}.type`, 'must specify a metric source type'));
  if (!(METRIC_SOURCE_TYPES as readonly string[]).includes(type))
    errs.push(fieldErrors.notSupported(`${path}.type`, type, METRIC_SOURCE_TYPES));
  const present: string[] = [];
  for (const key of ['object', 'external', 'pods', 'resource', 'containerResource'] as const) {
    if (has(spec[key])) {
      present.push(key);
      if (present.length === 1) errs.push(...validateSource(spec, key, path));
    }
  }
  const expected = SOURCE_OF_TYPE[type];
  if (expected === undefined) errs.push(fieldErrors.notSupported(`${path}.type`, type, METRIC_SOURCE_TYPES));
  else if (!has(spec[expected as keyof typeof spec]))
    errs.push(
      fieldErrors.required(`${path}.${expected}`, 'must populate information for the given metric source'),
    );
  if (present.length !== 1) {
    for (const key of present) {
      if (key !== expected)
        errs.push(fieldErrors.forbidden(`${path}.${key}`, 'must populate the given metric source only'));
    }
  }
  return errs;
}

function validateRules(rules: Loose<HPAScalingRules> | undefined, path: string): FieldError[] {
  if (!rules) return [];
  const errs: FieldError[] = [];
  const w = rules.stabilizationWindowSeconds;
  if (typeof w === 'number' && w < 0)
    errs.push(
      fieldErrors.invalid(`${path}.stabilizationWindowSeconds`, w, 'must be greater than or equal to zero'),
    );
  if (typeof w === 'number' && w > MAX_STABILIZATION_WINDOW_SECONDS)
    errs.push(
      fieldErrors.invalid(
        `${path}.stabilizationWindowSeconds`,
        w,
        `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`,
      ),
    );
  const sp = rules.selectPolicy;
  if (has(sp) && !(SELECT_POLICIES as readonly string[]).includes(sp ?? ''))
    errs.push(fieldErrors.notSupported(`${path}.selectPolicy`, sp, SELECT_POLICIES));
  const policies = rules.policies ?? [];
  if (policies.length === 0)
    errs.push(fieldErrors.required(`${path}.policies`, 'must specify at least one Policy'));
  policies.forEach((p, i) => {
    const pp = `${path}.policies[${i}]`;
    const type = p.type ?? '';
    if (type !== 'Pods' && type !== 'Percent')
      errs.push(fieldErrors.notSupported(`${pp}.type`, type, POLICY_TYPES));
    if ((p.value ?? 0) <= 0)
      errs.push(fieldErrors.invalid(`${pp}.value`, p.value ?? 0, 'must be greater than zero'));
    const period = p.periodSeconds ?? 0;
    if (period <= 0)
      errs.push(fieldErrors.invalid(`${pp}.periodSeconds`, period, 'must be greater than zero'));
    if (period > MAX_PERIOD_SECONDS)
      errs.push(
        fieldErrors.invalid(
          `${pp}.periodSeconds`,
          period,
          `must be less than or equal to ${MAX_PERIOD_SECONDS}`,
        ),
      );
  });
  return errs;
}

function validateSpec(hpa: HPA, minReplicasLowerBound: number): FieldError[] {
  const spec = hpa.spec ?? {};
  const errs: FieldError[] = [];
  const min = spec.minReplicas;
  const max = spec.maxReplicas ?? 0;
  if (typeof min === 'number' && min < minReplicasLowerBound)
    errs.push(
      fieldErrors.invalid(
        'spec.minReplicas',
        min,
        `must be greater than or equal to ${minReplicasLowerBound}`,
      ),
    );
  if (max < 1) errs.push(fieldErrors.invalid('spec.maxReplicas', max, 'must be greater than 0'));
  if (typeof min === 'number' && max < min)
    errs.push(fieldErrors.invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  errs.push(...validateCrossVersionObjectReference(spec.scaleTargetRef, 'spec.scaleTargetRef'));
  let hasObjectOrExternal = false;
  (spec.metrics ?? []).forEach((m, i) => {
    errs.push(...validateMetric(m, `spec.metrics[${i}]`));
    if (m.type === 'Object' || m.type === 'External') hasObjectOrExternal = true;
  });
  if (min === 0 && !hasObjectOrExternal)
    errs.push(
      fieldErrors.forbidden(
        'spec.metrics',
        'must specify at least one Object or External metric to support scaling to zero replicas',
      ),
    );
  if (spec.behavior) {
    errs.push(...validateRules(spec.behavior.scaleUp, 'spec.behavior.scaleUp'));
    errs.push(...validateRules(spec.behavior.scaleDown, 'spec.behavior.scaleDown'));
  }
  return errs;
}

/** An HPA on create (HPAScaleToZero is off: minReplicas must be at least 1). */
export function validateHorizontalPodAutoscaler(obj: KubeObject): FieldError[] {
  return validateSpec(obj as HPA, 1);
}

/** An HPA on update: an HPA already scaled to zero may keep minReplicas 0. */
export function validateHorizontalPodAutoscalerUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const oldMin = (old as HPA).spec?.minReplicas;
  return validateSpec(obj as HPA, oldMin === 0 ? 0 : 1);
}

/** An update through /status. */
export function validateHorizontalPodAutoscalerStatusUpdate(obj: KubeObject): FieldError[] {
  const st = (obj as HPA).status ?? {};
  return [
    ...nonNegative(st.currentReplicas, 'status.currentReplicas'),
    ...nonNegative(st.desiredReplicas, 'status.desiredReplicas'),
  ];
}
