import { describe, expect, it } from 'vitest';
import { definitions } from '../types/index.js';
import { canonicalizeQuantities, quantityNormalizer } from './quantities.js';
import { DefinitionRegistry } from './registry.js';
import type { Definition } from './types.js';
import { obj, p, t, QUANTITY, scalar } from './dsl.js';

function kind(group: string, version: string, k: string): Definition {
  const def = definitions.forKind({ group, version, kind: k });
  if (!def) throw new Error(`no definition for ${k}`);
  return def;
}

function normalized<T>(group: string, version: string, k: string, object: T): T {
  canonicalizeQuantities(object, kind(group, version, k), definitions);
  return object;
}

describe('canonicalizeQuantities', () => {
  it('covers every quantity of a pod: containers of each sort, overhead, volumes, status', () => {
    const pod = normalized('', 'v1', 'Pod', {
      spec: {
        containers: [
          { name: 'a', resources: { requests: { cpu: 0.5, memory: '1024Mi' }, limits: { cpu: '1000m' } } },
          {
            name: 'b',
            env: [
              { name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1000m' } } },
            ],
          },
        ],
        initContainers: [{ name: 'i', resources: { limits: { memory: 1000, 'example.com/gpu': '2000m' } } }],
        ephemeralContainers: [{ name: 'e', resources: { requests: { cpu: '0.25' } } }],
        overhead: { cpu: '0.1' },
        resources: { limits: { memory: '2048Ki' } },
        volumes: [
          { name: 'scratch', emptyDir: { sizeLimit: '1.5Gi' } },
          {
            name: 'eph',
            ephemeral: {
              volumeClaimTemplate: { spec: { resources: { requests: { storage: '2000000k' } } } },
            },
          },
          {
            name: 'dapi',
            downwardAPI: {
              items: [{ path: 'm', resourceFieldRef: { resource: 'limits.memory', divisor: '1024Ki' } }],
            },
          },
        ],
      },
      status: {
        containerStatuses: [
          {
            name: 'a',
            allocatedResources: { cpu: '500m', memory: 0.5 },
            resources: { limits: { cpu: '2000m' } },
          },
        ],
      },
    });
    expect(pod).toEqual({
      spec: {
        containers: [
          { name: 'a', resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1' } } },
          {
            name: 'b',
            env: [{ name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1' } } }],
          },
        ],
        initContainers: [{ name: 'i', resources: { limits: { memory: '1k', 'example.com/gpu': '2' } } }],
        ephemeralContainers: [{ name: 'e', resources: { requests: { cpu: '250m' } } }],
        overhead: { cpu: '100m' },
        resources: { limits: { memory: '2Mi' } },
        volumes: [
          { name: 'scratch', emptyDir: { sizeLimit: '1536Mi' } },
          {
            name: 'eph',
            ephemeral: { volumeClaimTemplate: { spec: { resources: { requests: { storage: '2G' } } } } },
          },
          {
            name: 'dapi',
            downwardAPI: {
              items: [{ path: 'm', resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } }],
            },
          },
        ],
      },
      status: {
        containerStatuses: [
          {
            name: 'a',
            allocatedResources: { cpu: '500m', memory: '500m' },
            resources: { limits: { cpu: '2' } },
          },
        ],
      },
    });
  });

  it('covers pod templates of workloads and claim templates of stateful sets', () => {
    const sts = normalized('apps', 'v1', 'StatefulSet', {
      spec: {
        template: { spec: { containers: [{ name: 'c', resources: { requests: { cpu: '1.5' } } }] } },
        volumeClaimTemplates: [{ spec: { resources: { requests: { storage: '10240Mi' } } } }],
      },
    });
    expect(sts.spec.template.spec.containers[0]?.resources.requests.cpu).toBe('1500m');
    expect(sts.spec.volumeClaimTemplates[0]?.spec.resources.requests.storage).toBe('10Gi');
    const job = normalized('batch', 'v1', 'CronJob', {
      spec: {
        jobTemplate: {
          spec: {
            template: {
              spec: { containers: [{ name: 'c', resources: { limits: { memory: 1073741824 } } }] },
            },
          },
        },
      },
    });
    expect(job.spec.jobTemplate.spec.template.spec.containers[0]?.resources.limits.memory).toBe('1073741824');
  });

  it('covers storage, quota, limit range and node lists', () => {
    expect(
      normalized('', 'v1', 'PersistentVolumeClaim', {
        spec: { resources: { requests: { storage: '1024Mi' } } },
        status: { capacity: { storage: '1024Mi' }, allocatedResources: { storage: '1.0Gi' } },
      }),
    ).toEqual({
      spec: { resources: { requests: { storage: '1Gi' } } },
      status: { capacity: { storage: '1Gi' }, allocatedResources: { storage: '1Gi' } },
    });
    expect(normalized('', 'v1', 'PersistentVolume', { spec: { capacity: { storage: '5000M' } } })).toEqual({
      spec: { capacity: { storage: '5G' } },
    });
    expect(
      normalized('', 'v1', 'ResourceQuota', {
        spec: { hard: { pods: 10, 'requests.cpu': '1000m', 'requests.memory': '1024Mi' } },
        status: { hard: { pods: '10' }, used: { pods: '0', 'requests.cpu': '0.5' } },
      }),
    ).toEqual({
      spec: { hard: { pods: '10', 'requests.cpu': '1', 'requests.memory': '1Gi' } },
      status: { hard: { pods: '10' }, used: { pods: '0', 'requests.cpu': '500m' } },
    });
    const lr = normalized('', 'v1', 'LimitRange', {
      spec: {
        limits: [
          {
            type: 'Container',
            max: { cpu: '2000m' },
            min: { cpu: 0.1 },
            default: { memory: '512Mi' },
            defaultRequest: { memory: '0.25Gi' },
            maxLimitRequestRatio: { cpu: '4.0' },
          },
        ],
      },
    });
    expect(lr.spec.limits[0]).toEqual({
      type: 'Container',
      max: { cpu: '2' },
      min: { cpu: '100m' },
      default: { memory: '512Mi' },
      defaultRequest: { memory: '256Mi' },
      maxLimitRequestRatio: { cpu: '4' },
    });
    expect(
      normalized('', 'v1', 'Node', {
        status: { capacity: { cpu: 4, memory: '8388608Ki', pods: '110' }, allocatable: { cpu: '3900m' } },
      }),
    ).toEqual({
      status: { capacity: { cpu: '4', memory: '8Gi', pods: '110' }, allocatable: { cpu: '3900m' } },
    });
  });

  it('covers metric targets and current values of autoscalers', () => {
    const hpa = normalized('autoscaling', 'v2', 'HorizontalPodAutoscaler', {
      spec: {
        metrics: [
          {
            type: 'Pods',
            pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '1000m' } },
          },
          { type: 'Object', object: { metric: { name: 'q' }, target: { type: 'Value', value: 0.5 } } },
        ],
      },
      status: {
        currentMetrics: [
          { type: 'Pods', pods: { metric: { name: 'rps' }, current: { averageValue: '2000m' } } },
        ],
      },
    });
    expect(hpa.spec.metrics[0]?.pods?.target.averageValue).toBe('1');
    expect(hpa.spec.metrics[1]?.object?.target.value).toBe('500m');
    expect(hpa.status.currentMetrics[0]?.pods.current.averageValue).toBe('2');
  });

  it('rounds ResourceList values up to milli-units, and only those', () => {
    const pod = normalized('', 'v1', 'Pod', {
      spec: {
        containers: [{ name: 'c', resources: { requests: { cpu: '0.0001' } } }],
        volumes: [{ name: 'v', emptyDir: { sizeLimit: '0.0001' } }],
      },
      status: { containerStatuses: [{ name: 'c', allocatedResources: { cpu: '1500u' } }] },
    });
    expect(pod.spec.containers[0]?.resources.requests.cpu).toBe('1m');
    expect(pod.spec.volumes[0]?.emptyDir.sizeLimit).toBe('100u');
    expect(pod.status.containerStatuses[0]?.allocatedResources.cpu).toBe('2m');
    const hpa = normalized('autoscaling', 'v2', 'HorizontalPodAutoscaler', {
      spec: {
        metrics: [{ type: 'Pods', pods: { target: { type: 'AverageValue', averageValue: '0.0001' } } }],
      },
    });
    expect(hpa.spec.metrics[0]?.pods.target.averageValue).toBe('100u');
  });

  it('leaves values that do not parse, nulls and fields of other types alone', () => {
    const pod = normalized('', 'v1', 'Pod', {
      metadata: { name: '1000m', labels: { cpu: '0.5' }, annotations: { memory: '1024Mi' } },
      spec: {
        containers: [
          { name: 'c', image: '0.5', resources: { requests: { cpu: 'lots', memory: null }, limits: {} } },
        ],
        overhead: null,
      },
    });
    expect(pod).toEqual({
      metadata: { name: '1000m', labels: { cpu: '0.5' }, annotations: { memory: '1024Mi' } },
      spec: {
        containers: [
          { name: 'c', image: '0.5', resources: { requests: { cpu: 'lots', memory: null }, limits: {} } },
        ],
        overhead: null,
      },
    });
  });

  it('keeps wrongly shaped values for validation to report', () => {
    const pod = normalized('', 'v1', 'Pod', {
      spec: { containers: { name: 'c' }, overhead: ['1'], volumes: [null, 'x', { emptyDir: 5 }] },
    });
    expect(pod).toEqual({
      spec: { containers: { name: 'c' }, overhead: ['1'], volumes: [null, 'x', { emptyDir: 5 }] },
    });
  });

  it('has nothing to do for kinds without quantities', () => {
    for (const [group, version, k] of [
      ['', 'v1', 'ConfigMap'],
      ['', 'v1', 'Secret'],
      ['', 'v1', 'Service'],
      ['coordination.k8s.io', 'v1', 'Lease'],
      ['rbac.authorization.k8s.io', 'v1', 'ClusterRole'],
    ] as const)
      expect(quantityNormalizer(kind(group, version, k), definitions), k).toBeUndefined();
  });

  it('follows quantities in lists of quantities and into types that contain themselves', () => {
    const registry = new DefinitionRegistry().add(
      scalar(QUANTITY, 'A quantity.', 'quantity'),
      obj('x.Node', 'A tree.', {
        sizes: p.array(t.quantity, 'Sizes.'),
        child: p.ref('x.Node', 'Itself.'),
        label: p.string('Not a quantity.'),
      }),
    );
    const def = registry.get('x.Node');
    if (!def) throw new Error('missing');
    const value = { sizes: ['1000m', 2, 'x', null], label: '1000m', child: { sizes: ['1000m'] } };
    canonicalizeQuantities(value, def, registry);
    expect(value).toEqual({ sizes: ['1', '2', 'x', null], label: '1000m', child: { sizes: ['1'] } });
  });
});

describe('quantityNormalizer on a recursive type without quantities', () => {
  it('changes nothing', () => {
    const registry = new DefinitionRegistry().add(
      obj('x.Tree', 'A tree.', { child: p.ref('x.Tree', 'Itself.'), name: p.string('A name.') }),
    );
    const def = registry.get('x.Tree');
    if (!def) throw new Error('missing');
    const normalize = quantityNormalizer(def, registry);
    // The self-reference is kept as a lookup; walking it finds nothing to change.
    const value = { child: { child: { name: '1000m' } } };
    normalize?.(value);
    expect(value).toEqual({ child: { child: { name: '1000m' } } });
  });
});
