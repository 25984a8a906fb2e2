/**
 * Schema definitions for events.k8s.io/v1: Event, a report of something that happened in the
 * cluster. It shares storage with core/v1 events.
 */
import { CORE, list, obj, p } from '../schema/dsl.js';
import type { Definition } from '../schema/types.js';

const EV = 'io.k8s.api.events.v1.';
const gvk = (kind: string) => ({ group: 'events.k8s.io', version: 'v1', kind });

/** Every events.k8s.io/v1 definition. */
export const eventsV1Definitions: Definition[] = [
  obj(
    EV + 'Event',
    'A report of something that happened to an object, kept for a limited time.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      eventTime: p.microTime('When the event was first seen; required.'),
      series: p.ref(EV + 'EventSeries', 'Repetition data, when the event happened more than once.'),
      reportingController: p.string('The controller that emitted the event, such as kubernetes.io/kubelet.'),
      reportingInstance: p.string('The instance of that controller, such as kubelet-node-1.'),
      action: p.string('What was done, or what failed, to the regarding object, in CamelCase.'),
      reason: p.string('Why the action was taken, in CamelCase.'),
      regarding: p.ref(CORE + 'ObjectReference', 'The object this event reports on.'),
      related: p.ref(CORE + 'ObjectReference', 'A second object involved, if any.'),
      note: p.string('A human-readable description of what happened (at most 1kB).'),
      type: p.string('Normal or Warning.'),
      deprecatedSource: p.ref(CORE + 'EventSource', 'The core/v1 source field, kept for compatibility.'),
      deprecatedFirstTimestamp: p.time('The core/v1 firstTimestamp field, kept for compatibility.'),
      deprecatedLastTimestamp: p.time('The core/v1 lastTimestamp field, kept for compatibility.'),
      deprecatedCount: p.int32('The core/v1 count field, kept for compatibility.'),
    },
    { required: ['eventTime'], gvk: [gvk('Event')] },
  ),
  list(EV + 'Event', gvk('EventList')),
  obj(
    EV + 'EventSeries',
    'How often an event has recurred; updated on a heartbeat rather than on every occurrence.',
    {
      count: p.int32('How many times the event has happened so far.'),
      lastObservedTime: p.microTime('When the event was last seen.'),
    },
    { required: ['count', 'lastObservedTime'] },
  ),
];
