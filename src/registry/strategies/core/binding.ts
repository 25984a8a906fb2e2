/**
 * pods/binding: the scheduler's request to assign a pod to a node. Not stored itself; it updates the
 * pod's spec.nodeName, annotations and PodScheduled condition.
 */
import { apiErrors, type ApiError, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { clone, ensureRec, isSet, rec, records, str, stringMap } from '../../../api/core/util.js';
import { validatePodBinding } from '../../../api/core/validation/pod.js';
import { rfc3339 } from './common.js';

/** Upstream's ValidatePodBinding: target.kind is Node (or empty) and target.name is set. */
export function validateBinding(binding: KubeObject): FieldError[] {
  return validatePodBinding(binding);
}

/** The pod after a successful binding, or the error upstream answers. */
export type BindResult = { pod: KubeObject; error?: undefined } | { pod?: undefined; error: ApiError };

/**
 * Applies a Binding to the stored pod (a pure function: the caller stores the result). `urlName` is
 * the pod name from the request path.
 */
export function bindPod(pod: KubeObject, binding: KubeObject, urlName: string, now: Date): BindResult {
  const bindingName = str(rec(binding['metadata'])?.['name']);
  if (bindingName !== urlName)
    return { error: apiErrors.badRequest('name in URL does not match name in Binding object') };
  const errs = validateBinding(binding);
  if (errs.length) return { error: apiErrors.invalid('', 'Binding', bindingName, errs) };
  const podName = str(rec(pod['metadata'])?.['name']);
  const conflict = (reason: string): BindResult => ({
    error: apiErrors.conflict({ group: '', resource: 'pods/binding' }, podName, reason),
  });
  const meta = rec(pod['metadata']) ?? {};
  if (isSet(meta['deletionTimestamp']))
    return conflict(`pod ${podName} is being deleted, cannot be assigned to a host`);
  const spec = rec(pod['spec']) ?? {};
  const current = str(spec['nodeName']);
  if (current !== '')
    return conflict(`pod ${podName} is already assigned to node ${JSON.stringify(current)}`);
  if (records(spec['schedulingGates']).length > 0)
    return conflict(`pod ${podName} has non-empty .spec.schedulingGates`);
  const bindingUID = str(rec(binding['metadata'])?.['uid']);
  if (bindingUID !== '' && bindingUID !== str(meta['uid']))
    return conflict(
      `Precondition failed: UID in precondition: ${bindingUID}, UID in object meta: ${str(meta['uid'])}`,
    );

  const out = clone(pod);
  ensureRec(out, 'spec')['nodeName'] = str(rec(binding['target'])?.['name']);
  const annotations = stringMap(rec(binding['metadata'])?.['annotations']);
  if (Object.keys(annotations).length)
    Object.assign(ensureRec(ensureRec(out, 'metadata'), 'annotations'), annotations);
  const status = ensureRec(out, 'status');
  const conditions = records(status['conditions']).map(([c]) => c);
  const i = conditions.findIndex((c) => c['type'] === 'PodScheduled');
  const previous = i >= 0 ? conditions[i] : undefined;
  const condition = {
    type: 'PodScheduled',
    status: 'True',
    lastProbeTime: null,
    lastTransitionTime:
      previous?.['status'] === 'True' ? (previous['lastTransitionTime'] ?? null) : rfc3339(now),
  };
  if (i >= 0) conditions[i] = condition;
  else conditions.push(condition);
  status['conditions'] = conditions;
  return { pod: out };
}
