/**
 * Downward API selectors (fieldRef, resourceFieldRef), used by env vars and downwardAPI volumes.
 */
import { fieldErrors, type FieldError } from '../../errors.js';
import { Quantity } from '../../quantity.js';
import { str, type JsonObject } from '../util.js';
import { qualifiedName } from './common.js';

/** Pod fields an env var may reference. */
export const ENV_FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];

/** Pod fields a downwardAPI volume file may reference. */
export const VOLUME_FIELD_PATHS = [
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
];

const CONVERTIBLE_FIELD_LABELS = new Set([
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.serviceAccountName',
  'spec.schedulerName',
  'status.phase',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
]);

const RESOURCE_FIELD_PATHS = [
  'limits.cpu',
  'limits.ephemeral-storage',
  'limits.memory',
  'requests.cpu',
  'requests.ephemeral-storage',
  'requests.memory',
];
const HUGEPAGES_PREFIXES = ['limits.hugepages-', 'requests.hugepages-'];

const CPU_DIVISORS = new Set(['1m', '1']);
const BYTE_DIVISORS = new Set([
  '1',
  '1k',
  '1M',
  '1G',
  '1T',
  '1P',
  '1E',
  '1Ki',
  '1Mi',
  '1Gi',
  '1Ti',
  '1Pi',
  '1Ei',
]);
const BYTE_DIVISOR_LIST = '1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei';

/** `metadata.labels['key']` split into path and subscript. */
export function splitSubscriptedPath(path: string): [string, string] | undefined {
  if (!path.endsWith("']")) return undefined;
  const s = path.slice(0, -2);
  const i = s.indexOf("['");
  if (i <= 0) return undefined;
  return [s.slice(0, i), s.slice(i + 2)];
}

/** Upstream's validateObjectFieldSelector. */
export function validateObjectFieldSelector(
  fs: JsonObject,
  allowed: readonly string[],
  path: string,
): FieldError[] {
  const apiVersion = str(fs['apiVersion']);
  const fieldPath = str(fs['fieldPath']);
  if (apiVersion === '') return [fieldErrors.required(`${path}.apiVersion`)];
  if (fieldPath === '') return [fieldErrors.required(`${path}.fieldPath`)];
  let convertError: string | undefined;
  const sub = splitSubscriptedPath(fieldPath);
  if (apiVersion !== 'v1') convertError = `unsupported pod version: ${apiVersion}`;
  else if (sub) {
    if (sub[0] !== 'metadata.annotations' && sub[0] !== 'metadata.labels')
      convertError = `field label does not support subscript: ${fieldPath}`;
  } else if (!CONVERTIBLE_FIELD_LABELS.has(fieldPath) && fieldPath !== 'spec.host') {
    convertError = `field label not supported: ${fieldPath}`;
  }
  if (convertError)
    return [
      fieldErrors.invalid(`${path}.fieldPath`, fieldPath, `error converting fieldPath: ${convertError}`),
    ];
  const internal = fieldPath === 'spec.host' ? 'spec.nodeName' : fieldPath;
  if (sub) {
    const [p, key] = sub;
    if (p === 'metadata.annotations') return qualifiedName(key.toLowerCase(), path);
    return qualifiedName(key, path);
  }
  if (!allowed.includes(internal)) return [fieldErrors.notSupported(`${path}.fieldPath`, internal, allowed)];
  return [];
}

/** Upstream's validateContainerResourceFieldSelector; `volume` requires containerName. */
export function validateResourceFieldSelector(fs: JsonObject, path: string, volume: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const resource = str(fs['resource']);
  if (volume && str(fs['containerName']) === '') errs.push(fieldErrors.required(`${path}.containerName`));
  else if (resource === '') errs.push(fieldErrors.required(`${path}.resource`));
  else if (
    !RESOURCE_FIELD_PATHS.includes(resource) &&
    !HUGEPAGES_PREFIXES.some((p) => resource.startsWith(p))
  )
    errs.push(fieldErrors.notSupported(`${path}.resource`, resource, RESOURCE_FIELD_PATHS));
  errs.push(...validateDivisor(resource, fs['divisor'], path));
  return errs;
}

function validateDivisor(resource: string, divisorValue: unknown, path: string): FieldError[] {
  if (divisorValue === undefined || divisorValue === null) return [];
  const divisor = Quantity.tryParse(divisorValue);
  if (!divisor || divisor.isZero()) return [];
  const d = divisor.toString();
  const field = `${path}.divisor`;
  const errs: FieldError[] = [];
  if ((resource === 'limits.cpu' || resource === 'requests.cpu') && !CPU_DIVISORS.has(d))
    errs.push(
      fieldErrors.invalid(
        field,
        resource,
        "only divisor's values 1m and 1 are supported with the cpu resource",
      ),
    );
  if ((resource === 'limits.memory' || resource === 'requests.memory') && !BYTE_DIVISORS.has(d))
    errs.push(
      fieldErrors.invalid(
        field,
        resource,
        `only divisor's values ${BYTE_DIVISOR_LIST} are supported with the memory resource`,
      ),
    );
  if (
    (resource === 'limits.ephemeral-storage' || resource === 'requests.ephemeral-storage') &&
    !BYTE_DIVISORS.has(d)
  )
    errs.push(
      fieldErrors.invalid(
        field,
        resource,
        `only divisor's values ${BYTE_DIVISOR_LIST} are supported with the local ephemeral storage resource`,
      ),
    );
  if (HUGEPAGES_PREFIXES.some((p) => resource.startsWith(p)) && !BYTE_DIVISORS.has(d))
    errs.push(
      fieldErrors.invalid(
        field,
        resource,
        `only divisor's values ${BYTE_DIVISOR_LIST} are supported with the hugepages resource`,
      ),
    );
  return errs;
}
