/**
 * Pod template defaulting and validation, shared by every kind that embeds a PodTemplateSpec
 * (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob).
 *
 * Placeholder contract: the core validation work replaces these bodies with the real rules; callers
 * may rely on the signatures.
 */
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../errors.js';

/** Applies upstream pod defaults (SetDefaults_PodSpec, containers, probes …) to a template in place. */
export function defaultPodTemplateSpec(_template: PodTemplateSpec): void {}

export interface PodTemplateValidationOptions {
  /** Restart policies allowed here: e.g. Deployments only Always; Jobs OnFailure or Never. */
  allowedRestartPolicies?: readonly ('Always' | 'OnFailure' | 'Never')[];
}

/** Validates a PodTemplateSpec at `path` (e.g. "spec.template"): metadata labels/annotations and the pod spec. */
export function validatePodTemplateSpec(
  _template: PodTemplateSpec | undefined,
  _path: string,
  _opts?: PodTemplateValidationOptions,
): FieldError[] {
  return [];
}
