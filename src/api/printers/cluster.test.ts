import { describe, expect, it } from 'vitest';
import {
  clusterRoleBindingPrinter,
  leasePrinter,
  podDisruptionBudgetPrinter,
  priorityClassPrinter,
  roleBindingPrinter,
  storageClassPrinter,
} from './cluster.js';
import { ago, columnNames, row } from './testing/table.js';

const meta = { name: 'x', creationTimestamp: ago({ d: 400 }) };

describe('rolebinding and clusterrolebinding printers', () => {
  it('print the role and, wide, the subjects by kind', () => {
    for (const p of [roleBindingPrinter, clusterRoleBindingPrinter]) {
      expect(columnNames(p)).toEqual(['Name', 'Role', 'Age', 'Users*', 'Groups*', 'ServiceAccounts*']);
      const b = {
        metadata: meta,
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [
          { kind: 'User', name: 'alice' },
          { kind: 'Group', name: 'devs' },
          { kind: 'ServiceAccount', name: 'ci', namespace: 'build' },
          { kind: 'User', name: 'bob' },
        ],
      };
      expect(row(p, b)).toEqual({
        Name: 'x',
        Role: 'ClusterRole/view',
        Age: '400d',
        Users: 'alice, bob',
        Groups: 'devs',
        ServiceAccounts: 'build/ci',
      });
    }
  });
});

describe('storageclass printer', () => {
  it('marks the default class and fills in defaults', () => {
    expect(columnNames(storageClassPrinter)).toEqual([
      'Name',
      'Provisioner',
      'ReclaimPolicy',
      'VolumeBindingMode',
      'AllowVolumeExpansion',
      'Age',
    ]);
    const sc = {
      metadata: {
        ...meta,
        name: 'local-path',
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      provisioner: 'rancher.io/local-path',
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
    };
    expect(row(storageClassPrinter, sc)).toEqual({
      Name: 'local-path (default)',
      Provisioner: 'rancher.io/local-path',
      ReclaimPolicy: 'Retain',
      VolumeBindingMode: 'WaitForFirstConsumer',
      AllowVolumeExpansion: true,
      Age: '400d',
    });
    const beta = {
      metadata: { ...meta, annotations: { 'storageclass.beta.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'p',
    };
    expect(row(storageClassPrinter, beta)).toMatchObject({
      Name: 'x (default)',
      ReclaimPolicy: 'Delete',
      VolumeBindingMode: 'Immediate',
      AllowVolumeExpansion: false,
    });
    const notDefault = {
      metadata: { ...meta, annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' } },
    };
    expect(row(storageClassPrinter, notDefault)['Name']).toBe('x');
  });
});

describe('poddisruptionbudget printer', () => {
  it('prints min available, max unavailable and allowed disruptions', () => {
    expect(columnNames(podDisruptionBudgetPrinter)).toEqual([
      'Name',
      'Min Available',
      'Max Unavailable',
      'Allowed Disruptions',
      'Age',
    ]);
    expect(
      row(podDisruptionBudgetPrinter, {
        metadata: meta,
        spec: { minAvailable: 2 },
        status: { disruptionsAllowed: 1 },
      }),
    ).toEqual({
      Name: 'x',
      'Min Available': '2',
      'Max Unavailable': 'N/A',
      'Allowed Disruptions': 1,
      Age: '400d',
    });
    expect(
      row(podDisruptionBudgetPrinter, { metadata: meta, spec: { maxUnavailable: '25%' } }),
    ).toMatchObject({
      'Min Available': 'N/A',
      'Max Unavailable': '25%',
      'Allowed Disruptions': 0,
    });
  });
});

describe('priorityclass printer', () => {
  it('prints value, global default and the preemption policy after AGE', () => {
    expect(columnNames(priorityClassPrinter)).toEqual([
      'Name',
      'Value',
      'Global-Default',
      'Age',
      'PreemptionPolicy',
    ]);
    const pc = {
      metadata: { ...meta, name: 'system-node-critical' },
      value: 2000001000,
      preemptionPolicy: 'PreemptLowerPriority',
    };
    expect(row(priorityClassPrinter, pc)).toEqual({
      Name: 'system-node-critical',
      Value: 2000001000,
      'Global-Default': false,
      Age: '400d',
      PreemptionPolicy: 'PreemptLowerPriority',
    });
    expect(row(priorityClassPrinter, { metadata: meta, value: 1, globalDefault: true })).toMatchObject({
      'Global-Default': true,
      PreemptionPolicy: '',
    });
  });
});

describe('lease printer', () => {
  it('prints the holder', () => {
    expect(columnNames(leasePrinter)).toEqual(['Name', 'Holder', 'Age']);
    expect(row(leasePrinter, { metadata: meta, spec: { holderIdentity: 'node-1_abc' } })['Holder']).toBe(
      'node-1_abc',
    );
    expect(row(leasePrinter, { metadata: meta, spec: {} })['Holder']).toBe('');
  });
});
