import { describe, expect, it } from 'vitest';
import { converterFor } from '../conversion.js';
import type { KubeObject } from '../meta.js';
import { coreEventToEventsV1, eventsV1FieldLabel, eventsV1ToCoreEvent } from './conversion.js';

const regarding = { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u1', apiVersion: 'v1' };

function eventsV1(): KubeObject {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'web-1.abc', namespace: 'default' },
    eventTime: '2025-01-01T00:00:00.000001Z',
    reportingController: 'example.com/controller',
    reportingInstance: 'controller-1',
    action: 'Scheduling',
    reason: 'Scheduled',
    regarding,
    related: { kind: 'Node', name: 'n1' },
    note: 'placed on n1',
    type: 'Normal',
    series: { count: 2, lastObservedTime: '2025-01-01T00:01:00.000000Z' },
  };
}

describe('events.k8s.io/v1 ↔ core/v1 Event', () => {
  it('is registered', () => {
    expect(converterFor({ group: 'events.k8s.io', version: 'v1', kind: 'Event' })).toBeDefined();
  });
  it('maps fields both ways and round-trips', () => {
    const ev = eventsV1();
    const core = eventsV1ToCoreEvent(ev);
    expect(core).toEqual({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web-1.abc', namespace: 'default' },
      involvedObject: regarding,
      reason: 'Scheduled',
      message: 'placed on n1',
      source: {},
      type: 'Normal',
      eventTime: '2025-01-01T00:00:00.000001Z',
      series: { count: 2, lastObservedTime: '2025-01-01T00:01:00.000000Z' },
      action: 'Scheduling',
      related: { kind: 'Node', name: 'n1' },
      reportingComponent: 'example.com/controller',
      reportingInstance: 'controller-1',
    });
    expect(coreEventToEventsV1(core)).toEqual({
      ...ev,
      deprecatedSource: {},
      deprecatedFirstTimestamp: null,
      deprecatedLastTimestamp: null,
    });
  });
  it('shows a legacy core event with its deprecated fields', () => {
    const core: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'x', namespace: 'default' },
      involvedObject: regarding,
      reason: 'Pulled',
      message: 'pulled image',
      source: { component: 'kubelet', host: 'n1' },
      firstTimestamp: '2025-01-01T00:00:00Z',
      lastTimestamp: '2025-01-01T00:05:00Z',
      count: 3,
      type: 'Normal',
      reportingComponent: '',
      reportingInstance: '',
    };
    const ev = coreEventToEventsV1(core);
    expect(ev).toEqual({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'x', namespace: 'default' },
      eventTime: null,
      reason: 'Pulled',
      regarding,
      note: 'pulled image',
      type: 'Normal',
      deprecatedSource: { component: 'kubelet', host: 'n1' },
      deprecatedFirstTimestamp: '2025-01-01T00:00:00Z',
      deprecatedLastTimestamp: '2025-01-01T00:05:00Z',
      deprecatedCount: 3,
    });
    expect(eventsV1ToCoreEvent(ev)).toEqual(core);
  });
  it('maps field selectors', () => {
    expect(eventsV1FieldLabel('regarding.name')).toBe('involvedObject.name');
    expect(eventsV1FieldLabel('reportingController')).toBe('reportingComponent');
    expect(() => eventsV1FieldLabel('note')).toThrow('field label not supported: note');
  });
});
