import { describe, it, expect } from 'vitest';
import type { KubeObject } from '../../../api/meta.js';
import { fieldErrorString } from '../../../api/errors.js';
import { validateEventCreate, validateEventUpdate } from '../../../api/core/validation/event.js';
import { ENDPOINTS_DEPRECATION_WARNING, coreStrategies } from './index.js';
import { create, testContext, update } from './testing.js';

const events = coreStrategies['events']!;
const endpoints = coreStrategies['endpoints']!;

function event(fields: Record<string, unknown>, namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'Event', metadata: { name: 'web.1', namespace }, ...fields };
}

const involved = { kind: 'Pod', namespace: 'default', name: 'web', uid: 'u-1', apiVersion: 'v1' };

describe('core/v1 events', () => {
  it('accepts a kubelet-style event and fills the always-present fields', () => {
    const { obj, errors } = create(
      events,
      event({
        involvedObject: involved,
        reason: 'Pulled',
        message: 'ok',
        type: 'Normal',
        source: { component: 'kubelet' },
        count: 1,
      }),
    );
    expect(errors).toEqual([]);
    expect(obj).toMatchObject({
      eventTime: null,
      reportingComponent: '',
      reportingInstance: '',
      firstTimestamp: null,
    });
    expect(events.allowCreateOnUpdate).toBe(true);
  });

  it('requires the namespaces to agree', () => {
    expect(create(events, event({ involvedObject: { ...involved, namespace: 'other' } })).errors).toEqual([
      'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
    ]);
  });

  it('checks the reporting fields of new-style events', () => {
    const errors = create(
      events,
      event({ involvedObject: involved, eventTime: '2025-05-01T10:00:00.000000Z' }),
    ).errors;
    expect(errors).toContain('reportingController: Required value');
    expect(errors).toContain('reportingInstance: Required value');
    expect(errors).toContain('action: Required value');
    expect(errors).toContain('reason: Required value');
    const long = create(
      events,
      event({
        involvedObject: involved,
        eventTime: '2025-05-01T10:00:00.000000Z',
        reportingComponent: 'example.com/ctl',
        reportingInstance: 'x'.repeat(129),
        action: 'Sync',
        reason: 'Done',
      }),
    ).errors;
    expect(long).toEqual(['reportingInstance: Invalid value: "": can have at most 128 characters']);
  });

  it('applies the strict rules for events.k8s.io', () => {
    const ev = event({
      involvedObject: involved,
      eventTime: '2025-05-01T10:00:00.000000Z',
      reportingComponent: 'sched',
      reportingInstance: 'sched-1',
      action: 'Binding',
      reason: 'Scheduled',
      type: 'Info',
      count: 2,
    });
    expect(validateEventCreate(ev, true).map(fieldErrorString)).toEqual([
      'type: Invalid value: "": has invalid value: Info',
      'count: Invalid value: "": needs to be unset',
    ]);
    const changed = { ...ev, reason: 'Other' };
    expect(validateEventUpdate(changed, ev, true).map(fieldErrorString)).toContain(
      'reason: Invalid value: "Other": field is immutable',
    );
  });

  it('exposes the field selectors kubectl uses', () => {
    const { obj } = create(
      events,
      event({ involvedObject: involved, reason: 'Pulled', type: 'Normal', source: { component: 'kubelet' } }),
    );
    expect(events.selectableFields?.(obj)).toMatchObject({
      'involvedObject.kind': 'Pod',
      'involvedObject.name': 'web',
      'involvedObject.namespace': 'default',
      'involvedObject.uid': 'u-1',
      reason: 'Pulled',
      source: 'kubelet',
      type: 'Normal',
      reportingComponent: '',
    });
  });

  it('updates with legacy validation only', () => {
    const stored = create(events, event({ involvedObject: involved, reason: 'A' })).obj;
    expect(update(events, event({ involvedObject: involved, reason: 'B', count: 2 }), stored).errors).toEqual(
      [],
    );
  });
});

describe('endpoints', () => {
  const ep = (subsets: unknown[]): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'web', namespace: 'default' },
    subsets,
  });

  it('defaults port protocols and warns about the deprecation', () => {
    const { obj, errors } = create(
      endpoints,
      ep([{ addresses: [{ ip: '10.1.0.5' }], ports: [{ port: 80 }] }]),
    );
    expect(errors).toEqual([]);
    expect(obj['subsets']).toEqual([
      { addresses: [{ ip: '10.1.0.5' }], ports: [{ port: 80, protocol: 'TCP' }] },
    ]);
    expect(endpoints.warnings?.(obj, undefined)).toEqual([ENDPOINTS_DEPRECATION_WARNING]);
    expect(endpoints.allowCreateOnUpdate).toBe(true);
  });

  it('validates subsets', () => {
    expect(create(endpoints, ep([{ ports: [{ port: 80 }] }])).errors).toEqual([
      'subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`',
    ]);
    expect(
      create(endpoints, ep([{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port: 80 }, { port: 81 }] }]))
        .errors,
    ).toEqual([
      'subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      'subsets[0].ports[0].name: Required value',
      'subsets[0].ports[1].name: Required value',
    ]);
    expect(create(endpoints, ep([{ addresses: [{ ip: 'nope' }] }])).errors).toEqual([
      'subsets[0].addresses[0].ip: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'subsets[0].addresses[0].ip: Invalid value: "nope": must be a valid IP address',
    ]);
    void testContext;
  });
});
