import { describe, it, expect } from 'vitest';
import type { KubeObject } from '../../../api/meta.js';
import { coreStrategies } from './index.js';
import { create, update, updateStatus } from './testing.js';

const limitranges = coreStrategies['limitranges']!;
const quotas = coreStrategies['resourcequotas']!;

function lr(limits: unknown[], name = 'limits'): KubeObject {
  return { apiVersion: 'v1', kind: 'LimitRange', metadata: { name, namespace: 'default' }, spec: { limits } };
}

function rq(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'default' }, spec };
}

describe('limit ranges', () => {
  it('defaults container limits from max and requests from default or min', () => {
    const { obj, errors } = create(
      limitranges,
      lr([
        {
          type: 'Container',
          max: { cpu: '2', memory: '1Gi' },
          min: { cpu: '100m' },
          default: { memory: '512Mi' },
        },
      ]),
    );
    expect(errors).toEqual([]);
    expect((obj['spec'] as { limits: unknown[] }).limits[0]).toEqual({
      type: 'Container',
      max: { cpu: '2', memory: '1Gi' },
      min: { cpu: '100m' },
      default: { memory: '512Mi', cpu: '2' },
      defaultRequest: { memory: '512Mi', cpu: '2' },
    });
    expect(limitranges.allowCreateOnUpdate).toBe(true);
  });

  it('names nameless limit ranges', () => {
    const { obj } = create(limitranges, lr([], ''));
    expect((obj['metadata'] as { name: string }).name).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports ordering problems with upstream wording', () => {
    const cases: [unknown[], string][] = [
      [
        [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }],
        'spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1',
      ],
      [
        [{ type: 'Container', max: { cpu: '1' }, default: { cpu: '2' } }],
        'spec.limits[0].default[cpu]: Invalid value: "1": default value 2 is greater than max value 1',
      ],
      [
        [{ type: 'Container', default: { cpu: '1' }, defaultRequest: { cpu: '2' } }],
        'spec.limits[0].defaultRequest[cpu]: Invalid value: "2": default request value 2 is greater than default limit value 1',
      ],
      [
        [{ type: 'Pod', default: { cpu: '1' } }],
        "spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'",
      ],
      [
        [{ type: 'Container', maxLimitRequestRatio: { cpu: '0.5' } }],
        'spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: "500m": ratio 500m is less than 1',
      ],
      [
        [{ type: 'PersistentVolumeClaim' }],
        'spec.limits[0].limits: Required value: either minimum or maximum storage value is required, but neither was provided',
      ],
      [
        [{ type: 'Node' }],
        'spec.limits[0].type: Invalid value: "Node": must be a standard limit type or fully qualified',
      ],
      [[{ type: 'Container' }, { type: 'Container' }], 'spec.limits[1].type: Duplicate value: "Container"'],
    ];
    for (const [limits, want] of cases) expect(create(limitranges, lr(limits)).errors, want).toContain(want);
  });
});

describe('resource quotas', () => {
  it('accepts standard resources and clears status on create', () => {
    const { obj, errors } = create(quotas, {
      ...rq({ hard: { pods: 10, 'requests.cpu': '4', 'count/deployments.apps': '5' } }),
      status: { used: { pods: '3' } },
    });
    expect(errors).toEqual([]);
    expect(obj['status']).toEqual({});
    expect((obj['spec'] as { hard: Record<string, unknown> }).hard['pods']).toBe('10');
  });

  it('validates names, values and scopes', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ hard: { pods: '-1' } }, 'spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0'],
      [{ hard: { pods: '1.5' } }, 'spec.hard[pods]: Invalid value: "1500m": must be an integer'],
      [
        { hard: { widgets: '1' } },
        'spec.hard[widgets]: Invalid value: "widgets": must be a standard resource type or fully qualified',
      ],
      [
        { hard: { pods: '1' }, scopes: ['Forever'] },
        'spec.scopes: Invalid value: []core.ResourceQuotaScope{"Forever"}: unsupported scope',
      ],
      [
        { hard: { cpu: '1' }, scopes: ['BestEffort'] },
        'spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort"}: unsupported scope applied to resource',
      ],
      [
        { hard: { pods: '1' }, scopes: ['Terminating', 'NotTerminating'] },
        'spec.scopes: Invalid value: []core.ResourceQuotaScope{"Terminating", "NotTerminating"}: conflicting scopes',
      ],
    ];
    for (const [spec, want] of cases) expect(create(quotas, rq(spec)).errors, want).toContain(want);
  });

  it('keeps scopes immutable and validates status updates', () => {
    const stored = create(quotas, rq({ hard: { pods: '1' }, scopes: ['Terminating'] })).obj;
    expect(update(quotas, rq({ hard: { pods: '2' }, scopes: ['NotTerminating'] }), stored).errors).toEqual([
      'spec.scopes: Invalid value: []core.ResourceQuotaScope{"NotTerminating"}: field is immutable',
    ]);
    const next = {
      ...structuredClone(stored),
      metadata: { name: 'q', namespace: 'default', resourceVersion: '7' },
      status: { used: { pods: '-1' } },
    };
    expect(updateStatus(quotas, next, stored).errors).toEqual([
      'status.used[pods]: Invalid value: "-1": must be greater than or equal to 0',
    ]);
  });
});
