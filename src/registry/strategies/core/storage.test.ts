import { describe, it, expect } from 'vitest';
import type { KubeObject } from '../../../api/meta.js';
import { coreStrategies } from './index.js';
import { create, update, updateStatus } from './testing.js';

const pvs = coreStrategies['persistentvolumes']!;
const pvcs = coreStrategies['persistentvolumeclaims']!;

function pv(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-1' }, spec };
}

function pvc(spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: 'default', resourceVersion: '5' },
    spec,
    ...(status ? { status } : {}),
  };
}

const pvSpec = {
  accessModes: ['ReadWriteOnce'],
  capacity: { storage: '10Gi' },
  hostPath: { path: '/srv/pv-1' },
};
const pvcSpec = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } };

describe('persistent volumes', () => {
  it('defaults reclaim policy, volume mode and status', () => {
    const { obj, errors } = create(pvs, pv(pvSpec));
    expect(errors).toEqual([]);
    expect(obj).toMatchObject({
      spec: { persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem', hostPath: { type: '' } },
      status: { phase: 'Pending', lastPhaseTransitionTime: '2025-05-01T10:00:00Z' },
    });
    expect(pvs.selectableFields?.(obj)).toEqual({ name: 'pv-1' });
  });

  it('validates access modes, capacity and sources', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...pvSpec, accessModes: [] }, 'spec.accessModes: Required value'],
      [
        { ...pvSpec, accessModes: ['ReadWriteSometimes'] },
        'spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
      ],
      [
        { ...pvSpec, accessModes: ['ReadWriteOncePod', 'ReadOnlyMany'] },
        'spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes',
      ],
      [
        { ...pvSpec, capacity: { storage: '0' } },
        'spec.capacity[storage]: Invalid value: "0": must be greater than zero',
      ],
      [
        { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } },
        'spec: Required value: must specify a volume type',
      ],
      [
        { ...pvSpec, nfs: { server: 'x', path: '/y' } },
        'spec.nfs: Forbidden: may not specify more than 1 volume type',
      ],
      [
        { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, local: { path: '/mnt/disk' } },
        'spec.nodeAffinity: Required value: Local volume requires node affinity',
      ],
      [
        { ...pvSpec, hostPath: { path: '/' }, persistentVolumeReclaimPolicy: 'Recycle' },
        "spec.persistentVolumeReclaimPolicy: Forbidden: may not be 'recycle' for a hostPath mount of '/'",
      ],
    ];
    for (const [spec, want] of cases) expect(create(pvs, pv(spec)).errors, want).toContain(want);
  });

  it('keeps the volume source immutable and phase transitions timed', () => {
    const stored = create(pvs, pv(pvSpec)).obj;
    const { errors } = update(pvs, pv({ ...pvSpec, hostPath: { path: '/srv/other' } }), stored);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^spec\.persistentvolumesource: Forbidden: spec\.persistentvolumesource is immutable after creation\n/,
    );
    const next = {
      ...structuredClone(stored),
      metadata: { name: 'pv-1', resourceVersion: '3' },
      status: { phase: 'Bound' },
    };
    const st = updateStatus(pvs, next, stored);
    expect(st.errors).toEqual([]);
    expect(st.obj['status']).toEqual({ phase: 'Bound', lastPhaseTransitionTime: '2025-05-01T10:00:00Z' });
  });
});

describe('persistent volume claims', () => {
  it('defaults volume mode and status', () => {
    const { obj, errors } = create(pvcs, pvc({ ...pvcSpec, resources: { requests: { storage: '1024Mi' } } }));
    expect(errors).toEqual([]);
    expect(obj).toMatchObject({
      spec: { volumeMode: 'Filesystem', resources: { requests: { storage: '1Gi' } } },
      status: { phase: 'Pending' },
    });
  });

  it('validates the claim spec', () => {
    expect(create(pvcs, pvc({ resources: { requests: { storage: '1Gi' } } })).errors).toEqual([
      'spec.accessModes: Required value: at least 1 access mode is required',
    ]);
    expect(create(pvcs, pvc({ accessModes: ['ReadWriteOnce'] })).errors).toEqual([
      'spec.resources[storage]: Required value',
    ]);
    expect(create(pvcs, pvc({ ...pvcSpec, dataSource: { kind: 'Snapshot', name: 's' } })).errors).toEqual([
      'spec.dataSource: Invalid value: "Snapshot": must be \'PersistentVolumeClaim\' when referencing the default apiGroup',
    ]);
  });

  it('allows binding and expansion but nothing else', () => {
    const stored = create(pvcs, pvc(pvcSpec)).obj;
    expect(update(pvcs, pvc({ ...pvcSpec, volumeName: 'pv-1' }), stored).errors).toEqual([]);
    const bound = { ...structuredClone(stored), status: { phase: 'Bound', capacity: { storage: '1Gi' } } };
    expect(
      update(pvcs, pvc({ ...pvcSpec, resources: { requests: { storage: '2Gi' } } }), bound).errors,
    ).toEqual([]);
    // An unbound claim cannot be resized.
    expect(
      update(pvcs, pvc({ ...pvcSpec, resources: { requests: { storage: '2Gi' } } }), stored).errors,
    ).toHaveLength(1);
    const changed = update(pvcs, pvc({ ...pvcSpec, accessModes: ['ReadOnlyMany'] }), stored).errors;
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatch(
      /^spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n/,
    );
    expect(
      update(pvcs, pvc({ ...pvcSpec, resources: { requests: { storage: '512Mi' } } }), bound).errors,
    ).toEqual(['spec.resources.requests.storage: Forbidden: field can not be less than status.capacity']);
  });

  it('keeps spec on status updates', () => {
    const stored = create(pvcs, pvc(pvcSpec)).obj;
    const { obj, errors } = updateStatus(
      pvcs,
      pvc({}, { phase: 'Bound', capacity: { storage: '1Gi' } }),
      stored,
    );
    expect(errors).toEqual([]);
    expect(obj['spec']).toEqual(stored['spec']);
    expect(obj['status']).toEqual({ phase: 'Bound', capacity: { storage: '1Gi' } });
  });
});
