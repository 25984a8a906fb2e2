import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../meta.js';
import { ago, columnNames, row } from '../testing/table.js';
import { nodePrinter } from './node.js';

function node(
  opts: { ready?: string; unschedulable?: boolean; labels?: Record<string, string> } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1', creationTimestamp: ago({ d: 45 }), labels: opts.labels },
    spec: { unschedulable: opts.unschedulable },
    status: {
      conditions:
        opts.ready === undefined
          ? [{ type: 'MemoryPressure', status: 'False' }]
          : [
              { type: 'MemoryPressure', status: 'False' },
              { type: 'Ready', status: opts.ready },
            ],
      addresses: [
        { type: 'Hostname', address: 'node-1' },
        { type: 'InternalIP', address: '192.168.1.10' },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.33.0-k8ts',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        kernelVersion: '6.1.0-13-amd64',
        containerRuntimeVersion: 'containerd://1.6.20',
      },
    },
  };
}

describe('node printer', () => {
  it('has upstream columns', () => {
    expect(columnNames(nodePrinter)).toEqual([
      'Name',
      'Status',
      'Roles',
      'Age',
      'Version',
      'Internal-IP*',
      'External-IP*',
      'OS-Image*',
      'Kernel-Version*',
      'Container-Runtime*',
    ]);
  });

  it('prints a ready node with its wide columns', () => {
    expect(row(nodePrinter, node({ ready: 'True' }))).toEqual({
      Name: 'node-1',
      Status: 'Ready',
      Roles: '<none>',
      Age: '45d',
      Version: 'v1.33.0-k8ts',
      'Internal-IP': '192.168.1.10',
      'External-IP': '<none>',
      'OS-Image': 'Debian GNU/Linux 12 (bookworm)',
      'Kernel-Version': '6.1.0-13-amd64',
      'Container-Runtime': 'containerd://1.6.20',
    });
  });

  it('prints NotReady, Unknown and SchedulingDisabled', () => {
    expect(row(nodePrinter, node({ ready: 'False' }))['Status']).toBe('NotReady');
    expect(row(nodePrinter, node({ ready: 'Unknown' }))['Status']).toBe('NotReady');
    expect(row(nodePrinter, node({}))['Status']).toBe('Unknown');
    expect(row(nodePrinter, node({ ready: 'True', unschedulable: true }))['Status']).toBe(
      'Ready,SchedulingDisabled',
    );
    expect(row(nodePrinter, node({ unschedulable: true }))['Status']).toBe('Unknown,SchedulingDisabled');
  });

  it('reads roles from node-role labels and kubernetes.io/role, sorted', () => {
    const labels = {
      'node-role.kubernetes.io/control-plane': '',
      'node-role.kubernetes.io/etcd': 'true',
      'node-role.kubernetes.io/': 'ignored',
      'kubernetes.io/role': 'ingress',
      'kubernetes.io/hostname': 'node-1',
    };
    expect(row(nodePrinter, node({ ready: 'True', labels }))['Roles']).toBe('control-plane,etcd,ingress');
  });

  it('prints <unknown> for node info it does not have', () => {
    const n = node({ ready: 'True' });
    (n['status'] as Record<string, unknown>)['nodeInfo'] = { kubeletVersion: 'v1.33.0' };
    (n['status'] as Record<string, unknown>)['addresses'] = [{ type: 'ExternalIP', address: '203.0.113.4' }];
    expect(row(nodePrinter, n)).toMatchObject({
      'Internal-IP': '<none>',
      'External-IP': '203.0.113.4',
      'OS-Image': '<unknown>',
      'Kernel-Version': '<unknown>',
      'Container-Runtime': '<unknown>',
    });
  });
});
