/**
 * events.k8s.io/v1 Event ↔ core/v1 Event (the stored form): regarding ↔ involvedObject, note ↔
 * message, reportingController ↔ reportingComponent, and the deprecated* fields ↔ source, count,
 * firstTimestamp and lastTimestamp. Also the field-selector names events.k8s.io accepts.
 */
import type { Converter } from '../conversion.js';
import type { KubeObject } from '../meta.js';
import { clone } from '../validation/equality.js';

type Obj = Record<string, unknown>;

function has(v: unknown): boolean {
  return v !== undefined && v !== null;
}

function nonEmpty(v: unknown): boolean {
  return has(v) && v !== '' && v !== 0;
}

/** Copies `value` to `out[key]` unless it is unset (omitempty). */
function put(out: Obj, key: string, value: unknown): void {
  if (nonEmpty(value)) out[key] = clone(value);
}

/** A core/v1 Event (as stored) in its events.k8s.io/v1 form, shaped as upstream serializes it. */
export function coreEventToEventsV1(core: KubeObject): KubeObject {
  const out: KubeObject = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: clone(core.metadata ?? {}),
  };
  out['eventTime'] = core['eventTime'] ?? null;
  put(out, 'series', core['series']);
  put(out, 'reportingController', core['reportingComponent']);
  put(out, 'reportingInstance', core['reportingInstance']);
  put(out, 'action', core['action']);
  put(out, 'reason', core['reason']);
  out['regarding'] = clone(core['involvedObject'] ?? {});
  put(out, 'related', core['related']);
  put(out, 'note', core['message']);
  put(out, 'type', core['type']);
  out['deprecatedSource'] = clone(core['source'] ?? {});
  out['deprecatedFirstTimestamp'] = core['firstTimestamp'] ?? null;
  out['deprecatedLastTimestamp'] = core['lastTimestamp'] ?? null;
  put(out, 'deprecatedCount', core['count']);
  return out;
}

/** An events.k8s.io/v1 Event as the core/v1 Event that is stored. */
export function eventsV1ToCoreEvent(ev: KubeObject): KubeObject {
  const out: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata: clone(ev.metadata ?? {}) };
  out['involvedObject'] = clone(ev['regarding'] ?? {});
  put(out, 'reason', ev['reason']);
  put(out, 'message', ev['note']);
  const source = ev['deprecatedSource'];
  out['source'] = clone(typeof source === 'object' && source !== null ? source : {});
  put(out, 'firstTimestamp', ev['deprecatedFirstTimestamp']);
  put(out, 'lastTimestamp', ev['deprecatedLastTimestamp']);
  put(out, 'count', ev['deprecatedCount']);
  put(out, 'type', ev['type']);
  put(out, 'eventTime', ev['eventTime']);
  put(out, 'series', ev['series']);
  put(out, 'action', ev['action']);
  put(out, 'related', ev['related']);
  out['reportingComponent'] = typeof ev['reportingController'] === 'string' ? ev['reportingController'] : '';
  out['reportingInstance'] = typeof ev['reportingInstance'] === 'string' ? ev['reportingInstance'] : '';
  return out;
}

/** The Converter for events.k8s.io/v1 Event (stored as core/v1 Event). */
export const eventsV1Converter: Converter = {
  toStorage: eventsV1ToCoreEvent,
  fromStorage: coreEventToEventsV1,
};

const FIELD_LABELS: Record<string, string> = {
  reason: 'reason',
  'regarding.kind': 'involvedObject.kind',
  'regarding.namespace': 'involvedObject.namespace',
  'regarding.name': 'involvedObject.name',
  'regarding.uid': 'involvedObject.uid',
  'regarding.apiVersion': 'involvedObject.apiVersion',
  'regarding.resourceVersion': 'involvedObject.resourceVersion',
  'regarding.fieldPath': 'involvedObject.fieldPath',
  reportingController: 'reportingComponent',
  source: 'source',
  type: 'type',
  'metadata.namespace': 'metadata.namespace',
  'metadata.name': 'metadata.name',
};

/**
 * Maps a field-selector label of events.k8s.io/v1 to the core Event field it selects on; throws
 * upstream's `field label not supported: X` for others.
 */
export function eventsV1FieldLabel(label: string): string {
  const mapped = FIELD_LABELS[label];
  if (mapped === undefined) throw new Error(`field label not supported: ${label}`);
  return mapped;
}
