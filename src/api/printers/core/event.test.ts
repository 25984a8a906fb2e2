import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../meta.js';
import { ago, columnNames, row } from '../testing/table.js';
import { eventPrinter } from './event.js';

const core = (extra: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'web-7d4b9.17a2c', namespace: 'default', creationTimestamp: ago({ m: 30 }) },
  involvedObject: { kind: 'Pod', name: 'web-7d4b9', namespace: 'default', fieldPath: 'spec.containers{app}' },
  reason: 'BackOff',
  message: 'Back-off restarting failed container\n',
  type: 'Warning',
  source: { component: 'kubelet', host: 'node-1' },
  ...extra,
});

describe('event printer', () => {
  it('has upstream columns, wide ones interleaved', () => {
    expect(columnNames(eventPrinter)).toEqual([
      'Last Seen',
      'Type',
      'Reason',
      'Object',
      'Subobject*',
      'Source*',
      'Message',
      'First Seen*',
      'Count*',
      'Name*',
    ]);
    expect(eventPrinter.columns.find((c) => c.name === 'Name')?.format).toBe('name');
  });

  it('prints a core/v1 event', () => {
    const obj = core({ firstTimestamp: ago({ m: 25 }), lastTimestamp: ago({ m: 2, s: 3 }), count: 7 });
    expect(row(eventPrinter, obj)).toEqual({
      'Last Seen': '2m3s',
      Type: 'Warning',
      Reason: 'BackOff',
      Object: 'pod/web-7d4b9',
      Subobject: 'spec.containers{app}',
      Source: 'kubelet, node-1',
      Message: 'Back-off restarting failed container',
      'First Seen': '25m',
      Count: 7,
      Name: 'web-7d4b9.17a2c',
    });
  });

  it('falls back to eventTime, series and a count of one', () => {
    const single = core({
      eventTime: '2026-03-01T11:59:00.123456Z',
      source: {},
      reportingComponent: 'scheduler',
    });
    expect(row(eventPrinter, single)).toMatchObject({
      'Last Seen': '59s',
      'First Seen': '59s',
      Count: 1,
      Source: 'scheduler',
    });
    const series = core({
      eventTime: ago({ h: 3 }),
      series: { count: 12, lastObservedTime: ago({ s: 10 }) },
    });
    expect(row(eventPrinter, series)).toMatchObject({ 'Last Seen': '10s', 'First Seen': '3h', Count: 12 });
    expect(row(eventPrinter, core({}))).toMatchObject({
      'Last Seen': '<unknown>',
      'First Seen': '<unknown>',
    });
  });

  it('prints an object without a name by its kind only', () => {
    expect(row(eventPrinter, core({ involvedObject: { kind: 'Node' } }))['Object']).toBe('node');
  });

  it('prints an events.k8s.io/v1 event like the core one', () => {
    const obj: KubeObject = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'web.1', namespace: 'default', creationTimestamp: ago({ m: 5 }) },
      eventTime: ago({ m: 5 }),
      regarding: { kind: 'Deployment', name: 'web', namespace: 'default' },
      note: 'Scaled up replica set web-7d4b9 to 3',
      reason: 'ScalingReplicaSet',
      type: 'Normal',
      reportingController: 'deployment-controller',
      reportingInstance: '',
      action: 'Scale',
    };
    expect(row(eventPrinter, obj)).toEqual({
      'Last Seen': '5m',
      Type: 'Normal',
      Reason: 'ScalingReplicaSet',
      Object: 'deployment/web',
      Subobject: '',
      Source: 'deployment-controller',
      Message: 'Scaled up replica set web-7d4b9 to 3',
      'First Seen': '5m',
      Count: 1,
      Name: 'web.1',
    });
    const legacy = {
      ...obj,
      deprecatedFirstTimestamp: ago({ h: 1 }),
      deprecatedLastTimestamp: ago({ m: 1 }),
      deprecatedCount: 4,
      deprecatedSource: { component: 'kubelet', host: 'node-2' },
    };
    expect(row(eventPrinter, legacy)).toMatchObject({
      'Last Seen': '60s',
      'First Seen': '60m',
      Count: 4,
      Source: 'kubelet, node-2',
    });
  });
});
