/**
 * Rendering of bad values the way upstream's field errors print them. A Go field error prints strings
 * quoted and numbers plain, but maps, lists and structs with Go's `%#v` syntax
 * (`map[string]string{"app":"x"}`, `v1.LabelSelector{…}`). Users recognise those texts, so the
 * error constructors here carry the rendered value in the message while keeping `badValue` out of
 * the generic formatter.
 */
import type { LabelSelector, LabelSelectorRequirement } from 'kubernetes-types/meta/v1.js';
import { OMIT_VALUE, type FieldError } from '../errors.js';

/** Go's `%q` for a string (JSON quoting agrees with it for the characters that matter here). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** `map[string]string{"a":"b", "c":"d"}` with keys sorted as Go prints them; nil renders as `map[string]string(nil)`. */
export function goStringMap(m: Record<string, string> | undefined | null): string {
  if (m === undefined || m === null) return 'map[string]string(nil)';
  const keys = Object.keys(m).sort();
  return `map[string]string{${keys.map((k) => `${goQuote(k)}:${goQuote(String(m[k]))}`).join(', ')}}`;
}

/** `[]string{"a", "b"}`; nil renders as `[]string(nil)`. */
export function goStringSlice(a: readonly string[] | undefined | null): string {
  if (a === undefined || a === null) return '[]string(nil)';
  return `[]string{${a.map(goQuote).join(', ')}}`;
}

/** `[]int32{1, 2}`; nil renders as `[]int32(nil)`. */
export function goInt32Slice(a: readonly number[] | undefined | null): string {
  if (a === undefined || a === null) return '[]int32(nil)';
  return `[]int32{${a.join(', ')}}`;
}

function goRequirement(r: LabelSelectorRequirement): string {
  return `v1.LabelSelectorRequirement{Key:${goQuote(r.key ?? '')}, Operator:${goQuote(r.operator ?? '')}, Values:${goStringSlice(r.values)}}`;
}

/** A metav1.LabelSelector as `%#v` prints it (the value, not the pointer). */
export function goLabelSelector(sel: LabelSelector | undefined | null): string {
  if (sel === undefined || sel === null) return 'null';
  const exprs =
    sel.matchExpressions === undefined || sel.matchExpressions === null
      ? '[]v1.LabelSelectorRequirement(nil)'
      : `[]v1.LabelSelectorRequirement{${sel.matchExpressions.map(goRequirement).join(', ')}}`;
  return `v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${exprs}}`;
}

/** An intstr.IntOrString as `%#v` prints it: `intstr.IntOrString{Type:1, IntVal:0, StrVal:"25%"}`. */
export function goIntOrString(v: number | string | undefined | null): string {
  if (typeof v === 'string') return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}`;
  return `intstr.IntOrString{Type:0, IntVal:${typeof v === 'number' ? v : 0}, StrVal:""}`;
}

/** A nil pointer of a Go type: `(*apps.RollingUpdateDeployment)(nil)`. */
export function goNilPointer(type: string): string {
  return `(*${type})(nil)`;
}

/** A non-nil pointer field: upstream prints an address, which we cannot reproduce. */
export function goPointer(type: string): string {
  return `(*${type})(0xc000000000)`;
}

/** `Invalid value: <go text>: detail`. */
export function invalidGo(field: string, goText: string, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, badValue: OMIT_VALUE, detail: `${goText}: ${detail}` };
}

/** `Unsupported value: <go text>: supported values: "a", "b"`. */
export function notSupportedGo(field: string, goText: string, supported: readonly string[]): FieldError {
  const list = supported.map((v) => JSON.stringify(v)).join(', ');
  return {
    type: 'FieldValueNotSupported',
    field,
    badValue: OMIT_VALUE,
    detail: supported.length ? `${goText}: supported values: ${list}` : goText,
  };
}

/** `Duplicate value: <go text>`. */
export function duplicateGo(field: string, goText: string): FieldError {
  return { type: 'FieldValueDuplicate', field, badValue: OMIT_VALUE, detail: goText };
}
