/**
 * Pod template defaulting and validation, shared by every kind that embeds a PodTemplateSpec
 * (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob).
 */
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { fieldErrors, type FieldError } from '../errors.js';
import { validateAnnotations, validateLabels } from '../validation/objectmeta.js';
import { defaultPodSpec } from './defaults/podspec.js';
import { ensureRec, isObject, records, str, type JsonObject } from './util.js';
import { validateSecurityAnnotationsMatchFields } from './validation/pod.js';
import { RESTART_POLICIES, validatePodSpec, validatePodSpecificAnnotations } from './validation/podspec.js';
import { podSpecWarnings } from './validation/podwarnings.js';

/**
 * Applies upstream pod defaults (SetDefaults_PodSpec, containers, probes, volumes …) to a template in
 * place. Pod-only defaults (requests from limits, enableServiceLinks, host-network ports) are not
 * applied to templates, as upstream does not. The template's `metadata.creationTimestamp` reads
 * `null`, as upstream serializes it.
 */
export function defaultPodTemplateSpec(template: PodTemplateSpec): void {
  const t = template as unknown as JsonObject;
  if (!isObject(t)) return;
  defaultPodSpec(ensureRec(t, 'spec'));
  const meta = ensureRec(t, 'metadata');
  if (!('creationTimestamp' in meta)) meta['creationTimestamp'] = null;
}

export interface PodTemplateValidationOptions {
  /** Restart policies allowed here: e.g. Deployments only Always; Jobs OnFailure or Never. */
  allowedRestartPolicies?: readonly ('Always' | 'OnFailure' | 'Never')[];
}

/** Validates a PodTemplateSpec at `path` (e.g. "spec.template"): metadata labels/annotations and the pod spec. */
export function validatePodTemplateSpec(
  template: PodTemplateSpec | undefined,
  path: string,
  opts?: PodTemplateValidationOptions,
): FieldError[] {
  if (!isObject(template)) return [fieldErrors.required(path)];
  const t = template as unknown as JsonObject;
  const meta = isObject(t['metadata']) ? t['metadata'] : {};
  const spec = isObject(t['spec']) ? t['spec'] : {};
  const errs = validateLabels(meta['labels'], `${path}.labels`);
  errs.push(...validateAnnotations(meta['annotations'], `${path}.annotations`));
  errs.push(...validatePodSpecificAnnotations(meta['annotations'], spec, `${path}.annotations`));
  errs.push(...validatePodSpec(spec, `${path}.spec`, { resourceIsPod: false }));
  errs.push(...validateSecurityAnnotationsMatchFields(meta, spec, `${path}.spec`));
  if (records(spec['ephemeralContainers']).length > 0)
    errs.push(
      fieldErrors.forbidden(
        `${path}.spec.ephemeralContainers`,
        'ephemeral containers not allowed in pod template',
      ),
    );
  const rp = str(spec['restartPolicy']);
  const allowed = opts?.allowedRestartPolicies;
  if (allowed && RESTART_POLICIES.includes(rp) && !(allowed as readonly string[]).includes(rp))
    errs.push(fieldErrors.notSupported(`${path}.spec.restartPolicy`, rp, allowed));
  return errs;
}

/** Warnings for a pod template at `path` (e.g. "spec.template"), as upstream sends on workload writes. */
export function podTemplateWarnings(template: PodTemplateSpec | undefined, path: string): string[] {
  if (!isObject(template)) return [];
  const t = template as unknown as JsonObject;
  return podSpecWarnings(t['spec'], t['metadata'], path);
}
