/**
 * batch/v1 defaulting (upstream SetDefaults_Job, SetDefaults_CronJob and the pod-failure-policy
 * pattern default), plus the pod template defaults of the embedded templates.
 */
import type { KubeObject } from '../meta.js';
import { defaultTemplate } from '../apps/defaults.js';
import { ensureObject } from '../validation/fieldchecks.js';

type Obj = Record<string, unknown>;

const MAX_INT32 = 2147483647;

function isUnset(v: unknown): boolean {
  return v === undefined || v === null;
}

function asObj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

/** onPodConditions patterns without a status mean status True. */
function defaultPodFailurePolicy(spec: Obj): void {
  const rules = asObj(spec['podFailurePolicy'])?.['rules'];
  if (!Array.isArray(rules)) return;
  for (const rule of rules) {
    const patterns = asObj(rule)?.['onPodConditions'];
    if (!Array.isArray(patterns)) continue;
    for (const p of patterns) {
      const pattern = asObj(p);
      if (pattern && (isUnset(pattern['status']) || pattern['status'] === '')) pattern['status'] = 'True';
    }
  }
}

/** The JobSpec defaults that apply wherever a JobSpec appears. */
function defaultJobSpecCommon(spec: Obj): void {
  defaultPodFailurePolicy(spec);
  defaultTemplate(spec);
}

/**
 * Job: completions and parallelism 1 when both unset, parallelism 1, backoffLimit 6 (or unlimited
 * with a per-index limit), NonIndexed, not suspended, replacement policy by failure policy,
 * manualSelector false; an unlabelled Job takes its template's labels.
 */
export function defaultJob(obj: KubeObject): void {
  const spec = ensureObject<Obj>(obj, 'spec');
  if (isUnset(spec['completions']) && isUnset(spec['parallelism'])) {
    spec['completions'] = 1;
    spec['parallelism'] = 1;
  }
  if (isUnset(spec['parallelism'])) spec['parallelism'] = 1;
  if (isUnset(spec['backoffLimit']))
    spec['backoffLimit'] = isUnset(spec['backoffLimitPerIndex']) ? 6 : MAX_INT32;
  const templateLabels = asObj(asObj(asObj(spec['template'])?.['metadata'])?.['labels']);
  if (templateLabels && Object.keys(obj.metadata?.labels ?? {}).length === 0) {
    if (!obj.metadata) obj.metadata = {};
    obj.metadata.labels = { ...(templateLabels as Record<string, string>) };
  }
  if (isUnset(spec['completionMode'])) spec['completionMode'] = 'NonIndexed';
  if (isUnset(spec['suspend'])) spec['suspend'] = false;
  if (isUnset(spec['podReplacementPolicy']))
    spec['podReplacementPolicy'] = isUnset(spec['podFailurePolicy']) ? 'TerminatingOrFailed' : 'Failed';
  if (isUnset(spec['manualSelector'])) spec['manualSelector'] = false;
  defaultJobSpecCommon(spec);
}

/** CronJob: Allow, not suspended, keep 3 successful and 1 failed Job. */
export function defaultCronJob(obj: KubeObject): void {
  const spec = ensureObject<Obj>(obj, 'spec');
  if (isUnset(spec['concurrencyPolicy']) || spec['concurrencyPolicy'] === '')
    spec['concurrencyPolicy'] = 'Allow';
  if (isUnset(spec['suspend'])) spec['suspend'] = false;
  if (isUnset(spec['successfulJobsHistoryLimit'])) spec['successfulJobsHistoryLimit'] = 3;
  if (isUnset(spec['failedJobsHistoryLimit'])) spec['failedJobsHistoryLimit'] = 1;
  const jobTemplate = ensureObject<Obj>(spec, 'jobTemplate');
  defaultJobSpecCommon(ensureObject<Obj>(jobTemplate, 'spec'));
}
