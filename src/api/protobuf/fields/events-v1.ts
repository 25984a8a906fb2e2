/**
 * Protobuf field numbers of the events.k8s.io/v1 definitions, from the protobuf struct tags of
 * k8s.io/api/events/v1 (Kubernetes v1.33). See ./types.ts for the notation.
 */
import type { FieldTable } from './types.js';
import { TYPE_META, always, keep } from './types.js';

const P = 'io.k8s.api.events.v1.';

/** Field numbers of events.k8s.io/v1. */
export const eventsV1Fields: FieldTable = {
  [P + 'Event']: {
    apiVersion: TYPE_META,
    kind: TYPE_META,
    metadata: 1,
    eventTime: 2,
    series: 3,
    reportingController: 4,
    reportingInstance: 5,
    action: 6,
    reason: 7,
    regarding: 8,
    related: 9,
    note: 10,
    type: 11,
    deprecatedSource: 12,
    deprecatedFirstTimestamp: 13,
    deprecatedLastTimestamp: 14,
    deprecatedCount: 15,
  },
  [P + 'EventList']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, items: always(2) },
  [P + 'EventSeries']: { count: keep(1), lastObservedTime: 2 },
};
