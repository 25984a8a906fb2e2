/**
 * CronJob validation (upstream ValidateCronJobCreate / ValidateCronJobUpdate): schedule, time zone,
 * concurrency policy, history limits and the job template.
 */
import type { CronJob } from 'kubernetes-types/batch/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { fieldErrors, type FieldError } from '../../errors.js';
import type { KubeObject } from '../../meta.js';
import { nonNegative, type Loose } from '../../validation/fieldchecks.js';
import { goLabelSelector, invalidGo } from '../../validation/govalue.js';
import { isKnownTimeZone, scheduleError } from '../cron.js';
import { validateJobSpecFields } from './jobspec.js';

type CJ = Loose<CronJob>;

/** The controller appends an 11-character suffix to Job names, which may have 63. */
const MAX_CRONJOB_NAME = 52;

const validTimeZonePart = /^[A-Za-z.\-_0-9+]{1,14}$/;

function validateSchedule(schedule: string, allowTZ: boolean, timeZone: string | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const err = scheduleError(schedule);
  if (err !== undefined) errs.push(fieldErrors.invalid('spec.schedule', schedule, err));
  if (allowTZ && schedule.includes('TZ') && timeZone !== undefined)
    errs.push(
      fieldErrors.invalid(
        'spec.schedule',
        schedule,
        'cannot use both timeZone field and TZ or CRON_TZ in schedule',
      ),
    );
  else if (!allowTZ && schedule.includes('TZ'))
    errs.push(
      fieldErrors.invalid(
        'spec.schedule',
        schedule,
        'cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
      ),
    );
  return errs;
}

/** Upstream's validateTimeZone: an explicit IANA zone name. */
export function validateTimeZone(tz: string | undefined | null, field = 'spec.timeZone'): FieldError[] {
  if (tz === undefined || tz === null) return [];
  if (tz.length === 0) return [fieldErrors.invalid(field, tz, 'timeZone must be nil or non-empty string')];
  for (const part of tz.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !validTimeZonePart.test(part))
      return [fieldErrors.invalid(field, tz, `unknown time zone ${tz}`)];
  }
  const errs: FieldError[] = [];
  if (tz.toLowerCase() === 'local')
    errs.push(
      fieldErrors.invalid(
        field,
        tz,
        'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
      ),
    );
  if (tz !== 'Local' && tz !== 'UTC' && !isKnownTimeZone(tz))
    errs.push(fieldErrors.invalid(field, tz, `unknown time zone ${tz}`));
  return errs;
}

function validateSpec(cj: CJ, old: CJ | undefined): FieldError[] {
  const spec = cj.spec ?? {};
  const oldSpec = old?.spec;
  const errs: FieldError[] = [];
  const schedule = spec.schedule ?? '';
  if (schedule.length === 0) errs.push(fieldErrors.required('spec.schedule'));
  else
    errs.push(
      ...validateSchedule(
        schedule,
        (oldSpec?.schedule ?? '').includes('TZ') && old !== undefined,
        spec.timeZone ?? undefined,
      ),
    );
  errs.push(...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (!oldSpec || (oldSpec.timeZone ?? null) !== (spec.timeZone ?? null))
    errs.push(...validateTimeZone(spec.timeZone));
  const cp = spec.concurrencyPolicy ?? '';
  if (cp === '') errs.push(fieldErrors.required('spec.concurrencyPolicy'));
  else if (cp !== 'Allow' && cp !== 'Forbid' && cp !== 'Replace')
    errs.push(fieldErrors.notSupported('spec.concurrencyPolicy', cp, ['Allow', 'Forbid', 'Replace']));
  const jobSpec = spec.jobTemplate?.spec ?? {};
  errs.push(...validateJobSpecFields(jobSpec, 'spec.jobTemplate.spec'));
  if (jobSpec.selector)
    errs.push(
      invalidGo(
        'spec.jobTemplate.spec.selector',
        goLabelSelector(jobSpec.selector as LabelSelector),
        '`selector` will be auto-generated',
      ),
    );
  if (jobSpec.manualSelector === true)
    errs.push(fieldErrors.notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  errs.push(...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  return errs;
}

/** A CronJob on create: the spec, and a name short enough for the Jobs it creates. */
export function validateCronJob(obj: KubeObject): FieldError[] {
  const cj = obj as CJ;
  const errs = validateSpec(cj, undefined);
  const name = cj.metadata?.name ?? '';
  if (name.length > MAX_CRONJOB_NAME)
    errs.push(
      fieldErrors.invalid('metadata.name', name, `must be no more than ${MAX_CRONJOB_NAME} characters`),
    );
  return errs;
}

/** A CronJob on update (old names longer than 52 characters stay updatable). */
export function validateCronJobUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  return validateSpec(obj as CJ, old as CJ);
}
