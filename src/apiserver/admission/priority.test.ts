import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { findResource, type ResourceType } from '../../api/resources.js';
import { priorityAdmission } from './priority.js';
import type { AdmissionAttributes, Operation } from './types.js';

const PODS = findResource({ group: '', version: 'v1' }, 'pods') as ResourceType;
const PCS = findResource({ group: 'scheduling.k8s.io', version: 'v1' }, 'priorityclasses') as ResourceType;

function pc(name: string, value: number, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, ...extra };
}

const SYSTEM = [
  pc('system-node-critical', 2000001000, { preemptionPolicy: 'PreemptLowerPriority' }),
  pc('system-cluster-critical', 2000000000, { preemptionPolicy: 'PreemptLowerPriority' }),
];

function attrs(
  resource: ResourceType,
  operation: Operation,
  object: KubeObject | undefined,
  extra: Partial<AdmissionAttributes> = {},
): AdmissionAttributes {
  return {
    operation,
    resource,
    subresource: '',
    namespace: resource.namespaced ? 'default' : '',
    name: object?.metadata?.name ?? '',
    object,
    user: { username: 'admin', groups: [] },
    dryRun: false,
    ...extra,
  };
}

function pod(spec: Record<string, unknown> = {}, name = 'p'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'c' }], ...spec },
  };
}

async function admitPod(classes: KubeObject[], p: KubeObject, namespace = 'default'): Promise<KubeObject> {
  await priorityAdmission(() => classes).admit?.(attrs(PODS, 'CREATE', p, { namespace }));
  return p;
}

async function refusal(run: () => Promise<unknown>): Promise<ApiError> {
  try {
    await run();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('Priority admission of pods', () => {
  it('gives priority 0 and PreemptLowerPriority when no class is named and none is the default', async () => {
    const p = await admitPod(SYSTEM, pod());
    expect(p['spec']).toMatchObject({ priority: 0, preemptionPolicy: 'PreemptLowerPriority' });
    expect((p['spec'] as Record<string, unknown>)['priorityClassName']).toBeUndefined();
  });

  it('resolves a named class into priority and preemptionPolicy', async () => {
    const classes = [...SYSTEM, pc('high', 1000, { preemptionPolicy: 'Never' })];
    const p = await admitPod(classes, pod({ priorityClassName: 'high' }));
    expect(p['spec']).toMatchObject({ priorityClassName: 'high', priority: 1000, preemptionPolicy: 'Never' });
  });

  it('applies the globalDefault class to pods that name none', async () => {
    const classes = [pc('low', 10, { globalDefault: true, preemptionPolicy: 'PreemptLowerPriority' })];
    const p = await admitPod(classes, pod());
    expect(p['spec']).toMatchObject({ priorityClassName: 'low', priority: 10 });
  });

  it('refuses an unknown class with 403 and upstream wording', async () => {
    const err = await refusal(() => admitPod(SYSTEM, pod({ priorityClassName: 'nope' })));
    expect(err.code).toBe(403);
    expect(err.message).toBe('pods "p" is forbidden: no PriorityClass with name nope was found');
  });

  it('names the generateName, not the generated name, when refusing', async () => {
    const p = pod({ priorityClassName: 'nope' }, 'web-abcde');
    p.metadata = { name: 'web-abcde', generateName: 'web-' };
    const err = await refusal(() => admitPod(SYSTEM, p));
    expect(err.message).toBe('pods "web-" is forbidden: no PriorityClass with name nope was found');
  });

  it('resolves the system classes in any namespace (as upstream since v1.17)', async () => {
    const p = await admitPod(SYSTEM, pod({ priorityClassName: 'system-node-critical' }), 'apps');
    expect(p['spec']).toMatchObject({ priority: 2000001000, preemptionPolicy: 'PreemptLowerPriority' });
    // Before the bootstrap objects exist, the built-in values still resolve.
    const early = await admitPod([], pod({ priorityClassName: 'system-cluster-critical' }), 'kube-system');
    expect(early['spec']).toMatchObject({ priority: 2000000000 });
  });

  it('refuses an explicit priority or preemptionPolicy that contradicts the class', async () => {
    const classes = [pc('high', 1000, { preemptionPolicy: 'PreemptLowerPriority' })];
    const a = await refusal(() => admitPod(classes, pod({ priorityClassName: 'high', priority: 5 })));
    expect(a.message).toBe(
      'pods "p" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name',
    );
    const b = await refusal(() =>
      admitPod(classes, pod({ priorityClassName: 'high', preemptionPolicy: 'Never' })),
    );
    expect(b.message).toBe(
      'pods "p" is forbidden: the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name',
    );
    // The same value as computed is accepted.
    const ok = await admitPod(classes, pod({ priorityClassName: 'high', priority: 1000 }));
    expect(ok['spec']).toMatchObject({ priority: 1000 });
  });

  it('keeps priority and preemptionPolicy on updates that leave them out', async () => {
    const old = pod({ priority: 7, preemptionPolicy: 'Never' });
    const next = pod();
    await priorityAdmission(() => []).admit?.(attrs(PODS, 'UPDATE', next, { oldObject: old }));
    expect(next['spec']).toMatchObject({ priority: 7, preemptionPolicy: 'Never' });
  });
});

describe('Priority admission of PriorityClasses', () => {
  const plugin = priorityAdmission(() => [...SYSTEM, pc('default', 5, { globalDefault: true })]);

  it('allows only one global default', async () => {
    const err = await refusal(async () =>
      plugin.validate?.(attrs(PCS, 'CREATE', pc('another', 6, { globalDefault: true }))),
    );
    expect(err.code).toBe(403);
    expect(err.message).toBe(
      'priorityclasses.scheduling.k8s.io "another" is forbidden: PriorityClass default is already marked as default. Only one default can exist',
    );
    // Updating the default itself is fine.
    await plugin.validate?.(attrs(PCS, 'UPDATE', pc('default', 5, { globalDefault: true })));
  });

  it('forbids deleting a system class', async () => {
    const err = await refusal(async () =>
      plugin.validate?.(attrs(PCS, 'DELETE', undefined, { name: 'system-node-critical' })),
    );
    expect(err.message).toBe(
      'priorityclasses.scheduling.k8s.io "system-node-critical" is forbidden: this is a system priority class and cannot be deleted',
    );
    await plugin.validate?.(attrs(PCS, 'DELETE', undefined, { name: 'default' }));
  });
});
