/**
 * Validation of Events written through events.k8s.io/v1 (upstream ValidateEventCreate and
 * ValidateEventUpdate for that group version), on the converted core/v1 form. Field paths name the
 * core fields, as upstream's do.
 */
import type { Event, ObjectReference } from 'kubernetes-types/core/v1.js';
import { fieldErrors, type FieldError } from '../errors.js';
import type { KubeObject } from '../meta.js';
import { semanticEqual } from '../validation/equality.js';
import { FIELD_IMMUTABLE, check, type Loose } from '../validation/fieldchecks.js';
import { goQuote, invalidGo } from '../validation/govalue.js';
import { isDNS1123Subdomain } from '../validation/names.js';

type E = Loose<Event>;

const REPORTING_INSTANCE_MAX = 128;
const ACTION_MAX = 128;
const REASON_MAX = 128;
const NOTE_MAX = 1024;

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

/** Rules every Event meets whatever the API it came through (upstream legacyValidateEvent). */
function legacyValidate(ev: E, reportingControllerField: string): FieldError[] {
  const errs: FieldError[] = [];
  const ns = ev.metadata?.namespace ?? '';
  const involvedNs = ev.involvedObject?.namespace ?? '';
  if (!isSet(ev.eventTime)) {
    if (involvedNs === '') {
      if (ns !== '' && ns !== 'default')
        errs.push(
          fieldErrors.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'),
        );
    } else if (ns !== involvedNs) {
      errs.push(
        fieldErrors.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'),
      );
    }
  } else {
    if (involvedNs === '' && ns !== 'default' && ns !== 'kube-system')
      errs.push(
        fieldErrors.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'),
      );
    const rc = ev.reportingComponent ?? '';
    if (rc === '') errs.push(fieldErrors.required(reportingControllerField));
    errs.push(...check.qualifiedName(rc, reportingControllerField));
    const ri = ev.reportingInstance ?? '';
    if (ri === '') errs.push(fieldErrors.required('reportingInstance'));
    if (ri.length > REPORTING_INSTANCE_MAX)
      errs.push(
        fieldErrors.invalid('reportingInstance', '', `can have at most ${REPORTING_INSTANCE_MAX} characters`),
      );
    const action = ev.action ?? '';
    if (action === '') errs.push(fieldErrors.required('action'));
    if (action.length > ACTION_MAX)
      errs.push(fieldErrors.invalid('action', '', `can have at most ${ACTION_MAX} characters`));
    const reason = ev.reason ?? '';
    if (reason === '') errs.push(fieldErrors.required('reason'));
    if (reason.length > REASON_MAX)
      errs.push(fieldErrors.invalid('reason', '', `can have at most ${REASON_MAX} characters`));
    if ((ev.message ?? '').length > NOTE_MAX)
      errs.push(fieldErrors.invalid('message', '', `can have at most ${NOTE_MAX} characters`));
  }
  for (const m of isDNS1123Subdomain(ns)) errs.push(fieldErrors.invalid('namespace', ns, m));
  return errs;
}

function validateSeries(ev: E): FieldError[] {
  const errs: FieldError[] = [];
  if (ev.series) {
    if ((ev.series.count ?? 0) < 2)
      errs.push(fieldErrors.invalid('series.count', '', 'should be at least 2'));
    if (!isSet(ev.series.lastObservedTime)) errs.push(fieldErrors.required('series.lastObservedTime'));
  }
  return errs;
}

/** An Event created through events.k8s.io/v1 (given in its stored core/v1 form). */
export function validateEventsV1Create(obj: KubeObject): FieldError[] {
  const ev = obj as E;
  const errs = legacyValidate(ev, 'reportingController');
  errs.push(...validateSeries(ev));
  if (!isSet(ev.eventTime)) errs.push(fieldErrors.required('eventTime'));
  if (ev.type !== 'Normal' && ev.type !== 'Warning')
    errs.push(fieldErrors.invalid('type', '', `has invalid value: ${ev.type ?? ''}`));
  if (isSet(ev.firstTimestamp)) errs.push(fieldErrors.invalid('firstTimestamp', '', 'needs to be unset'));
  if (isSet(ev.lastTimestamp)) errs.push(fieldErrors.invalid('lastTimestamp', '', 'needs to be unset'));
  if ((ev.count ?? 0) !== 0) errs.push(fieldErrors.invalid('count', '', 'needs to be unset'));
  if (isSet(ev.source?.component) || isSet(ev.source?.host))
    errs.push(fieldErrors.invalid('source', '', 'needs to be unset'));
  return errs;
}

function goObjectReference(r: Loose<ObjectReference> | undefined): string {
  const o = r ?? {};
  return `core.ObjectReference{Kind:${goQuote(o.kind ?? '')}, Namespace:${goQuote(o.namespace ?? '')}, Name:${goQuote(o.name ?? '')}, UID:${goQuote(o.uid ?? '')}, APIVersion:${goQuote(o.apiVersion ?? '')}, ResourceVersion:${goQuote(o.resourceVersion ?? '')}, FieldPath:${goQuote(o.fieldPath ?? '')}}`;
}

/** A metav1.Time as Go prints it through its String method: `2025-01-01 00:00:00 +0000 UTC`. */
function goTime(t: unknown): string {
  if (typeof t !== 'string' || t === '') return '0001-01-01 00:00:00 +0000 UTC';
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return t;
  const iso = d.toISOString();
  const frac = /\.(\d+)Z$/.exec(t)?.[1]?.replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac ? `.${frac}` : ''} +0000 UTC`;
}

function truncatedMicros(t: unknown): string {
  if (typeof t !== 'string') return '';
  const m = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(t);
  if (!m) return t;
  const ms = new Date(`${m[1] ?? ''}${m[3] ?? ''}`).getTime();
  return `${ms}.${(m[2] ?? '').padEnd(6, '0').slice(0, 6)}`;
}

/** An Event updated through events.k8s.io/v1: only series (and metadata) may change. */
export function validateEventsV1Update(obj: KubeObject, old: KubeObject): FieldError[] {
  const ev = obj as E;
  const o = old as E;
  const errs = legacyValidate(ev, 'reportingController');
  if (!semanticEqual(ev.series, o.series)) errs.push(...validateSeries(ev));
  const immutable = (n: unknown, p: unknown, field: string, go?: (v: unknown) => string): void => {
    if (semanticEqual(n ?? '', p ?? '')) return;
    if (go) errs.push(invalidGo(field, go(n), FIELD_IMMUTABLE));
    else errs.push(fieldErrors.invalid(field, n ?? '', FIELD_IMMUTABLE));
  };
  immutable(ev.involvedObject, o.involvedObject, 'involvedObject', (v) =>
    goObjectReference(v as ObjectReference),
  );
  immutable(ev.reason, o.reason, 'reason');
  immutable(ev.message, o.message, 'message');
  immutable(ev.source, o.source, 'source', (v) => {
    const s = (v ?? {}) as { component?: string; host?: string };
    return `core.EventSource{Component:${goQuote(s.component ?? '')}, Host:${goQuote(s.host ?? '')}}`;
  });
  immutable(ev.firstTimestamp, o.firstTimestamp, 'firstTimestamp', goTime);
  immutable(ev.lastTimestamp, o.lastTimestamp, 'lastTimestamp', goTime);
  immutable(ev.count ?? 0, o.count ?? 0, 'count');
  immutable(ev.reason, o.reason, 'reason');
  immutable(ev.type, o.type, 'type');
  if (truncatedMicros(ev.eventTime) !== truncatedMicros(o.eventTime))
    immutable(ev.eventTime, o.eventTime, 'eventTime', goTime);
  immutable(ev.action, o.action, 'action');
  immutable(ev.related, o.related, 'related', (v) => (v ? goObjectReference(v as ObjectReference) : 'null'));
  immutable(ev.reportingComponent, o.reportingComponent, 'reportingController');
  immutable(ev.reportingInstance, o.reportingInstance, 'reportingInstance');
  return errs;
}
