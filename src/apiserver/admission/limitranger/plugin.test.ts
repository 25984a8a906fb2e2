import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { defaultLimitRange } from '../../../api/core/defaults/kinds.js';
import { findResource, type ResourceType } from '../../../api/resources.js';
import type { AdmissionAttributes, Operation } from '../types.js';
import { LIMIT_RANGER_ANNOTATION, limitRanger } from './plugin.js';

const PODS = findResource({ group: '', version: 'v1' }, 'pods') as ResourceType;
const PVCS = findResource({ group: '', version: 'v1' }, 'persistentvolumeclaims') as ResourceType;

function limitRange(limits: Record<string, unknown>[]): KubeObject {
  const lr: KubeObject = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr' }, spec: { limits } };
  defaultLimitRange(lr);
  return lr;
}

function attrs(resource: ResourceType, operation: Operation, object: KubeObject): AdmissionAttributes {
  return {
    operation,
    resource,
    subresource: '',
    namespace: 'default',
    name: object.metadata?.name ?? '',
    object,
    user: { username: 'admin', groups: [] },
    dryRun: false,
  };
}

function pod(containers: Record<string, unknown>[], init: Record<string, unknown>[] = []): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers, ...(init.length ? { initContainers: init } : {}) },
  };
}

async function admit(ranges: KubeObject[], obj: KubeObject, resource = PODS, op: Operation = 'CREATE') {
  const plugin = limitRanger(() => ranges);
  const a = attrs(resource, op, obj);
  await plugin.admit?.(a);
  await plugin.validate?.(a);
  return obj;
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

describe('LimitRanger defaults', () => {
  it('fills missing requests and limits per container and notes them in an annotation', async () => {
    const lr = limitRange([
      { type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m' } },
    ]);
    const p = await admit(
      [lr],
      pod(
        [{ name: 'web', resources: { limits: { memory: '128Mi' }, requests: { memory: '128Mi' } } }],
        [{ name: 'init' }],
      ),
    );
    const spec = p['spec'] as { containers: unknown[]; initContainers: unknown[] };
    expect(spec.containers[0]).toMatchObject({
      resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
    });
    // defaultRequest memory came from default memory (LimitRange defaulting).
    expect(spec.initContainers[0]).toMatchObject({
      resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '256Mi' } },
    });
    expect(p.metadata?.annotations?.[LIMIT_RANGER_ANNOTATION]).toBe(
      'LimitRanger plugin set: cpu request for container web; cpu limit for container web; cpu, memory request for init container init; cpu, memory limit for init container init',
    );
  });

  it('defaults to max when no default is given, and changes nothing without Container items', async () => {
    const p = await admit([limitRange([{ type: 'Container', max: { cpu: '1' } }])], pod([{ name: 'c' }]));
    expect((p['spec'] as { containers: unknown[] }).containers[0]).toMatchObject({
      resources: { limits: { cpu: '1' }, requests: { cpu: '1' } },
    });
    const q = await admit(
      [limitRange([{ type: 'Pod', max: { cpu: '4' } }])],
      pod([{ name: 'c', resources: { limits: { cpu: '1' } } }]),
    );
    expect(q.metadata?.annotations).toBeUndefined();
  });
});

describe('LimitRanger constraints', () => {
  it('refuses a container over max with upstream wording', async () => {
    const lr = limitRange([{ type: 'Container', max: { cpu: '1' } }]);
    const err = await refusal(() => admit([lr], pod([{ name: 'c', resources: { limits: { cpu: '2' } } }])));
    expect(err.code).toBe(403);
    expect(err.message).toBe('pods "p" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
  });

  it('reports every violation, bracketed', async () => {
    const lr = limitRange([
      { type: 'Container', min: { cpu: '200m' }, max: { memory: '1Gi' }, default: { memory: '512Mi' } },
    ]);
    const err = await refusal(() =>
      admit([lr], pod([{ name: 'c', resources: { requests: { cpu: '100m' }, limits: { memory: '2Gi' } } }])),
    );
    expect(err.message).toBe(
      'pods "p" is forbidden: [minimum cpu usage per Container is 200m, but request is 100m, maximum memory usage per Container is 1Gi, but limit is 2Gi]',
    );
  });

  it('enforces maxLimitRequestRatio', async () => {
    const lr = limitRange([{ type: 'Container', maxLimitRequestRatio: { cpu: '2' } }]);
    const err = await refusal(() =>
      admit([lr], pod([{ name: 'c', resources: { requests: { cpu: '100m' }, limits: { cpu: '500m' } } }])),
    );
    expect(err.message).toBe(
      'pods "p" is forbidden: cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000',
    );
    await admit(
      [lr],
      pod([{ name: 'c', resources: { requests: { cpu: '250m' }, limits: { cpu: '500m' } } }]),
    );
  });

  it('checks Pod limits on the pod total (containers summed, init containers as a floor)', async () => {
    const lr = limitRange([{ type: 'Pod', max: { cpu: '1' } }]);
    const c = (cpu: string) => ({ name: `c${cpu}`, resources: { limits: { cpu }, requests: { cpu } } });
    await admit([lr], pod([c('400m'), c('500m')], [c('900m')]));
    const err = await refusal(() => admit([lr], pod([c('400m'), c('700m')])));
    expect(err.message).toBe('pods "p" is forbidden: maximum cpu usage per Pod is 1, but limit is 1100m');
  });

  it('checks PersistentVolumeClaim min and max on the requested storage', async () => {
    const lr = limitRange([
      { type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } },
    ]);
    const claim = (storage: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
    });
    await admit([lr], claim('5Gi'), PVCS);
    const big = await refusal(() => admit([lr], claim('20Gi'), PVCS));
    expect(big.message).toBe(
      'persistentvolumeclaims "data" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi',
    );
    const small = await refusal(() => admit([lr], claim('500Mi'), PVCS, 'UPDATE'));
    expect(small.message).toBe(
      'persistentvolumeclaims "data" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi',
    );
  });

  it('leaves pod updates alone', async () => {
    const lr = limitRange([{ type: 'Container', max: { cpu: '1' } }]);
    await admit([lr], pod([{ name: 'c', resources: { limits: { cpu: '2' } } }]), PODS, 'UPDATE');
  });
});
