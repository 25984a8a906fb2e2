/**
 * The body of a pods/eviction request: its name must match the URL, its DeleteOptions must be
 * valid, and a dry-run given both in the URL and the body must agree. Returns the DeleteOptions
 * the eviction will use; the PodDisruptionBudget checks happen where the pod is evicted.
 */
import type { DeleteOptions } from 'kubernetes-types/meta/v1.js';
import { apiErrors, fieldErrors, type FieldError } from '../errors.js';
import type { KubeObject } from '../meta.js';

const PROPAGATION = ['Foreground', 'Background', 'Orphan'] as const;

/** Upstream's ValidateDeleteOptions. */
export function validateDeleteOptions(opts: DeleteOptions): FieldError[] {
  const errs: FieldError[] = [];
  const policy = opts.propagationPolicy;
  if (
    opts.orphanDependents !== undefined &&
    opts.orphanDependents !== null &&
    policy !== undefined &&
    policy !== null
  )
    errs.push(
      fieldErrors.invalid(
        'propagationPolicy',
        policy,
        'orphanDependents and deletionPropagation cannot be both set',
      ),
    );
  if (policy !== undefined && policy !== null && !(PROPAGATION as readonly string[]).includes(policy))
    errs.push(fieldErrors.notSupported('propagationPolicy', policy, [...PROPAGATION, 'nil']));
  (opts.dryRun ?? []).forEach((v, i) => {
    if (v !== 'All') errs.push(fieldErrors.notSupported(`dryRun[${i}]`, v, ['All']));
  });
  return errs;
}

/**
 * Checks an Eviction body for pod `urlName`. `requestDryRun` is the request's `dryRun` query
 * parameters. Returns the effective DeleteOptions; throws ApiError for a bad request.
 */
export function evictionDeleteOptions(
  eviction: KubeObject,
  urlName: string,
  requestDryRun: string[] = [],
): DeleteOptions {
  if ((eviction.metadata?.name ?? '') !== urlName) {
    throw apiErrors.badRequest('name in URL does not match name in Eviction object');
  }
  const raw = eviction['deleteOptions'];
  let opts: DeleteOptions;
  if (typeof raw !== 'object' || raw === null) {
    opts = requestDryRun.length ? { dryRun: [...requestDryRun] } : {};
  } else {
    opts = { ...(raw as DeleteOptions) };
    const bodyDryRun = opts.dryRun ?? [];
    if (bodyDryRun.length === 0) {
      if (requestDryRun.length) opts.dryRun = [...requestDryRun];
    } else if (requestDryRun.length && JSON.stringify(requestDryRun) !== JSON.stringify(bodyDryRun)) {
      throw apiErrors.internal(
        new Error(
          `Non-matching dry-run options in request and content: [${requestDryRun.join(' ')}] and [${bodyDryRun.join(' ')}]`,
        ),
      );
    }
  }
  const errs = validateDeleteOptions(opts);
  if (errs.length) throw apiErrors.invalid('meta.k8s.io', 'DeleteOptions', '', errs);
  return opts;
}
