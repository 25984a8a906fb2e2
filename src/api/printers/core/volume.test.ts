import { describe, expect, it } from 'vitest';
import { ago, columnNames, row } from '../testing/table.js';
import { persistentVolumeClaimPrinter, persistentVolumePrinter } from './volume.js';

describe('persistentvolume printer', () => {
  it('has upstream columns', () => {
    expect(columnNames(persistentVolumePrinter)).toEqual([
      'Name',
      'Capacity',
      'Access Modes',
      'Reclaim Policy',
      'Status',
      'Claim',
      'StorageClass',
      'VolumeAttributesClass',
      'Reason',
      'Age',
      'VolumeMode*',
    ]);
  });

  it('prints a bound volume', () => {
    const pv = {
      metadata: { name: 'pv-1', creationTimestamp: ago({ d: 2 }) },
      spec: {
        capacity: { storage: '10240Mi' },
        accessModes: ['ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        claimRef: { namespace: 'db', name: 'data' },
        storageClassName: 'local-path',
        volumeMode: 'Filesystem',
      },
      status: { phase: 'Bound' },
    };
    expect(row(persistentVolumePrinter, pv)).toEqual({
      Name: 'pv-1',
      Capacity: '10Gi',
      'Access Modes': 'RWO,RWX',
      'Reclaim Policy': 'Retain',
      Status: 'Bound',
      Claim: 'db/data',
      StorageClass: 'local-path',
      VolumeAttributesClass: '<unset>',
      Reason: '',
      Age: '2d',
      VolumeMode: 'Filesystem',
    });
  });

  it('prints Terminating, the beta class annotation and placeholders', () => {
    const pv = {
      metadata: {
        name: 'pv-2',
        creationTimestamp: ago({ d: 2 }),
        deletionTimestamp: ago({ s: 1 }),
        annotations: { 'volume.beta.kubernetes.io/storage-class': 'old' },
      },
      spec: { storageClassName: 'new', accessModes: ['ReadOnlyMany', 'ReadWriteOncePod'] },
      status: { phase: 'Released', reason: 'Gone' },
    };
    expect(row(persistentVolumePrinter, pv)).toMatchObject({
      Capacity: '0',
      'Access Modes': 'ROX,RWOP',
      Status: 'Terminating',
      Claim: '',
      StorageClass: 'old',
      Reason: 'Gone',
      VolumeMode: '<unset>',
    });
  });
});

describe('persistentvolumeclaim printer', () => {
  it('has upstream columns', () => {
    expect(columnNames(persistentVolumeClaimPrinter)).toEqual([
      'Name',
      'Status',
      'Volume',
      'Capacity',
      'Access Modes',
      'StorageClass',
      'VolumeAttributesClass',
      'Age',
      'VolumeMode*',
    ]);
  });

  it('prints capacity and modes only once bound', () => {
    const pending = {
      metadata: { name: 'data', creationTimestamp: ago({ m: 3 }) },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '1Gi' } },
        volumeMode: 'Filesystem',
      },
      status: { phase: 'Pending' },
    };
    expect(row(persistentVolumeClaimPrinter, pending)).toEqual({
      Name: 'data',
      Status: 'Pending',
      Volume: '',
      Capacity: '',
      'Access Modes': '',
      StorageClass: '',
      VolumeAttributesClass: '<unset>',
      Age: '3m',
      VolumeMode: 'Filesystem',
    });
    const bound = {
      ...pending,
      spec: {
        ...pending.spec,
        volumeName: 'pv-1',
        storageClassName: 'local-path',
        volumeAttributesClassName: 'gold',
      },
      status: { phase: 'Bound', capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'] },
    };
    expect(row(persistentVolumeClaimPrinter, bound)).toMatchObject({
      Status: 'Bound',
      Volume: 'pv-1',
      Capacity: '2Gi',
      'Access Modes': 'RWO',
      StorageClass: 'local-path',
      VolumeAttributesClass: 'gold',
    });
  });
});
