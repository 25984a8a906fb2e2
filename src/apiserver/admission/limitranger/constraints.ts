/**
 * LimitRange constraints on one request/limit pair (a container's, a pod's total, or a claim's
 * requests), with upstream's messages: "maximum cpu usage per Container is 1, but limit is 2".
 */
import { Quantity } from '../../../api/quantity.js';
import type { ResourceList } from '../../../api/quota/resourcelist.js';

const MAX_MILLI_VALUE = 9223372036854775807n / 1000n;
const ZERO = Quantity.fromInt(0);

/** The three values compared in milli-units when none is too large for that, else in units. */
function compared(req: Quantity, lim: Quantity, enforced: Quantity): [bigint, bigint, bigint] {
  const r = req.value();
  const l = lim.value();
  const e = enforced.value();
  if (r <= MAX_MILLI_VALUE && l <= MAX_MILLI_VALUE && e <= MAX_MILLI_VALUE)
    return [req.milliValue(), lim.milliValue(), enforced.milliValue()];
  return [r, l, e];
}

/** `min`: a request is required and neither it nor a limit may be below the minimum. */
export function minConstraint(
  limitType: string,
  resource: string,
  enforced: Quantity,
  requests: ResourceList,
  limits: ResourceList,
): string | undefined {
  const req = requests.get(resource);
  const lim = limits.get(resource);
  const [r, l, e] = compared(req ?? ZERO, lim ?? ZERO, enforced);
  if (!req)
    return `minimum ${resource} usage per ${limitType} is ${enforced.toString()}.  No request is specified`;
  if (r < e)
    return `minimum ${resource} usage per ${limitType} is ${enforced.toString()}, but request is ${req.toString()}`;
  if (lim && l < e)
    return `minimum ${resource} usage per ${limitType} is ${enforced.toString()}, but limit is ${lim.toString()}`;
  return undefined;
}

/** `max`: a limit is required and neither it nor a request may exceed the maximum. */
export function maxConstraint(
  limitType: string,
  resource: string,
  enforced: Quantity,
  requests: ResourceList,
  limits: ResourceList,
): string | undefined {
  const req = requests.get(resource);
  const lim = limits.get(resource);
  const [r, l, e] = compared(req ?? ZERO, lim ?? ZERO, enforced);
  if (!lim)
    return `maximum ${resource} usage per ${limitType} is ${enforced.toString()}.  No limit is specified`;
  if (l > e)
    return `maximum ${resource} usage per ${limitType} is ${enforced.toString()}, but limit is ${lim.toString()}`;
  if (req && r > e)
    return `maximum ${resource} usage per ${limitType} is ${enforced.toString()}, but request is ${req.toString()}`;
  return undefined;
}

/** `max` on a claim's request (PersistentVolumeClaim limits apply to what was asked for). */
export function maxRequestConstraint(
  limitType: string,
  resource: string,
  enforced: Quantity,
  requests: ResourceList,
): string | undefined {
  const req = requests.get(resource);
  const [r, , e] = compared(req ?? ZERO, ZERO, enforced);
  if (!req)
    return `maximum ${resource} usage per ${limitType} is ${enforced.toString()}.  No request is specified`;
  if (r > e)
    return `maximum ${resource} usage per ${limitType} is ${enforced.toString()}, but request is ${req.toString()}`;
  return undefined;
}

/** `maxLimitRequestRatio`: both must be set and non-zero, and limit/request may not exceed the ratio. */
export function limitRequestRatioConstraint(
  limitType: string,
  resource: string,
  enforced: Quantity,
  requests: ResourceList,
  limits: ResourceList,
): string | undefined {
  const req = requests.get(resource);
  const lim = limits.get(resource);
  const [r, l] = compared(req ?? ZERO, lim ?? ZERO, enforced);
  const e = enforced.toString();
  if (!req || r === 0n)
    return `${resource} max limit to request ratio per ${limitType} is ${e}, but no request is specified or request is 0`;
  if (!lim || l === 0n)
    return `${resource} max limit to request ratio per ${limitType} is ${e}, but no limit is specified or limit is 0`;
  const observed = Number(l) / Number(r);
  let ratio = observed;
  let max = Number(enforced.value());
  if (enforced.value() <= MAX_MILLI_VALUE) {
    ratio = observed * 1000;
    max = Number(enforced.milliValue());
  }
  if (ratio > max)
    return `${resource} max limit to request ratio per ${limitType} is ${e}, but provided ratio is ${observed.toFixed(6)}`;
  return undefined;
}
