import { describe, expect, it } from 'vitest';
import {
  controllerRevisionPrinter,
  daemonSetPrinter,
  deploymentPrinter,
  replicaSetPrinter,
  statefulSetPrinter,
} from './apps.js';
import { ago, columnNames, row } from './testing/table.js';

const template = {
  metadata: { labels: { app: 'web' } },
  spec: {
    containers: [
      { name: 'app', image: 'nginx:1.27' },
      { name: 'log', image: 'busybox' },
    ],
    nodeSelector: { 'kubernetes.io/os': 'linux' },
  },
};
const meta = { name: 'web', namespace: 'default', creationTimestamp: ago({ m: 7, s: 5 }) };

describe('deployment printer', () => {
  it('has upstream columns', () => {
    expect(columnNames(deploymentPrinter)).toEqual([
      'Name',
      'Ready',
      'Up-to-date',
      'Available',
      'Age',
      'Containers*',
      'Images*',
      'Selector*',
    ]);
  });

  it('prints replica counts and the wide columns', () => {
    const d = {
      metadata: meta,
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    expect(row(deploymentPrinter, d)).toEqual({
      Name: 'web',
      Ready: '2/3',
      'Up-to-date': 3,
      Available: 2,
      Age: '7m5s',
      Containers: 'app,log',
      Images: 'nginx:1.27,busybox',
      Selector: 'app=web',
    });
  });

  it('prints zeros before the controller reports, and <invalid> for a bad selector', () => {
    const d = {
      metadata: meta,
      spec: { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] }, template },
    };
    expect(row(deploymentPrinter, d)).toMatchObject({
      Ready: '0/1',
      'Up-to-date': 0,
      Available: 0,
      Selector: '<invalid>',
    });
    expect(row(deploymentPrinter, { metadata: meta, spec: { replicas: 0 } })).toMatchObject({
      Ready: '0/0',
      Containers: '',
      Images: '',
      Selector: '',
    });
  });
});

describe('replicaset printer', () => {
  it('prints desired, current and ready', () => {
    expect(columnNames(replicaSetPrinter)).toEqual([
      'Name',
      'Desired',
      'Current',
      'Ready',
      'Age',
      'Containers*',
      'Images*',
      'Selector*',
    ]);
    const rs = {
      metadata: meta,
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web', 'pod-template-hash': '7d4b9' } },
        template,
      },
      status: { replicas: 2, readyReplicas: 1 },
    };
    expect(row(replicaSetPrinter, rs)).toMatchObject({
      Desired: 2,
      Current: 2,
      Ready: 1,
      Selector: 'app=web,pod-template-hash=7d4b9',
    });
    expect(row(replicaSetPrinter, { metadata: meta, spec: { replicas: 0 } })).toMatchObject({
      Desired: 0,
      Current: 0,
      Ready: 0,
      Selector: '<none>',
    });
  });
});

describe('statefulset printer', () => {
  it('prints ready/desired', () => {
    expect(columnNames(statefulSetPrinter)).toEqual(['Name', 'Ready', 'Age', 'Containers*', 'Images*']);
    const s = { metadata: meta, spec: { replicas: 3, template }, status: { readyReplicas: 3 } };
    expect(row(statefulSetPrinter, s)).toEqual({
      Name: 'web',
      Ready: '3/3',
      Age: '7m5s',
      Containers: 'app,log',
      Images: 'nginx:1.27,busybox',
    });
  });
});

describe('daemonset printer', () => {
  it('prints the scheduling counts and the node selector', () => {
    expect(columnNames(daemonSetPrinter)).toEqual([
      'Name',
      'Desired',
      'Current',
      'Ready',
      'Up-to-date',
      'Available',
      'Node Selector',
      'Age',
      'Containers*',
      'Images*',
      'Selector*',
    ]);
    const ds = {
      metadata: meta,
      spec: { selector: { matchLabels: { app: 'web' } }, template },
      status: {
        desiredNumberScheduled: 3,
        currentNumberScheduled: 3,
        numberReady: 2,
        updatedNumberScheduled: 1,
        numberAvailable: 2,
      },
    };
    expect(row(daemonSetPrinter, ds)).toEqual({
      Name: 'web',
      Desired: 3,
      Current: 3,
      Ready: 2,
      'Up-to-date': 1,
      Available: 2,
      'Node Selector': 'kubernetes.io/os=linux',
      Age: '7m5s',
      Containers: 'app,log',
      Images: 'nginx:1.27,busybox',
      Selector: 'app=web',
    });
    expect(row(daemonSetPrinter, { metadata: meta, spec: {} })['Node Selector']).toBe('<none>');
  });
});

describe('controllerrevision printer', () => {
  it('prints the controller as kind.group/name and the revision', () => {
    expect(columnNames(controllerRevisionPrinter)).toEqual(['Name', 'Controller', 'Revision', 'Age']);
    const cr = {
      metadata: {
        ...meta,
        name: 'web-6c5f7',
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'other', uid: '1' },
          { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: '2', controller: true },
        ],
      },
      revision: 4,
    };
    expect(row(controllerRevisionPrinter, cr)).toEqual({
      Name: 'web-6c5f7',
      Controller: 'statefulset.apps/web',
      Revision: 4,
      Age: '7m5s',
    });
    const coreOwned = {
      metadata: {
        ...meta,
        ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: '3', controller: true }],
      },
      revision: 1,
    };
    expect(row(controllerRevisionPrinter, coreOwned)['Controller']).toBe('pod/p');
    expect(row(controllerRevisionPrinter, { metadata: meta, revision: 1 })['Controller']).toBe('<none>');
  });
});
