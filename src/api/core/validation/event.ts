/**
 * Event validation. Writes through core/v1 get upstream's lenient legacy checks; writes through
 * events.k8s.io/v1 (`strict`) add the newer rules (eventTime required, legacy fields unset, and most
 * fields immutable on update).
 */
import { fieldErrors, type FieldError } from '../../errors.js';
import { isDNS1123Subdomain } from '../../validation/names.js';
import { isSet, num, rec, str, type JsonObject } from '../util.js';
import { immutable, qualifiedName } from './common.js';

const REPORTING_INSTANCE_LIMIT = 128;
const ACTION_LIMIT = 128;
const REASON_LIMIT = 128;
const NOTE_LIMIT = 1024;

function isZeroTime(value: unknown): boolean {
  return value === undefined || value === null || value === '' || value === '0001-01-01T00:00:00Z';
}

function legacyValidateEvent(ev: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const ns = str(rec(ev['metadata'])?.['namespace']);
  const involvedNs = str(rec(ev['involvedObject'])?.['namespace']);
  const nsField = 'involvedObject.namespace';
  if (isZeroTime(ev['eventTime'])) {
    if (involvedNs === '') {
      if (ns !== '' && ns !== 'default')
        errs.push(fieldErrors.invalid(nsField, involvedNs, 'does not match event.namespace'));
    } else if (ns !== involvedNs) {
      errs.push(fieldErrors.invalid(nsField, involvedNs, 'does not match event.namespace'));
    }
  } else {
    if (involvedNs === '' && ns !== 'default' && ns !== 'kube-system')
      errs.push(fieldErrors.invalid(nsField, involvedNs, 'does not match event.namespace'));
    const controller = str(ev['reportingComponent']);
    if (controller === '') errs.push(fieldErrors.required('reportingController'));
    errs.push(...qualifiedName(controller, 'reportingController'));
    const instance = str(ev['reportingInstance']);
    if (instance === '') errs.push(fieldErrors.required('reportingInstance'));
    if (instance.length > REPORTING_INSTANCE_LIMIT)
      errs.push(
        fieldErrors.invalid(
          'reportingInstance',
          '',
          `can have at most ${REPORTING_INSTANCE_LIMIT} characters`,
        ),
      );
    const action = str(ev['action']);
    if (action === '') errs.push(fieldErrors.required('action'));
    if (action.length > ACTION_LIMIT)
      errs.push(fieldErrors.invalid('action', '', `can have at most ${ACTION_LIMIT} characters`));
    const reason = str(ev['reason']);
    if (reason === '') errs.push(fieldErrors.required('reason'));
    if (reason.length > REASON_LIMIT)
      errs.push(fieldErrors.invalid('reason', '', `can have at most ${REASON_LIMIT} characters`));
    if (str(ev['message']).length > NOTE_LIMIT)
      errs.push(fieldErrors.invalid('message', '', `can have at most ${NOTE_LIMIT} characters`));
  }
  for (const m of isDNS1123Subdomain(ns)) errs.push(fieldErrors.invalid('namespace', ns, m));
  return errs;
}

function validateSeries(ev: JsonObject): FieldError[] {
  const series = rec(ev['series']);
  if (!series) return [];
  const errs: FieldError[] = [];
  if ((num(series['count']) ?? 0) < 2)
    errs.push(fieldErrors.invalid('series.count', '', 'should be at least 2'));
  if (isZeroTime(series['lastObservedTime'])) errs.push(fieldErrors.required('series.lastObservedTime'));
  return errs;
}

/** Event create. `strict` for events.k8s.io/v1 (ObjectMeta is the store's concern either way). */
export function validateEventCreate(ev: JsonObject, strict = false): FieldError[] {
  const errs = legacyValidateEvent(ev);
  if (!strict) return errs;
  errs.push(...validateSeries(ev));
  if (isZeroTime(ev['eventTime'])) errs.push(fieldErrors.required('eventTime'));
  const type = str(ev['type']);
  if (type !== 'Normal' && type !== 'Warning')
    errs.push(fieldErrors.invalid('type', '', `has invalid value: ${type}`));
  if (!isZeroTime(ev['firstTimestamp']))
    errs.push(fieldErrors.invalid('firstTimestamp', '', 'needs to be unset'));
  if (!isZeroTime(ev['lastTimestamp']))
    errs.push(fieldErrors.invalid('lastTimestamp', '', 'needs to be unset'));
  if ((num(ev['count']) ?? 0) !== 0) errs.push(fieldErrors.invalid('count', '', 'needs to be unset'));
  const source = rec(ev['source']);
  if (str(source?.['component']) !== '' || str(source?.['host']) !== '')
    errs.push(fieldErrors.invalid('source', '', 'needs to be unset'));
  return errs;
}

/** Event update. */
export function validateEventUpdate(ev: JsonObject, old: JsonObject, strict = false): FieldError[] {
  const errs = legacyValidateEvent(ev);
  if (!strict) return errs;
  if (isSet(ev['series']) && JSON.stringify(ev['series']) !== JSON.stringify(old['series']))
    errs.push(...validateSeries(ev));
  for (const [key, field] of [
    ['involvedObject', 'involvedObject'],
    ['reason', 'reason'],
    ['message', 'message'],
    ['source', 'source'],
    ['firstTimestamp', 'firstTimestamp'],
    ['lastTimestamp', 'lastTimestamp'],
    ['count', 'count'],
    ['type', 'type'],
    ['eventTime', 'eventTime'],
    ['action', 'action'],
    ['related', 'related'],
    ['reportingComponent', 'reportingController'],
    ['reportingInstance', 'reportingInstance'],
  ] as const)
    errs.push(...immutable(ev[key], old[key], field));
  return errs;
}
