import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../meta.js';
import { RESOURCES } from '../resources.js';
import { defaultPrinter, printerFor } from './index.js';
import { NOW, ago } from './testing/table.js';

const KINDS: [string, string, string[]][] = [
  ['', 'Namespace', ['Name', 'Status', 'Age']],
  ['', 'Pod', ['Name', 'Ready', 'Status', 'Restarts', 'Age']],
  ['', 'Service', ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age']],
  ['', 'Endpoints', ['Name', 'Endpoints', 'Age']],
  ['', 'ConfigMap', ['Name', 'Data', 'Age']],
  ['', 'Secret', ['Name', 'Type', 'Data', 'Age']],
  ['', 'ServiceAccount', ['Name', 'Secrets', 'Age']],
  ['', 'Node', ['Name', 'Status', 'Roles', 'Age', 'Version']],
  ['', 'Event', ['Last Seen', 'Type', 'Reason', 'Object', 'Message']],
  [
    '',
    'PersistentVolume',
    [
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
    ],
  ],
  [
    '',
    'PersistentVolumeClaim',
    ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age'],
  ],
  ['', 'LimitRange', ['Name', 'Created At']],
  ['', 'ResourceQuota', ['Name', 'Request', 'Limit', 'Age']],
  ['apps', 'Deployment', ['Name', 'Ready', 'Up-to-date', 'Available', 'Age']],
  ['apps', 'ReplicaSet', ['Name', 'Desired', 'Current', 'Ready', 'Age']],
  ['apps', 'StatefulSet', ['Name', 'Ready', 'Age']],
  [
    'apps',
    'DaemonSet',
    ['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age'],
  ],
  ['apps', 'ControllerRevision', ['Name', 'Controller', 'Revision', 'Age']],
  ['batch', 'Job', ['Name', 'Status', 'Completions', 'Duration', 'Age']],
  ['batch', 'CronJob', ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age']],
  [
    'autoscaling',
    'HorizontalPodAutoscaler',
    ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age'],
  ],
  ['networking.k8s.io', 'Ingress', ['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age']],
  ['networking.k8s.io', 'IngressClass', ['Name', 'Controller', 'Parameters', 'Age']],
  ['networking.k8s.io', 'NetworkPolicy', ['Name', 'Pod-Selector', 'Age']],
  ['discovery.k8s.io', 'EndpointSlice', ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']],
  ['coordination.k8s.io', 'Lease', ['Name', 'Holder', 'Age']],
  ['events.k8s.io', 'Event', ['Last Seen', 'Type', 'Reason', 'Object', 'Message']],
  ['rbac.authorization.k8s.io', 'Role', ['Name', 'Created At']],
  ['rbac.authorization.k8s.io', 'ClusterRole', ['Name', 'Created At']],
  ['rbac.authorization.k8s.io', 'RoleBinding', ['Name', 'Role', 'Age']],
  ['rbac.authorization.k8s.io', 'ClusterRoleBinding', ['Name', 'Role', 'Age']],
  [
    'storage.k8s.io',
    'StorageClass',
    ['Name', 'Provisioner', 'ReclaimPolicy', 'VolumeBindingMode', 'AllowVolumeExpansion', 'Age'],
  ],
  [
    'policy',
    'PodDisruptionBudget',
    ['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age'],
  ],
  ['scheduling.k8s.io', 'PriorityClass', ['Name', 'Value', 'Global-Default', 'Age', 'PreemptionPolicy']],
];

describe('printerFor', () => {
  it.each(KINDS)('%s %s shows the default columns kubectl shows', (group, kind, names) => {
    const p = printerFor(group, kind);
    expect(p.columns.filter((c) => c.priority === 0).map((c) => c.name)).toEqual(names);
  });

  it('gives unknown kinds the default printer', () => {
    expect(printerFor('example.com', 'Widget')).toBe(defaultPrinter);
    expect(printerFor('apps', 'Pod')).toBe(defaultPrinter);
  });

  it('marks one NAME column per table with the name format', () => {
    for (const [group, kind] of KINDS) {
      const names = printerFor(group, kind).columns.filter((c) => c.format === 'name');
      expect(names.map((c) => c.name)).toEqual(['Name']);
    }
  });

  it('prints a row of the right width for a bare object of every served kind, without throwing', () => {
    const served = RESOURCES.filter((r) => !r.virtual);
    expect(served.length).toBeGreaterThan(30);
    for (const res of served) {
      const p = printerFor(res.group, res.kind);
      for (const obj of [
        { metadata: { name: 'bare' } },
        {
          apiVersion: res.group === '' ? res.version : `${res.group}/${res.version}`,
          kind: res.kind,
          metadata: { name: 'm', creationTimestamp: ago({ s: 3 }) },
          spec: {},
          status: {},
        },
      ] as KubeObject[]) {
        const cells = p.cells(obj, NOW);
        expect(cells, `${res.group}/${res.kind}`).toHaveLength(p.columns.length);
        for (const cell of cells) expect(['string', 'number', 'boolean']).toContain(typeof cell);
      }
    }
  });
});
