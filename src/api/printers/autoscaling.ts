/**
 * HorizontalPodAutoscalers, from autoscaling/v2 or autoscaling/v1 objects: REFERENCE, TARGETS
 * (`cpu: 40%/80%`, `cpu: <unknown>/80%`, `1k/500 (avg)` …, two metrics then `+ N more...`),
 * MINPODS, MAXPODS, REPLICAS.
 */
import type { HorizontalPodAutoscaler as HpaV1 } from 'kubernetes-types/autoscaling/v1.js';
import type {
  HorizontalPodAutoscaler as HpaV2,
  MetricSpec,
  MetricStatus,
  MetricTarget,
  MetricValueStatus,
} from 'kubernetes-types/autoscaling/v2.js';
import type { KubeObject } from '../meta.js';
import { AGE, NAME, ageOf, column, nameOf, printer, view } from './columns.js';
import { optionalQuantity } from './quantity.js';
import type { Cell } from './types.js';

/** An autoscaling/v1 object seen as v2: its CPU target and reading become a Resource metric. */
export function toV2(obj: KubeObject): HpaV2 {
  const apiVersion = obj.apiVersion ?? '';
  const spec = (obj['spec'] ?? {}) as Record<string, unknown>;
  const isV1 = apiVersion === 'autoscaling/v1' || (apiVersion === '' && !('metrics' in spec));
  if (!isV1) return view<HpaV2>(obj);
  const v1 = view<HpaV1>(obj);
  const target = v1.spec?.targetCPUUtilizationPercentage;
  const current = v1.status?.currentCPUUtilizationPercentage;
  return {
    metadata: v1.metadata ?? {},
    spec: {
      scaleTargetRef: v1.spec?.scaleTargetRef ?? { kind: '', name: '' },
      minReplicas: v1.spec?.minReplicas,
      maxReplicas: v1.spec?.maxReplicas ?? 0,
      metrics:
        target === undefined || target === null
          ? undefined
          : [
              {
                type: 'Resource',
                resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } },
              },
            ],
    },
    status: {
      currentReplicas: v1.status?.currentReplicas,
      desiredReplicas: v1.status?.desiredReplicas ?? 0,
      currentMetrics:
        current === undefined || current === null
          ? undefined
          : [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: current } } }],
    },
  };
}

/** `current/target` for a metric whose target is a value or an average value. */
function valueOrAverage(
  target: MetricTarget | undefined,
  current: MetricValueStatus | undefined,
  haveStatus: boolean,
): string {
  if (target?.averageValue !== undefined && target.averageValue !== null) {
    const now =
      haveStatus && current?.averageValue != null ? optionalQuantity(current.averageValue) : '<unknown>';
    return `${now}/${optionalQuantity(target.averageValue)} (avg)`;
  }
  const now = haveStatus ? optionalQuantity(current?.value) : '<unknown>';
  return `${now}/${optionalQuantity(target?.value)}`;
}

/** `name: current/target` for a resource metric (utilization in percent, or an average value). */
function resourceMetric(
  name: string,
  target: MetricTarget | undefined,
  current: MetricValueStatus | undefined,
  haveStatus: boolean,
): string {
  if (target?.averageValue !== undefined && target.averageValue !== null) {
    const now = haveStatus ? optionalQuantity(current?.averageValue) : '<unknown>';
    return `${name}: ${now}/${optionalQuantity(target.averageValue)}`;
  }
  const util = current?.averageUtilization;
  const now = haveStatus && util !== undefined && util !== null ? `${util}%` : '<unknown>';
  const want =
    target?.averageUtilization !== undefined && target.averageUtilization !== null
      ? `${target.averageUtilization}%`
      : '<auto>';
  return `${name}: ${now}/${want}`;
}

function metricText(spec: MetricSpec, status: MetricStatus | undefined): string {
  switch (spec.type) {
    case 'External':
      return valueOrAverage(spec.external?.target, status?.external?.current, Boolean(status?.external));
    case 'Pods': {
      const now = status?.pods ? optionalQuantity(status.pods.current?.averageValue) : '<unknown>';
      return `${now}/${optionalQuantity(spec.pods?.target?.averageValue)}`;
    }
    case 'Object':
      return valueOrAverage(spec.object?.target, status?.object?.current, Boolean(status?.object));
    case 'Resource':
      return resourceMetric(
        spec.resource?.name ?? '',
        spec.resource?.target,
        status?.resource?.current,
        Boolean(status?.resource),
      );
    case 'ContainerResource':
      return resourceMetric(
        spec.containerResource?.name ?? '',
        spec.containerResource?.target,
        status?.containerResource?.current,
        Boolean(status?.containerResource),
      );
    default:
      return '<unknown type>';
  }
}

/** The TARGETS cell: each metric as `current/target`, at most two, then `+ N more...`. */
export function formatMetrics(
  specs: readonly MetricSpec[] | undefined,
  statuses: readonly MetricStatus[] | undefined,
): string {
  const list = specs ?? [];
  if (list.length === 0) return '<none>';
  const max = 2;
  const texts = list.map((spec, i) => metricText(spec, statuses?.[i]));
  const shown = texts.slice(0, max).join(', ');
  return texts.length > max ? `${shown} + ${texts.length - max} more...` : shown;
}

function hpaCells(obj: KubeObject, now: Date): Cell[] {
  const hpa = toV2(obj);
  const spec = hpa.spec;
  const ref = spec?.scaleTargetRef;
  const min = spec?.minReplicas;
  return [
    nameOf(obj),
    `${ref?.kind ?? ''}/${ref?.name ?? ''}`,
    formatMetrics(spec?.metrics, hpa.status?.currentMetrics),
    min === undefined || min === null ? '<unset>' : String(min),
    spec?.maxReplicas ?? 0,
    hpa.status?.currentReplicas ?? 0,
    ageOf(obj, now),
  ];
}

/** autoscaling/v2 and autoscaling/v1 HorizontalPodAutoscaler. */
export const horizontalPodAutoscalerPrinter = printer(
  [
    NAME,
    column('Reference', 'string', 'The workload being scaled, as Kind/name.'),
    column('Targets', 'string', 'Current readings against targets, per metric.'),
    column('MinPods', 'string', 'Lower bound on replicas.'),
    column('MaxPods', 'string', 'Upper bound on replicas.'),
    column('Replicas', 'string', 'Replicas the autoscaler last saw.'),
    AGE,
  ],
  hpaCells,
);
