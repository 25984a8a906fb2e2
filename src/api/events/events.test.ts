import { describe, expect, it } from 'vitest';
import { converterFor } from '../conversion.js';
import { fieldErrorString } from '../errors.js';
import type { KubeObject } from '../meta.js';
import { coreEventToEventsV1, eventsV1FieldLabel, eventsV1ToCoreEvent } from './conversion.js';
import { validateEventsV1Create, validateEventsV1Update } from './validation.js';

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

describe('events.k8s.io/v1 validation', () => {
  it('accepts a complete event', () => {
    expect(validateEventsV1Create(eventsV1ToCoreEvent(eventsV1()))).toEqual([]);
  });
  it('requires the new fields and rejects the deprecated ones', () => {
    const ev = eventsV1();
    delete ev['eventTime'];
    delete ev['action'];
    ev['type'] = 'Info';
    ev['deprecatedCount'] = 4;
    ev['series'] = { count: 1 };
    expect(validateEventsV1Create(eventsV1ToCoreEvent(ev)).map(fieldErrorString)).toEqual([
      'series.count: Invalid value: "": should be at least 2',
      'series.lastObservedTime: Required value',
      'eventTime: Required value',
      'type: Invalid value: "": has invalid value: Info',
      'count: Invalid value: "": needs to be unset',
    ]);
    const noController = eventsV1();
    delete noController['reportingController'];
    expect(validateEventsV1Create(eventsV1ToCoreEvent(noController)).map(fieldErrorString)[0]).toBe(
      'reportingController: Required value',
    );
  });
  it('keeps most fields immutable on update', () => {
    const old = eventsV1ToCoreEvent(eventsV1());
    const ev = eventsV1();
    ev['note'] = 'changed';
    ev['series'] = { count: 3, lastObservedTime: '2025-01-01T00:02:00.000000Z' };
    ev['regarding'] = { ...regarding, name: 'web-2' };
    expect(validateEventsV1Update(eventsV1ToCoreEvent(ev), old).map(fieldErrorString)).toEqual([
      'involvedObject: Invalid value: core.ObjectReference{Kind:"Pod", Namespace:"default", Name:"web-2", UID:"u1", APIVersion:"v1", ResourceVersion:"", FieldPath:""}: field is immutable',
      'message: Invalid value: "changed": field is immutable',
    ]);
  });
});
