/**
 * Schema definitions for autoscaling/v1 (HorizontalPodAutoscaler and the `Scale` kind served by
 * every scale subresource) and autoscaling/v2 (HorizontalPodAutoscaler with metrics and scaling
 * behaviour), as of Kubernetes v1.33.
 */
import { META, list, obj, p, t } from '../schema/dsl.js';
import type { Definition } from '../schema/types.js';

const V1 = 'io.k8s.api.autoscaling.v1.';
const V2 = 'io.k8s.api.autoscaling.v2.';
const gvk1 = (kind: string) => ({ group: 'autoscaling', version: 'v1', kind });
const gvk2 = (kind: string) => ({ group: 'autoscaling', version: 'v2', kind });

const metricSourceTypes = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'] as const;

/** The name/kind/apiVersion reference to a scalable object, in either version. */
function crossVersionObjectReference(prefix: string): Definition {
  return obj(
    prefix + 'CrossVersionObjectReference',
    'Identifies an object by kind, name and API version.',
    {
      kind: p.string('The kind of the object, such as Deployment.'),
      name: p.string('The name of the object.'),
      apiVersion: p.string('The API version of the object, such as apps/v1.'),
    },
    { required: ['kind', 'name'] },
  );
}

const v1: Definition[] = [
  obj(
    V1 + 'Scale',
    'The replica count of a scalable resource, read and written through its scale subresource.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      spec: p.ref(V1 + 'ScaleSpec', 'The desired scale.'),
      status: p.ref(V1 + 'ScaleStatus', 'The observed scale; read-only.'),
    },
    { gvk: [gvk1('Scale')] },
  ),
  obj(V1 + 'ScaleSpec', 'The desired scale of a resource.', {
    replicas: p.int32('How many replicas are wanted.'),
  }),
  obj(
    V1 + 'ScaleStatus',
    'The observed scale of a resource.',
    {
      replicas: p.int32('The number of replicas last observed.'),
      selector: p.string('The pod label selector, serialized as in a labelSelector query parameter.'),
    },
    { required: ['replicas'] },
  ),
  obj(
    V1 + 'HorizontalPodAutoscaler',
    'Scales a workload between a minimum and a maximum replica count to hold a CPU utilization target.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      spec: p.ref(V1 + 'HorizontalPodAutoscalerSpec', 'The desired behaviour of the autoscaler.'),
      status: p.ref(V1 + 'HorizontalPodAutoscalerStatus', 'The state of the autoscaler as last observed.'),
    },
    { gvk: [gvk1('HorizontalPodAutoscaler')] },
  ),
  list(V1 + 'HorizontalPodAutoscaler', gvk1('HorizontalPodAutoscalerList')),
  obj(
    V1 + 'HorizontalPodAutoscalerSpec',
    'What an autoscaler scales and within which bounds.',
    {
      scaleTargetRef: p.ref(
        V1 + 'CrossVersionObjectReference',
        'The object whose scale subresource is driven.',
      ),
      minReplicas: p.int32('The fewest replicas to scale down to; default 1.'),
      maxReplicas: p.int32('The most replicas to scale up to; at least minReplicas.'),
      targetCPUUtilizationPercentage: p.int32(
        'The average CPU use across pods to aim for, as a percentage of requested CPU.',
      ),
    },
    { required: ['scaleTargetRef', 'maxReplicas'] },
  ),
  obj(
    V1 + 'HorizontalPodAutoscalerStatus',
    'The observed state of an autoscaler.',
    {
      observedGeneration: p.int64('The metadata.generation the autoscaler last acted on.'),
      lastScaleTime: p.time('When the replica count was last changed.'),
      currentReplicas: p.int32('The replica count the autoscaler last saw.'),
      desiredReplicas: p.int32('The replica count the autoscaler last computed.'),
      currentCPUUtilizationPercentage: p.int32(
        'The average CPU use across pods, as a percentage of requested CPU.',
      ),
    },
    { required: ['currentReplicas', 'desiredReplicas'] },
  ),
  crossVersionObjectReference(V1),
];

const v2Core: Definition[] = [
  obj(
    V2 + 'HorizontalPodAutoscaler',
    'Scales a workload between a minimum and a maximum replica count to hold metric targets.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      spec: p.ref(V2 + 'HorizontalPodAutoscalerSpec', 'The desired behaviour of the autoscaler.'),
      status: p.ref(V2 + 'HorizontalPodAutoscalerStatus', 'The state of the autoscaler as last observed.'),
    },
    { gvk: [gvk2('HorizontalPodAutoscaler')] },
  ),
  list(V2 + 'HorizontalPodAutoscaler', gvk2('HorizontalPodAutoscalerList')),
  obj(
    V2 + 'HorizontalPodAutoscalerSpec',
    'What an autoscaler scales, on which metrics and within which bounds.',
    {
      scaleTargetRef: p.ref(
        V2 + 'CrossVersionObjectReference',
        'The object whose scale subresource is driven.',
      ),
      minReplicas: p.int32(
        'The fewest replicas to scale down to; default 1 (0 only with the HPAScaleToZero gate and an Object or External metric).',
      ),
      maxReplicas: p.int32('The most replicas to scale up to; at least minReplicas.'),
      metrics: p.array(
        t.ref(V2 + 'MetricSpec'),
        'The metrics to scale on; the largest replica count any of them asks for wins. Default: 80% average CPU.',
        { listType: 'atomic' },
      ),
      behavior: p.ref(
        V2 + 'HorizontalPodAutoscalerBehavior',
        'Limits on how fast to scale up and down; defaults apply when unset.',
      ),
    },
    { required: ['scaleTargetRef', 'maxReplicas'] },
  ),
  crossVersionObjectReference(V2),
  obj(V2 + 'HorizontalPodAutoscalerBehavior', 'Scaling rules for each direction.', {
    scaleUp: p.ref(
      V2 + 'HPAScalingRules',
      'Rules for scaling up; by default the larger of +4 pods or +100% every 60s, with no stabilization.',
    ),
    scaleDown: p.ref(
      V2 + 'HPAScalingRules',
      'Rules for scaling down; by default down to minReplicas with a 300s stabilization window.',
    ),
  }),
  obj(V2 + 'HPAScalingRules', 'Limits for scaling in one direction.', {
    stabilizationWindowSeconds: p.int32(
      'Seconds of past recommendations to consider before scaling (0 to 3600); defaults are 0 up and 300 down.',
    ),
    selectPolicy: p.enum(
      ['Max', 'Min', 'Disabled'],
      'Which policy wins when several apply: Max (default), Min, or Disabled to stop scaling this way.',
    ),
    policies: p.array(t.ref(V2 + 'HPAScalingPolicy'), 'The policies that may limit scaling.', {
      listType: 'atomic',
    }),
    tolerance: p.quantity(
      'How far the metric ratio may drift from 1 before scaling, such as 0.05 for 5% (alpha; HPAConfigurableTolerance gate).',
    ),
  }),
  obj(
    V2 + 'HPAScalingPolicy',
    'One limit on how much the replica count may change within a period.',
    {
      type: p.enum(
        ['Pods', 'Percent'],
        'Pods for an absolute count, Percent for a share of current replicas.',
      ),
      value: p.int32('The allowed change; greater than zero.'),
      periodSeconds: p.int32('The window, in seconds, over which the limit holds (1 to 1800).'),
    },
    { required: ['type', 'value', 'periodSeconds'] },
  ),
  obj(
    V2 + 'HorizontalPodAutoscalerStatus',
    'The observed state of an autoscaler.',
    {
      observedGeneration: p.int64('The metadata.generation the autoscaler last acted on.'),
      lastScaleTime: p.time('When the replica count was last changed.'),
      currentReplicas: p.int32('The replica count the autoscaler last saw.'),
      desiredReplicas: p.int32('The replica count the autoscaler last computed.'),
      currentMetrics: p.array(t.ref(V2 + 'MetricStatus'), 'The metric values last read.', {
        listType: 'atomic',
      }),
      conditions: p.array(
        t.ref(V2 + 'HorizontalPodAutoscalerCondition'),
        'Whether the autoscaler is able to scale, and why.',
        { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
      ),
    },
    { required: ['desiredReplicas'] },
  ),
  obj(
    V2 + 'HorizontalPodAutoscalerCondition',
    'One aspect of an autoscaler state at a point in time.',
    {
      type: p.string('Which aspect this condition reports, such as AbleToScale or ScalingActive.'),
      status: p.string('Whether the condition holds: True, False or Unknown.'),
      lastTransitionTime: p.time('When the status of this condition last changed.'),
      reason: p.string('A one-word, CamelCase cause of the last status change.'),
      message: p.string('A human-readable explanation of the last status change.'),
    },
    { required: ['type', 'status'] },
  ),
];

const v2Metrics: Definition[] = [
  obj(
    V2 + 'MetricSpec',
    'One metric to scale on: type plus the one matching source field.',
    {
      type: p.enum(
        metricSourceTypes,
        'Which source field is set: ContainerResource, External, Object, Pods or Resource.',
      ),
      object: p.ref(
        V2 + 'ObjectMetricSource',
        'A metric of a single Kubernetes object, such as requests per second on an Ingress.',
      ),
      pods: p.ref(V2 + 'PodsMetricSource', 'A per-pod custom metric, averaged across the target pods.'),
      resource: p.ref(
        V2 + 'ResourceMetricSource',
        'A resource such as cpu or memory, averaged across the target pods.',
      ),
      containerResource: p.ref(
        V2 + 'ContainerResourceMetricSource',
        'A resource such as cpu or memory of one named container in each target pod.',
      ),
      external: p.ref(
        V2 + 'ExternalMetricSource',
        'A metric from outside the cluster, such as a queue length.',
      ),
    },
    { required: ['type'] },
  ),
  obj(
    V2 + 'ObjectMetricSource',
    'Scales on a metric that describes one Kubernetes object.',
    {
      describedObject: p.ref(V2 + 'CrossVersionObjectReference', 'The object the metric describes.'),
      target: p.ref(V2 + 'MetricTarget', 'The value to aim for.'),
      metric: p.ref(V2 + 'MetricIdentifier', 'The metric name and optional selector.'),
    },
    { required: ['describedObject', 'target', 'metric'] },
  ),
  obj(
    V2 + 'PodsMetricSource',
    'Scales on a custom metric reported for each target pod, averaged before comparison.',
    {
      metric: p.ref(V2 + 'MetricIdentifier', 'The metric name and optional selector.'),
      target: p.ref(V2 + 'MetricTarget', 'The value to aim for.'),
    },
    { required: ['metric', 'target'] },
  ),
  obj(
    V2 + 'ResourceMetricSource',
    'Scales on a resource known to Kubernetes, averaged across the target pods.',
    {
      name: p.string('The resource name, such as cpu or memory.'),
      target: p.ref(V2 + 'MetricTarget', 'The value or utilization to aim for.'),
    },
    { required: ['name', 'target'] },
  ),
  obj(
    V2 + 'ContainerResourceMetricSource',
    'Scales on a resource of one container in each target pod.',
    {
      name: p.string('The resource name, such as cpu or memory.'),
      target: p.ref(V2 + 'MetricTarget', 'The value or utilization to aim for.'),
      container: p.string('The container whose usage is measured.'),
    },
    { required: ['name', 'target', 'container'] },
  ),
  obj(
    V2 + 'ExternalMetricSource',
    'Scales on a metric that is not tied to any Kubernetes object.',
    {
      metric: p.ref(V2 + 'MetricIdentifier', 'The metric name and optional selector.'),
      target: p.ref(V2 + 'MetricTarget', 'The value to aim for.'),
    },
    { required: ['metric', 'target'] },
  ),
  obj(
    V2 + 'MetricIdentifier',
    'Names a metric and optionally narrows it with a label selector.',
    {
      name: p.string('The metric name.'),
      selector: p.ref(META + 'LabelSelector', 'Labels passed to the metrics server to narrow the metric.'),
    },
    { required: ['name'] },
  ),
  obj(
    V2 + 'MetricTarget',
    'The target of a metric: a value, an average value or an average utilization.',
    {
      type: p.enum(['Utilization', 'Value', 'AverageValue'], 'Which of the target fields is used.'),
      value: p.quantity('An exact metric value to aim for.'),
      averageValue: p.quantity('The target average of the metric across the pods.'),
      averageUtilization: p.int32(
        'The target average use across pods, as a percentage of the resource request (resource metrics only).',
      ),
    },
    { required: ['type'] },
  ),
  obj(
    V2 + 'MetricStatus',
    'The last reading of one metric: type plus the one matching source field.',
    {
      type: p.enum(
        metricSourceTypes,
        'Which source field is set: ContainerResource, External, Object, Pods or Resource.',
      ),
      object: p.ref(V2 + 'ObjectMetricStatus', 'The reading of a single-object metric.'),
      pods: p.ref(V2 + 'PodsMetricStatus', 'The reading of a per-pod custom metric.'),
      resource: p.ref(V2 + 'ResourceMetricStatus', 'The reading of a pod resource metric.'),
      containerResource: p.ref(
        V2 + 'ContainerResourceMetricStatus',
        'The reading of a container resource metric.',
      ),
      external: p.ref(V2 + 'ExternalMetricStatus', 'The reading of an external metric.'),
    },
    { required: ['type'] },
  ),
  obj(
    V2 + 'ObjectMetricStatus',
    'The current value of a metric that describes one Kubernetes object.',
    {
      metric: p.ref(V2 + 'MetricIdentifier', 'The metric name and optional selector.'),
      current: p.ref(V2 + 'MetricValueStatus', 'The value last read.'),
      describedObject: p.ref(V2 + 'CrossVersionObjectReference', 'The object the metric describes.'),
    },
    { required: ['metric', 'current', 'describedObject'] },
  ),
  obj(
    V2 + 'PodsMetricStatus',
    'The current value of a per-pod custom metric.',
    {
      metric: p.ref(V2 + 'MetricIdentifier', 'The metric name and optional selector.'),
      current: p.ref(V2 + 'MetricValueStatus', 'The value last read.'),
    },
    { required: ['metric', 'current'] },
  ),
  obj(
    V2 + 'ResourceMetricStatus',
    'The current value of a pod resource metric.',
    {
      name: p.string('The resource name, such as cpu or memory.'),
      current: p.ref(V2 + 'MetricValueStatus', 'The value last read.'),
    },
    { required: ['name', 'current'] },
  ),
  obj(
    V2 + 'ContainerResourceMetricStatus',
    'The current value of a resource metric of one container in each pod.',
    {
      name: p.string('The resource name, such as cpu or memory.'),
      current: p.ref(V2 + 'MetricValueStatus', 'The value last read.'),
      container: p.string('The container whose usage was measured.'),
    },
    { required: ['name', 'current', 'container'] },
  ),
  obj(
    V2 + 'ExternalMetricStatus',
    'The current value of an external metric.',
    {
      metric: p.ref(V2 + 'MetricIdentifier', 'The metric name and optional selector.'),
      current: p.ref(V2 + 'MetricValueStatus', 'The value last read.'),
    },
    { required: ['metric', 'current'] },
  ),
  obj(V2 + 'MetricValueStatus', 'A metric reading: a value, an average value or an average utilization.', {
    value: p.quantity('The metric value last read.'),
    averageValue: p.quantity('The current average of the metric across the pods.'),
    averageUtilization: p.int32(
      'The current average use across pods, as a percentage of the resource request.',
    ),
  }),
];

/** Every autoscaling/v1 and autoscaling/v2 definition. */
export const autoscalingDefinitions: Definition[] = [...v1, ...v2Core, ...v2Metrics];
