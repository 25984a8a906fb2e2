/**
 * autoscaling/v1 ↔ autoscaling/v2 HorizontalPodAutoscaler conversion, as upstream does it: v1's
 * targetCPUUtilizationPercentage is a v2 Resource/cpu/Utilization metric; everything v1 cannot
 * express (other metrics, current metrics, conditions, behavior) travels in annotations on the v1
 * object and comes back when the v1 object is written.
 */
import type { Converter } from '../conversion.js';
import type { KubeObject } from '../meta.js';
import { clone } from '../validation/equality.js';
import { defaultCpuMetric } from './defaults.js';

/** The round-trip annotations of a v1 HPA. */
export const HPA_ANNOTATIONS = {
  metricSpecs: 'autoscaling.alpha.kubernetes.io/metrics',
  metricStatuses: 'autoscaling.alpha.kubernetes.io/current-metrics',
  conditions: 'autoscaling.alpha.kubernetes.io/conditions',
  behavior: 'autoscaling.alpha.kubernetes.io/behavior',
} as const;

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

function list(v: unknown): Obj[] {
  return Array.isArray(v) ? v.map((x) => obj(x) ?? {}) : [];
}

function has(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** Copies the defined values of `entries` in order, as Go's encoder writes fields (omitempty ones skipped when unset). */
function fields(entries: [string, unknown, 'omitempty'?][]): Obj {
  const out: Obj = {};
  for (const [k, v, omit] of entries) {
    if (omit && !has(v)) continue;
    out[k] = v === undefined ? null : v;
  }
  return out;
}

function ref(r: unknown): Obj {
  const o = obj(r) ?? {};
  return fields([
    ['kind', o['kind'] ?? ''],
    ['name', o['name'] ?? ''],
    ['apiVersion', o['apiVersion'], 'omitempty'],
  ]);
}

// ---------------------------------------------------------------------------------------------------
// metric specs

function specToV1(m: Obj): Obj {
  const out: Obj = { type: m['type'] ?? '' };
  const o = obj(m['object']);
  if (o) {
    const metric = obj(o['metric']) ?? {};
    const target = obj(o['target']) ?? {};
    out['object'] = fields([
      ['target', ref(o['describedObject'])],
      ['metricName', metric['name'] ?? ''],
      ['targetValue', target['value'] ?? '0'],
      ['selector', metric['selector'], 'omitempty'],
      ['averageValue', target['averageValue'], 'omitempty'],
    ]);
  }
  const p = obj(m['pods']);
  if (p) {
    const metric = obj(p['metric']) ?? {};
    const target = obj(p['target']) ?? {};
    out['pods'] = fields([
      ['metricName', metric['name'] ?? ''],
      ['targetAverageValue', target['averageValue'] ?? '0'],
      ['selector', metric['selector'], 'omitempty'],
    ]);
  }
  const r = obj(m['resource']);
  if (r) {
    const target = obj(r['target']) ?? {};
    out['resource'] = fields([
      ['name', r['name'] ?? ''],
      ['targetAverageUtilization', target['averageUtilization'], 'omitempty'],
      ['targetAverageValue', target['averageValue'], 'omitempty'],
    ]);
  }
  const c = obj(m['containerResource']);
  if (c) {
    const target = obj(c['target']) ?? {};
    out['containerResource'] = fields([
      ['name', c['name'] ?? ''],
      ['targetAverageUtilization', target['averageUtilization'], 'omitempty'],
      ['targetAverageValue', target['averageValue'], 'omitempty'],
      ['container', c['container'] ?? ''],
    ]);
  }
  const e = obj(m['external']);
  if (e) {
    const metric = obj(e['metric']) ?? {};
    const target = obj(e['target']) ?? {};
    out['external'] = fields([
      ['metricName', metric['name'] ?? ''],
      ['metricSelector', metric['selector'], 'omitempty'],
      ['targetValue', target['value'], 'omitempty'],
      ['targetAverageValue', target['averageValue'], 'omitempty'],
    ]);
  }
  return out;
}

function identifier(name: unknown, selector: unknown): Obj {
  return fields([
    ['name', name ?? ''],
    ['selector', selector, 'omitempty'],
  ]);
}

function target(type: string, entries: [string, unknown][]): Obj {
  return fields([
    ['type', type],
    ...entries.map(([k, v]): [string, unknown, 'omitempty'] => [k, v, 'omitempty']),
  ]);
}

function specFromV1(m: Obj): Obj {
  const out: Obj = { type: m['type'] ?? '' };
  const o = obj(m['object']);
  if (o) {
    out['object'] = {
      describedObject: ref(o['target']),
      metric: identifier(o['metricName'], o['selector']),
      target: target(has(o['averageValue']) ? 'AverageValue' : 'Value', [
        ['value', o['targetValue'] ?? '0'],
        ['averageValue', o['averageValue']],
      ]),
    };
  }
  const p = obj(m['pods']);
  if (p) {
    out['pods'] = {
      metric: identifier(p['metricName'], p['selector']),
      target: target('AverageValue', [['averageValue', p['targetAverageValue'] ?? '0']]),
    };
  }
  for (const key of ['resource', 'containerResource'] as const) {
    const r = obj(m[key]);
    if (!r) continue;
    const src: Obj = {
      name: r['name'] ?? '',
      target: target(has(r['targetAverageUtilization']) ? 'Utilization' : 'AverageValue', [
        ['averageUtilization', r['targetAverageUtilization']],
        ['averageValue', r['targetAverageValue']],
      ]),
    };
    if (key === 'containerResource') src['container'] = r['container'] ?? '';
    out[key] = src;
  }
  const e = obj(m['external']);
  if (e) {
    out['external'] = {
      metric: identifier(e['metricName'], e['metricSelector']),
      target: target(has(e['targetValue']) ? 'Value' : 'AverageValue', [
        ['value', e['targetValue']],
        ['averageValue', e['targetAverageValue']],
      ]),
    };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// metric statuses

function statusToV1(m: Obj): Obj {
  const out: Obj = { type: m['type'] ?? '' };
  const o = obj(m['object']);
  if (o) {
    const metric = obj(o['metric']) ?? {};
    const current = obj(o['current']) ?? {};
    out['object'] = fields([
      ['target', ref(o['describedObject'])],
      ['metricName', metric['name'] ?? ''],
      ['currentValue', current['value'] ?? '0'],
      ['selector', metric['selector'], 'omitempty'],
      ['averageValue', current['averageValue'], 'omitempty'],
    ]);
  }
  const p = obj(m['pods']);
  if (p) {
    const metric = obj(p['metric']) ?? {};
    const current = obj(p['current']) ?? {};
    out['pods'] = fields([
      ['metricName', metric['name'] ?? ''],
      ['currentAverageValue', current['averageValue'] ?? '0'],
      ['selector', metric['selector'], 'omitempty'],
    ]);
  }
  for (const key of ['resource', 'containerResource'] as const) {
    const r = obj(m[key]);
    if (!r) continue;
    const current = obj(r['current']) ?? {};
    const entries: [string, unknown, 'omitempty'?][] = [
      ['name', r['name'] ?? ''],
      ['currentAverageUtilization', current['averageUtilization'], 'omitempty'],
      ['currentAverageValue', current['averageValue'] ?? '0'],
    ];
    if (key === 'containerResource') entries.push(['container', r['container'] ?? '']);
    out[key] = fields(entries);
  }
  const e = obj(m['external']);
  if (e) {
    const metric = obj(e['metric']) ?? {};
    const current = obj(e['current']) ?? {};
    out['external'] = fields([
      ['metricName', metric['name'] ?? ''],
      ['metricSelector', metric['selector'], 'omitempty'],
      ['currentValue', current['value'] ?? '0'],
      ['currentAverageValue', current['averageValue'], 'omitempty'],
    ]);
  }
  return out;
}

function current(entries: [string, unknown][]): Obj {
  return fields(entries.map(([k, v]): [string, unknown, 'omitempty'] => [k, v, 'omitempty']));
}

function statusFromV1(m: Obj): Obj {
  const out: Obj = { type: m['type'] ?? '' };
  const o = obj(m['object']);
  if (o) {
    out['object'] = {
      metric: identifier(o['metricName'], o['selector']),
      current: current([
        ['value', o['currentValue'] ?? '0'],
        ['averageValue', o['averageValue']],
      ]),
      describedObject: ref(o['target']),
    };
  }
  const p = obj(m['pods']);
  if (p) {
    out['pods'] = {
      metric: identifier(p['metricName'], p['selector']),
      current: current([['averageValue', p['currentAverageValue'] ?? '0']]),
    };
  }
  for (const key of ['resource', 'containerResource'] as const) {
    const r = obj(m[key]);
    if (!r) continue;
    const src: Obj = {
      name: r['name'] ?? '',
      current: current([
        ['averageValue', r['currentAverageValue'] ?? '0'],
        ['averageUtilization', r['currentAverageUtilization']],
      ]),
    };
    if (key === 'containerResource') src['container'] = r['container'] ?? '';
    out[key] = src;
  }
  const e = obj(m['external']);
  if (e) {
    out['external'] = {
      metric: identifier(e['metricName'], e['metricSelector']),
      current: current([
        ['value', e['currentValue'] ?? '0'],
        ['averageValue', e['currentAverageValue']],
      ]),
    };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// behavior: upstream encodes its internal type, whose JSON keys are the Go field names.

function rulesToInternal(r: unknown): unknown {
  const o = obj(r);
  if (!o) return null;
  const policies = Array.isArray(o['policies'])
    ? list(o['policies']).map((p) => ({
        Type: p['type'] ?? '',
        Value: p['value'] ?? 0,
        PeriodSeconds: p['periodSeconds'] ?? 0,
      }))
    : null;
  return {
    StabilizationWindowSeconds: o['stabilizationWindowSeconds'] ?? null,
    SelectPolicy: o['selectPolicy'] ?? null,
    Policies: policies,
    Tolerance: o['tolerance'] ?? null,
  };
}

/** Reads a key the way Go's decoder matches struct fields: exact, then case-insensitive. */
function goKey(o: Obj, key: string): unknown {
  if (key in o) return o[key];
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(o)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

function rulesFromInternal(r: unknown): Obj | undefined {
  const o = obj(r);
  if (!o) return undefined;
  const out: Obj = {};
  const window = goKey(o, 'StabilizationWindowSeconds');
  if (has(window)) out['stabilizationWindowSeconds'] = window;
  const select = goKey(o, 'SelectPolicy');
  if (has(select)) out['selectPolicy'] = select;
  const policies = goKey(o, 'Policies');
  if (Array.isArray(policies)) {
    out['policies'] = list(policies).map((p) => ({
      type: goKey(p, 'Type') ?? '',
      value: goKey(p, 'Value') ?? 0,
      periodSeconds: goKey(p, 'PeriodSeconds') ?? 0,
    }));
  }
  const tolerance = goKey(o, 'Tolerance');
  if (has(tolerance)) out['tolerance'] = tolerance;
  return out;
}

// ---------------------------------------------------------------------------------------------------

function isCpu(m: Obj): boolean {
  const r = obj(m['resource']);
  return m['type'] === 'Resource' && r !== undefined && r['name'] === 'cpu';
}

function withoutRoundTripAnnotations(meta: Obj): Record<string, string> | undefined {
  const annotations = obj(meta['annotations']) as Record<string, string> | undefined;
  if (!annotations) return undefined;
  const out = { ...annotations };
  for (const key of Object.values(HPA_ANNOTATIONS)) delete out[key];
  return out;
}

function setAnnotations(meta: Obj, annotations: Record<string, string> | undefined): void {
  if (annotations && Object.keys(annotations).length > 0) meta['annotations'] = annotations;
  else delete meta['annotations'];
}

function parseAnnotation(annotations: Record<string, string> | undefined, key: string): unknown {
  const text = annotations?.[key];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Upstream ignores an annotation it cannot decode.
    return undefined;
  }
}

/** The stored autoscaling/v2 object as autoscaling/v1. */
export function hpaV2ToV1(v2: KubeObject): KubeObject {
  const meta = clone((v2.metadata ?? {}) as Obj);
  const annotations = withoutRoundTripAnnotations(meta) ?? {};
  const spec = obj(v2['spec']) ?? {};
  const status = obj(v2['status']) ?? {};
  const metrics = list(spec['metrics']);

  const outSpec: Obj = { scaleTargetRef: ref(spec['scaleTargetRef']) };
  if (has(spec['minReplicas'])) outSpec['minReplicas'] = spec['minReplicas'];
  outSpec['maxReplicas'] = spec['maxReplicas'] ?? 0;
  const cpu = metrics.find(isCpu);
  const cpuTarget = obj(obj(cpu?.['resource'])?.['target']);
  if (has(cpuTarget?.['averageUtilization']))
    outSpec['targetCPUUtilizationPercentage'] = cpuTarget?.['averageUtilization'];

  const others = metrics
    .filter((m) => !(isCpu(m) && has(obj(obj(m['resource'])?.['target'])?.['averageUtilization'])))
    .map(specToV1);
  const currentMetrics = list(status['currentMetrics']);
  const conditions = list(status['conditions']);
  if (others.length > 0) annotations[HPA_ANNOTATIONS.metricSpecs] = JSON.stringify(others);
  if (currentMetrics.length > 0)
    annotations[HPA_ANNOTATIONS.metricStatuses] = JSON.stringify(currentMetrics.map(statusToV1));
  if (has(spec['behavior'])) {
    const b = obj(spec['behavior']) ?? {};
    annotations[HPA_ANNOTATIONS.behavior] = JSON.stringify({
      ScaleUp: rulesToInternal(b['scaleUp']),
      ScaleDown: rulesToInternal(b['scaleDown']),
    });
  }
  if (conditions.length > 0) {
    annotations[HPA_ANNOTATIONS.conditions] = JSON.stringify(
      conditions.map((c) =>
        fields([
          ['type', c['type'] ?? ''],
          ['status', c['status'] ?? ''],
          ['lastTransitionTime', c['lastTransitionTime'] ?? null],
          ['reason', c['reason'] || undefined, 'omitempty'],
          ['message', c['message'] || undefined, 'omitempty'],
        ]),
      ),
    );
  }
  setAnnotations(meta, annotations);

  const outStatus: Obj = {};
  if (has(status['observedGeneration'])) outStatus['observedGeneration'] = status['observedGeneration'];
  if (has(status['lastScaleTime'])) outStatus['lastScaleTime'] = status['lastScaleTime'];
  outStatus['currentReplicas'] = status['currentReplicas'] ?? 0;
  outStatus['desiredReplicas'] = status['desiredReplicas'] ?? 0;
  for (const m of currentMetrics) {
    const u = obj(obj(m['resource'])?.['current'])?.['averageUtilization'];
    if (isCpu(m) && has(u)) outStatus['currentCPUUtilizationPercentage'] = u;
  }

  const out: KubeObject = {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta,
    spec: outSpec,
  };
  if (v2['status'] !== undefined) out['status'] = outStatus;
  return out;
}

/** An autoscaling/v1 object as the stored autoscaling/v2 object. */
export function hpaV1ToV2(v1: KubeObject): KubeObject {
  const meta = clone((v1.metadata ?? {}) as Obj);
  const annotations = obj(meta['annotations']) as Record<string, string> | undefined;
  const spec = obj(v1['spec']) ?? {};
  const status = obj(v1['status']);

  const outSpec: Obj = {};
  if (has(spec['scaleTargetRef'])) outSpec['scaleTargetRef'] = ref(spec['scaleTargetRef']);
  if (has(spec['minReplicas'])) outSpec['minReplicas'] = spec['minReplicas'];
  if (has(spec['maxReplicas'])) outSpec['maxReplicas'] = spec['maxReplicas'];
  let metrics: Obj[] = [];
  if (has(spec['targetCPUUtilizationPercentage'])) {
    metrics = [
      {
        type: 'Resource',
        resource: {
          name: 'cpu',
          target: { type: 'Utilization', averageUtilization: spec['targetCPUUtilizationPercentage'] },
        },
      },
    ];
  }
  const others = parseAnnotation(annotations, HPA_ANNOTATIONS.metricSpecs);
  if (Array.isArray(others)) metrics = [...list(others).map(specFromV1), ...metrics];
  if (metrics.length === 0) metrics = [defaultCpuMetric()];
  outSpec['metrics'] = metrics;
  const behavior = obj(parseAnnotation(annotations, HPA_ANNOTATIONS.behavior));
  if (behavior) {
    const scaleUp = rulesFromInternal(goKey(behavior, 'ScaleUp'));
    const scaleDown = rulesFromInternal(goKey(behavior, 'ScaleDown'));
    if (scaleUp || scaleDown) {
      const b: Obj = {};
      if (scaleUp) b['scaleUp'] = scaleUp;
      if (scaleDown) b['scaleDown'] = scaleDown;
      outSpec['behavior'] = b;
    }
  }

  const out: KubeObject = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta,
    spec: outSpec,
  };
  if (status) {
    const outStatus: Obj = {};
    if (has(status['observedGeneration'])) outStatus['observedGeneration'] = status['observedGeneration'];
    if (has(status['lastScaleTime'])) outStatus['lastScaleTime'] = status['lastScaleTime'];
    if (has(status['currentReplicas']) && status['currentReplicas'] !== 0)
      outStatus['currentReplicas'] = status['currentReplicas'];
    outStatus['desiredReplicas'] = status['desiredReplicas'] ?? 0;
    let currentMetrics: Obj[] | undefined;
    if (has(status['currentCPUUtilizationPercentage'])) {
      currentMetrics = [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            current: { averageUtilization: status['currentCPUUtilizationPercentage'] },
          },
        },
      ];
    }
    const fromAnnotation = parseAnnotation(annotations, HPA_ANNOTATIONS.metricStatuses);
    if (Array.isArray(fromAnnotation)) currentMetrics = list(fromAnnotation).map(statusFromV1);
    outStatus['currentMetrics'] = currentMetrics ?? null;
    const conditions = parseAnnotation(annotations, HPA_ANNOTATIONS.conditions);
    if (Array.isArray(conditions)) {
      outStatus['conditions'] = list(conditions).map((c) => {
        const cond: Obj = { type: c['type'] ?? '', status: c['status'] ?? '' };
        if (has(c['lastTransitionTime'])) cond['lastTransitionTime'] = c['lastTransitionTime'];
        if (c['reason']) cond['reason'] = c['reason'];
        if (c['message']) cond['message'] = c['message'];
        return cond;
      });
    }
    out['status'] = outStatus;
  }
  setAnnotations(meta, withoutRoundTripAnnotations(meta));
  return out;
}

/** The Converter for autoscaling/v1 HorizontalPodAutoscaler (stored as autoscaling/v2). */
export const hpaV1Converter: Converter = {
  toStorage: hpaV1ToV2,
  fromStorage: hpaV2ToV1,
};
