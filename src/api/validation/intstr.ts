/**
 * IntOrString fields given as a count or a percentage (maxSurge, maxUnavailable, minAvailable), with
 * upstream's checks and wording.
 */
import { fieldErrors, type FieldError } from '../errors.js';
import { goIntOrString, invalidGo } from './govalue.js';
import { regexError } from './regex.js';

/** An IntOrString on the wire: 3 or "25%". */
export type IntOrString = number | string;

const PERCENT_FMT = '[0-9]+%';
const percentRe = /^[0-9]+%$/;

/** Upstream's IsValidPercent messages. */
export function isValidPercent(value: string): string[] {
  if (percentRe.test(value)) return [];
  return [
    regexError(
      "a valid percent string must be a numeric string followed by an ending '%'",
      PERCENT_FMT,
      '1%',
      '93%',
    ),
  ];
}

/** The percentage of a valid percent string, or undefined. */
function percentValue(v: IntOrString | undefined): number | undefined {
  if (typeof v !== 'string' || !percentRe.test(v)) return undefined;
  return Number.parseInt(v.slice(0, -1), 10);
}

/**
 * The number a value stands for: the percentage for "25%", the integer for 3, and for other strings
 * what Go's IntValue gives (the parsed integer, else 0).
 */
export function intOrPercentValue(v: IntOrString | undefined): number {
  const p = percentValue(v);
  if (p !== undefined) return p;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v)) return Number.parseInt(v, 10);
  return 0;
}

/** Upstream's ValidatePositiveIntOrPercent: a non-negative count or a valid percentage. */
export function validatePositiveIntOrPercent(v: IntOrString | undefined, field: string): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalidGo(field, goIntOrString(v), m));
  if (typeof v === 'number') {
    return v < 0 ? [fieldErrors.invalid(field, v, 'must be greater than or equal to 0')] : [];
  }
  if (v === undefined) return [];
  return [invalidGo(field, goIntOrString(0), "must be an integer or percentage (e.g '5%%')")];
}

/** Upstream's IsNotMoreThan100Percent. */
export function isNotMoreThan100Percent(v: IntOrString | undefined, field: string): FieldError[] {
  const p = percentValue(v);
  if (p === undefined || p <= 100) return [];
  return [invalidGo(field, goIntOrString(v), 'must not be greater than 100%')];
}

/**
 * Scales an IntOrString against a total as upstream's GetScaledValueFromIntOrPercent does: counts
 * as they are, percentages rounded up or down.
 */
export function scaledValue(v: IntOrString | undefined, total: number, roundUp: boolean): number {
  const p = percentValue(v);
  if (p === undefined) return intOrPercentValue(v);
  const raw = (p * total) / 100;
  return roundUp ? Math.ceil(raw) : Math.floor(raw);
}
