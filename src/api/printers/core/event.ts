/**
 * Events (core/v1 and events.k8s.io/v1 share one store and one table): LAST SEEN, TYPE, REASON,
 * OBJECT, MESSAGE; with `-o wide` SUBOBJECT, SOURCE, FIRST SEEN, COUNT and NAME.
 */
import type { Event as CoreEvent } from 'kubernetes-types/core/v1.js';
import type { Event as EventsEvent } from 'kubernetes-types/events/v1.js';
import type { KubeObject } from '../../meta.js';
import { column, nameOf, printer, view, wide } from '../columns.js';
import { parseTime, since } from '../duration.js';
import type { Cell } from '../types.js';

const columns = [
  column('Last Seen', 'string', 'How long ago the event was last seen.'),
  column('Type', 'string', 'Normal or Warning.'),
  column('Reason', 'string', 'Short machine-readable reason for the event.'),
  column('Object', 'string', 'The object the event is about, as kind/name.'),
  wide('Subobject', 'string', 'The part of the object the event is about, such as a container.'),
  wide('Source', 'string', 'The component (and host) that reported the event.'),
  column('Message', 'string', 'What happened, in words.'),
  wide('First Seen', 'string', 'How long ago the event was first seen.'),
  wide('Count', 'string', 'How many times the event has occurred.'),
  column('Name', 'string', 'The name of the event object.', { priority: 1, format: 'name' }),
];

/** An events.k8s.io/v1 Event seen through its core/v1 field names. */
export function toCoreEvent(obj: KubeObject): CoreEvent {
  if (!(obj.apiVersion ?? '').startsWith('events.k8s.io/')) {
    const e = view<CoreEvent>(obj);
    // Typed as required, but a malformed object may lack it.
    return { ...e, involvedObject: (e.involvedObject as CoreEvent['involvedObject'] | undefined) ?? {} };
  }
  const e = view<EventsEvent>(obj);
  return {
    metadata: e.metadata ?? {},
    involvedObject: e.regarding ?? {},
    message: e.note,
    reason: e.reason,
    type: e.type,
    source: e.deprecatedSource,
    firstTimestamp: e.deprecatedFirstTimestamp,
    lastTimestamp: e.deprecatedLastTimestamp,
    count: e.deprecatedCount,
    eventTime: e.eventTime,
    series: e.series ? { count: e.series.count, lastObservedTime: e.series.lastObservedTime } : undefined,
    reportingComponent: e.reportingController ?? '',
    reportingInstance: e.reportingInstance ?? '',
  };
}

function source(e: CoreEvent): string {
  const component = e.source?.component || e.reportingComponent || '';
  const host = e.source?.host || e.reportingInstance || '';
  return host === '' ? component : `${component}, ${host}`;
}

function eventCells(obj: KubeObject, now: Date): Cell[] {
  const e = toCoreEvent(obj);
  const firstSeen =
    parseTime(e.firstTimestamp) === undefined ? since(e.eventTime, now) : since(e.firstTimestamp, now);
  let lastSeen = parseTime(e.lastTimestamp) === undefined ? firstSeen : since(e.lastTimestamp, now);
  let count = e.count ?? 0;
  if (e.series) {
    lastSeen = since(e.series.lastObservedTime, now);
    count = e.series.count ?? 0;
  } else if (count === 0) {
    // Events written through events.k8s.io without a series happened once.
    count = 1;
  }
  const kind = (e.involvedObject.kind ?? '').toLowerCase();
  const target = e.involvedObject.name ? `${kind}/${e.involvedObject.name}` : kind;
  return [
    lastSeen,
    e.type ?? '',
    e.reason ?? '',
    target,
    e.involvedObject.fieldPath ?? '',
    source(e),
    (e.message ?? '').trim(),
    firstSeen,
    count,
    nameOf(obj),
  ];
}

/** core/v1 Event and events.k8s.io/v1 Event. */
export const eventPrinter = printer(columns, eventCells);
