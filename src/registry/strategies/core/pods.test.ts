import { describe, it, expect } from 'vitest';
import type { KubeObject } from '../../../api/meta.js';
import { fieldErrorString } from '../../../api/errors.js';
import { bindPod, coreStrategies, coreSubresourceStrategies, validateBinding } from './index.js';
import { create, testContext, update, updateStatus } from './testing.js';

const pods = coreStrategies['pods']!;

function pod(spec: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', ...meta }, spec };
}

const basic = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  containers: [{ name: 'app', image: 'nginx:1.25', ...extra }],
});

function errorsOf(spec: Record<string, unknown>, meta?: Record<string, unknown>): string[] {
  return create(pods, pod(spec, meta)).errors;
}

describe('pod defaults', () => {
  it('fills the fields kubectl get -o yaml shows', () => {
    const { obj, errors } = create(pods, pod(basic()));
    expect(errors).toEqual([]);
    const spec = obj['spec'] as Record<string, unknown>;
    expect(spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
      securityContext: {},
      enableServiceLinks: true,
      serviceAccountName: 'default',
      serviceAccount: 'default',
    });
    // priority and preemptionPolicy come from the Priority admission plugin, not the strategy.
    expect(spec['priority']).toBeUndefined();
    expect(spec['containers']).toMatchObject([
      {
        imagePullPolicy: 'IfNotPresent',
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        resources: {},
        volumeMounts: [{ readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }],
      },
    ]);
    // Tolerations for not-ready/unreachable come from the DefaultTolerationSeconds admission plugin.
    expect(spec['tolerations']).toBeUndefined();
    expect(obj['status']).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('chooses imagePullPolicy from the tag', () => {
    const policy = (image: string): unknown => {
      const { obj } = create(pods, pod({ containers: [{ name: 'c', image }] }));
      return ((obj['spec'] as { containers: { imagePullPolicy: string }[] }).containers[0] ?? {})
        .imagePullPolicy;
    };
    expect(policy('nginx')).toBe('Always');
    expect(policy('nginx:latest')).toBe('Always');
    expect(policy('registry.local:5000/team/app')).toBe('Always');
    expect(policy('nginx:1.25')).toBe('IfNotPresent');
    expect(policy('nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef')).toBe(
      'IfNotPresent',
    );
  });

  it('defaults probes, ports, env and volumes', () => {
    const { obj, errors } = create(
      pods,
      pod({
        containers: [
          {
            name: 'c',
            image: 'busybox:1',
            ports: [{ containerPort: 80 }],
            env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
            livenessProbe: { httpGet: { port: 80 } },
            volumeMounts: [
              { name: 'cfg', mountPath: '/cfg' },
              { name: 'scratch', mountPath: '/scratch' },
              { name: 'host', mountPath: '/host' },
            ],
          },
        ],
        volumes: [
          { name: 'cfg', configMap: { name: 'c' } },
          { name: 'scratch' },
          { name: 'host', hostPath: { path: '/tmp' } },
        ],
      }),
    );
    expect(errors).toEqual([]);
    const spec = obj['spec'] as { containers: Record<string, unknown>[]; volumes: Record<string, unknown>[] };
    expect(spec.containers[0]).toMatchObject({
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      env: [{ name: 'NODE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } }],
      livenessProbe: {
        httpGet: { port: 80, path: '/', scheme: 'HTTP' },
        timeoutSeconds: 1,
        periodSeconds: 10,
        successThreshold: 1,
        failureThreshold: 3,
      },
    });
    expect(spec.volumes.slice(0, 3)).toEqual([
      { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } },
      { name: 'scratch', emptyDir: {} },
      { name: 'host', hostPath: { path: '/tmp', type: '' } },
    ]);
  });

  it('defaults requests to limits and canonicalizes quantities', () => {
    const { obj, errors } = create(
      pods,
      pod(basic({ resources: { limits: { cpu: '0.5', memory: '1024Mi' } } })),
    );
    expect(errors).toEqual([]);
    const c = (obj['spec'] as { containers: Record<string, unknown>[] }).containers[0];
    expect(c?.['resources']).toEqual({
      limits: { cpu: '500m', memory: '1Gi' },
      requests: { cpu: '500m', memory: '1Gi' },
    });
    expect((obj['status'] as Record<string, unknown>)['qosClass']).toBe('Guaranteed');
  });

  it('sets host ports on host-network pods', () => {
    const { obj, errors } = create(
      pods,
      pod({ hostNetwork: true, ...basic({ ports: [{ containerPort: 8080 }] }) }),
    );
    expect(errors).toEqual([]);
    expect((obj['spec'] as { containers: { ports: unknown[] }[] }).containers[0]?.ports).toEqual([
      { containerPort: 8080, hostPort: 8080, protocol: 'TCP' },
    ]);
  });

  it('marks gated pods as not scheduled', () => {
    const { obj } = create(pods, pod({ ...basic(), schedulingGates: [{ name: 'example.com/gate' }] }));
    expect((obj['status'] as { conditions: unknown[] }).conditions).toEqual([
      {
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        lastTransitionTime: null,
        reason: 'SchedulingGated',
        message: 'Scheduling is blocked due to non-empty scheduling gates',
      },
    ]);
  });
});

describe('pod validation', () => {
  it('accepts a well-formed pod with sidecars, probes and affinity', () => {
    expect(
      errorsOf({
        initContainers: [
          { name: 'init', image: 'busybox' },
          {
            name: 'proxy',
            image: 'envoy:1',
            restartPolicy: 'Always',
            readinessProbe: { tcpSocket: { port: 9901 } },
          },
        ],
        containers: [
          {
            name: 'app',
            image: 'nginx:1.25',
            ports: [{ name: 'http', containerPort: 80 }],
            resources: { requests: { cpu: '100m' }, limits: { cpu: '500m', memory: '128Mi' } },
            startupProbe: { exec: { command: ['true'] } },
            lifecycle: { preStop: { sleep: { seconds: 5 } } },
          },
        ],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }] },
              ],
            },
          },
        },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: 'zone',
            whenUnsatisfiable: 'DoNotSchedule',
            labelSelector: { matchLabels: { a: 'b' } },
          },
        ],
      }),
    ).toEqual([]);
  });

  it('reports upstream messages', () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { ...basic(), restartPolicy: 'Sometimes' },
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      ],
      [{ containers: [{ name: 'app' }] }, 'spec.containers[0].image: Required value'],
      [{ containers: [] }, 'spec.containers: Required value'],
      [
        basic({ resources: { requests: { cpu: '600m' }, limits: { cpu: '500m' } } }),
        'spec.containers[0].resources.requests: Invalid value: "600m": must be less than or equal to cpu limit of 500m',
      ],
      [
        { containers: [{ name: 'Bad_Name', image: 'x' }] },
        "spec.containers[0].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      ],
      [
        { initContainers: [{ name: 'app', image: 'x' }], ...basic() },
        'spec.initContainers[0].name: Duplicate value: "app"',
      ],
      [
        basic({ ports: [{ containerPort: 70000 }] }),
        'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      ],
      [
        basic({
          ports: [
            { name: 'web', containerPort: 80 },
            { name: 'web', containerPort: 81 },
          ],
        }),
        'spec.containers[0].ports[1].name: Duplicate value: "web"',
      ],
      [
        basic({ volumeMounts: [{ name: 'data', mountPath: '/data' }] }),
        'spec.containers[0].volumeMounts[0].name: Not found: "data"',
      ],
      [
        { ...basic(), volumes: [{ name: 'v', emptyDir: {}, hostPath: { path: '/x' } }] },
        'spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type',
      ],
      [
        {
          ...basic(),
          volumes: [
            { name: 'v', emptyDir: {} },
            { name: 'v', emptyDir: {} },
          ],
        },
        'spec.volumes[1].name: Duplicate value: "v"',
      ],
      [
        basic({ livenessProbe: { exec: { command: ['true'] }, successThreshold: 2 } }),
        'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
      ],
      [
        basic({ readinessProbe: { periodSeconds: 3 } }),
        'spec.containers[0].readinessProbe: Required value: must specify a handler type',
      ],
      [
        { ...basic(), dnsPolicy: 'None' },
        'spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None',
      ],
      [
        { ...basic(), tolerations: [{ operator: 'Equal', value: 'x' }] },
        'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
      ],
      [
        { hostNetwork: true, ...basic({ ports: [{ containerPort: 80, hostPort: 81 }] }) },
        'spec.containers[0].ports[0].hostPort: Invalid value: 81: must match `containerPort` when `hostNetwork` is true',
      ],
      [
        { initContainers: [{ name: 'i', image: 'x', restartPolicy: 'Never' }], ...basic() },
        'spec.initContainers[0].restartPolicy: Unsupported value: "Never": supported values: "Always"',
      ],
      [
        {
          initContainers: [{ name: 'i', image: 'x', livenessProbe: { exec: { command: ['x'] } } }],
          ...basic(),
        },
        'spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
      ],
      [
        basic({ restartPolicy: 'Always' }),
        'spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers',
      ],
      [
        { ...basic(), activeDeadlineSeconds: 0 },
        'spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive',
      ],
      [
        {
          ...basic(),
          affinity: {
            nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } },
          },
        },
        'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term',
      ],
      [
        {
          ...basic(),
          topologySpreadConstraints: [
            { maxSkew: 0, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' },
          ],
        },
        'spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero',
      ],
      [
        basic({ env: [{ name: 'A=B', value: 'x' }] }),
        'spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than \'=\'',
      ],
      [
        basic({ env: [{ name: 'A', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] }),
        'spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
      ],
      [
        basic({ env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.containers' } } }] }),
        'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: "spec.containers": error converting fieldPath: field label not supported: spec.containers',
      ],
      [
        basic({ volumeMounts: [{ name: 'v', mountPath: '/v', subPath: '../x' }] }),
        'spec.containers[0].volumeMounts.subPath: Invalid value: "../x": must not contain \'..\'',
      ],
      [
        basic({ resources: { limits: { 'example.com/gpu': '1' }, requests: { 'example.com/gpu': '2' } } }),
        'spec.containers[0].resources.requests: Invalid value: "2": must be equal to example.com/gpu limit of 1',
      ],
      [
        basic({ resources: { limits: { cpu: 'lots' } } }),
        'spec.containers[0].resources.limits[cpu]: Invalid value: "lots": quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'',
      ],
      [
        { ...basic(), nodeSelector: { 'bad key!': 'x' } },
        "spec.nodeSelector: Invalid value: \"bad key!\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      ],
      [
        { ...basic(), ephemeralContainers: [{ name: 'dbg', image: 'busybox' }] },
        'spec.ephemeralContainers: Forbidden: cannot be set on create',
      ],
      [
        basic({ image: ' nginx' }),
        'spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace',
      ],
    ];
    for (const [spec, want] of cases) expect(errorsOf(spec), want).toContain(want);
  });

  it('never throws on odd shapes', () => {
    const odd: unknown[] = [
      { containers: 'nope' },
      { containers: [null, 3, { name: 5, image: {} }], volumes: { a: 1 } },
      { containers: [{ name: 'c', image: 'x', ports: [null], env: 'x', resources: { limits: 5 } }] },
      {
        containers: [{ name: 'c', image: 'x', livenessProbe: { httpGet: { port: { x: 1 } } } }],
        affinity: [],
      },
    ];
    for (const spec of odd) expect(() => create(pods, pod(spec as Record<string, unknown>))).not.toThrow();
    expect(() => create(pods, { apiVersion: 'v1', kind: 'Pod', spec: 7 })).not.toThrow();
  });
});

describe('pod update', () => {
  const stored = create(pods, pod({ ...basic(), nodeName: 'node-1' })).obj;

  it('allows image changes and tolerations additions', () => {
    const next = structuredClone(stored) as {
      spec: { containers: { image: string }[]; tolerations?: unknown[] };
    };
    next.spec.containers[0]!.image = 'nginx:1.26';
    next.spec.tolerations = [...(next.spec.tolerations ?? []), { key: 'x', operator: 'Exists' }];
    expect(update(pods, next as unknown as KubeObject, stored).errors).toEqual([]);
  });

  it('rejects other spec changes with the list of updatable fields and a diff', () => {
    const next = structuredClone(stored) as { spec: Record<string, unknown> };
    next.spec['restartPolicy'] = 'Never';
    const { errors } = update(pods, next as unknown as KubeObject, stored);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`,`spec\.initContainers\[\*\]\.image`,`spec\.activeDeadlineSeconds`,`spec\.tolerations` \(only additions to existing tolerations\),`spec\.terminationGracePeriodSeconds` \(allow it to be set to 1 if it was previously negative\)\n/,
    );
    expect(errors[0]).toContain('restartPolicy: "Always"');
  });

  it('rejects added containers', () => {
    const next = structuredClone(stored) as { spec: { containers: unknown[] } };
    next.spec.containers.push({ name: 'b', image: 'b' });
    expect(update(pods, next as unknown as KubeObject, stored).errors).toContain(
      'spec.containers: Forbidden: pod updates may not add or remove containers',
    );
  });

  it('keeps status on spec updates and bumps nothing itself', () => {
    const next = structuredClone(stored);
    next['status'] = { phase: 'Running' };
    expect(update(pods, next, stored).obj['status']).toEqual(stored['status']);
    expect(pods.generation).toBe(true);
  });

  it('validates status updates', () => {
    const next = structuredClone(stored) as {
      status: Record<string, unknown>;
      spec: Record<string, unknown>;
    };
    next.status['qosClass'] = 'Guaranteed';
    next.spec['nodeName'] = 'elsewhere';
    const { obj, errors } = updateStatus(pods, next as unknown as KubeObject, stored);
    expect((obj['spec'] as Record<string, unknown>)['nodeName']).toBe('node-1');
    expect(errors).toEqual(['status.qosClass: Invalid value: "Guaranteed": field is immutable']);
  });

  it('forbids restarting terminated containers when restartPolicy is Never', () => {
    const base = create(pods, pod({ ...basic(), restartPolicy: 'Never' })).obj as {
      status: Record<string, unknown>;
    };
    base.status['containerStatuses'] = [{ name: 'app', state: { terminated: { exitCode: 0 } } }];
    const next = structuredClone(base);
    next.status['containerStatuses'] = [{ name: 'app', state: { running: {} } }];
    expect(updateStatus(pods, next as unknown as KubeObject, base as unknown as KubeObject).errors).toEqual([
      'status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state',
    ]);
  });

  it('adds ephemeral containers through the subresource only', () => {
    const sub = coreSubresourceStrategies['pods/ephemeralcontainers']!;
    const next = structuredClone(stored) as { spec: Record<string, unknown> };
    next.spec['ephemeralContainers'] = [
      { name: 'debug', image: 'busybox', imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File' },
    ];
    next.spec['restartPolicy'] = 'Never';
    const obj = next as unknown as KubeObject;
    sub.prepareForUpdate(obj, stored);
    expect((obj['spec'] as Record<string, unknown>)['restartPolicy']).toBe('Always');
    expect(sub.validateUpdate(obj, stored)).toEqual([]);
    const removed = structuredClone(stored);
    expect(sub.validateUpdate(removed, obj).map(fieldErrorString)).toEqual([
      'spec.ephemeralContainers: Forbidden: existing ephemeral containers "debug" may not be removed\n',
    ]);
  });
});

describe('pod warnings', () => {
  it('warns about names, deprecated labels, fractional bytes and duplicates', () => {
    const obj = create(
      pods,
      pod(
        {
          nodeSelector: { 'beta.kubernetes.io/os': 'linux' },
          containers: [
            {
              name: 'app',
              image: 'nginx:1',
              env: [
                { name: 'A', value: '1' },
                { name: 'A', value: '2' },
              ],
              resources: { limits: { memory: '1.5' } },
              ports: [{ containerPort: 80 }, { containerPort: 80 }],
            },
          ],
          volumes: [{ name: 'g', gitRepo: { repository: 'https://example.com/r.git' } }],
        },
        { name: 'Web.1' },
      ),
    ).obj;
    expect(pods.warnings?.(obj, undefined)).toEqual([
      "metadata.name: this is used in the Pod's hostname, which can result in surprising behavior; a DNS label is recommended: [a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')]",
      'spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" instead',
      'spec.volumes[0].gitRepo: deprecated in v1.11',
      'spec.containers[0].resources.limits[memory]: fractional byte value "1500m" is invalid, must be an integer',
      'spec.containers[0].resources.requests[memory]: fractional byte value "1500m" is invalid, must be an integer',
      'spec.containers[0].env[1]: hides previous definition of "A", which may be dropped when using apply',
      'spec.containers[0].ports[1]: duplicate port definition with spec.containers[0].ports[0]',
    ]);
    expect(pods.warnings?.(obj, obj)).toEqual([]);
  });
});

describe('pod selectors, deletion and binding', () => {
  const stored = create(pods, pod(basic())).obj;

  it('exposes upstream field selectors', () => {
    expect(pods.selectableFields?.(stored)).toEqual({
      'spec.nodeName': '',
      'spec.restartPolicy': 'Always',
      'spec.schedulerName': 'default-scheduler',
      'spec.serviceAccountName': 'default',
      'spec.hostNetwork': 'false',
      'status.phase': 'Pending',
      'status.podIP': '',
      'status.nominatedNodeName': '',
    });
  });

  it('deletes unscheduled and finished pods at once', () => {
    expect(pods.gracePeriod?.(stored, undefined)).toBe(0);
    const scheduled = structuredClone(stored) as {
      spec: Record<string, unknown>;
      status: Record<string, unknown>;
    };
    scheduled.spec['nodeName'] = 'n1';
    expect(pods.gracePeriod?.(scheduled as unknown as KubeObject, undefined)).toBe(30);
    expect(pods.gracePeriod?.(scheduled as unknown as KubeObject, 5)).toBe(5);
    expect(pods.gracePeriod?.(scheduled as unknown as KubeObject, -3)).toBe(1);
    scheduled.status['phase'] = 'Succeeded';
    expect(pods.gracePeriod?.(scheduled as unknown as KubeObject, 10)).toBe(0);
  });

  it('validates and applies bindings', () => {
    const bad = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web' }, target: { kind: 'Pod' } };
    expect(validateBinding(bad).map(fieldErrorString)).toEqual([
      'target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"',
      'target.name: Required value',
    ]);
    const binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'web' },
      target: { kind: 'Node', name: 'n1' },
    };
    const r = bindPod(stored, binding, 'web', testContext.now());
    expect(r.error).toBeUndefined();
    expect((r.pod?.['spec'] as Record<string, unknown>)['nodeName']).toBe('n1');
    expect((r.pod?.['status'] as { conditions: unknown[] }).conditions).toEqual([
      {
        type: 'PodScheduled',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: '2025-05-01T10:00:00Z',
      },
    ]);
    const again = bindPod(r.pod!, binding, 'web', testContext.now());
    expect(again.error?.status.message).toBe(
      'Operation cannot be fulfilled on pods/binding "web": pod web is already assigned to node "n1"',
    );
    expect(bindPod(stored, binding, 'other', testContext.now()).error?.status.code).toBe(400);
  });
});
