/**
 * metav1.LabelSelector semantics: conversion to a selector (which can fail) and matching against a
 * label set, as upstream's LabelSelectorAsSelector and labels.Selector do.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { isQualifiedName, isValidLabelValue } from './names.js';

/** A label selector ready for matching: `nothing` matches no object, an empty requirement list matches all. */
export type CompiledSelector =
  | { kind: 'nothing' }
  | { kind: 'requirements'; match: (labels: Record<string, string>) => boolean; empty: boolean };

/**
 * Converts a LabelSelector as upstream's LabelSelectorAsSelector does: a missing selector selects
 * nothing, `{}` selects everything, and a malformed one is an error (returned as a message).
 */
export function compileLabelSelector(sel: LabelSelector | undefined | null): CompiledSelector | string {
  if (sel === undefined || sel === null) return { kind: 'nothing' };
  const checks: ((labels: Record<string, string>) => boolean)[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    const err = requirementError(k, [String(v)]);
    if (err) return err;
    checks.push((l) => l[k] === v);
  }
  for (const r of sel.matchExpressions ?? []) {
    const values = r.values ?? [];
    switch (r.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) return "for 'in', 'notin' operators, values set can't be empty";
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) return 'values set must be empty for exists and does not exist';
        break;
      default:
        return `${JSON.stringify(r.operator)} is not a valid label selector operator`;
    }
    const err = requirementError(r.key, values);
    if (err) return err;
    const key = r.key;
    const set = new Set(values);
    switch (r.operator) {
      case 'In':
        checks.push((l) => key in l && set.has(l[key] ?? ''));
        break;
      case 'NotIn':
        checks.push((l) => !(key in l) || !set.has(l[key] ?? ''));
        break;
      case 'Exists':
        checks.push((l) => key in l);
        break;
      default:
        checks.push((l) => !(key in l));
    }
  }
  return {
    kind: 'requirements',
    empty: checks.length === 0,
    match: (labels: Record<string, string>) => checks.every((c) => c(labels)),
  };
}

function requirementError(key: string, values: readonly string[]): string | undefined {
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length) return `key: Invalid value: ${JSON.stringify(key)}: ${keyErrs.join('; ')}`;
  for (const v of values) {
    const valErrs = isValidLabelValue(v);
    if (valErrs.length)
      return `values[0][${key}]: Invalid value: ${JSON.stringify(v)}: ${valErrs.join('; ')}`;
  }
  return undefined;
}

/** Whether a compiled selector matches a label set. */
export function selectorMatches(sel: CompiledSelector, labels: Record<string, string> | undefined): boolean {
  if (sel.kind === 'nothing') return false;
  return sel.match(labels ?? {});
}

/** Upstream's Selector.Empty(): true only for a selector with no requirements (not for "nothing"). */
export function selectorIsEmpty(sel: CompiledSelector): boolean {
  return sel.kind === 'requirements' && sel.empty;
}
