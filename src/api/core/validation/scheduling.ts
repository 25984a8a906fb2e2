/**
 * Scheduling constraints: node selector terms, node and pod (anti-)affinity, tolerations, taints and
 * topology spread constraints.
 */
import { fieldErrors, type FieldError } from '../../errors.js';
import { isValidLabelValue } from '../../validation/names.js';
import { isSet, num, rec, records, str, stringMap, strings, type JsonObject } from '../util.js';
import {
  NOT_POSITIVE,
  dns1123Label,
  dns1123Subdomain,
  duplicateGo,
  labelSelector,
  qualifiedName,
} from './common.js';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function validateNodeSelectorRequirement(
  rq: JsonObject,
  allowInvalidValues: boolean,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const op = str(rq['operator']);
  const values = strings(rq['values']);
  switch (op) {
    case 'In':
    case 'NotIn':
      if (values.length === 0)
        errs.push(
          fieldErrors.required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"),
        );
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0)
        errs.push(
          fieldErrors.forbidden(
            `${path}.values`,
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          ),
        );
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1)
        errs.push(
          fieldErrors.required(
            `${path}.values`,
            "must be specified single value when `operator` is 'Lt' or 'Gt'",
          ),
        );
      break;
    default:
      errs.push(fieldErrors.invalid(`${path}.operator`, op, 'not a valid selector operator'));
  }
  errs.push(...qualifiedName(str(rq['key']), `${path}.key`));
  if (!allowInvalidValues)
    values.forEach((v, i) => {
      for (const m of isValidLabelValue(v)) errs.push(fieldErrors.invalid(`${path}.values[${i}]`, v, m));
    });
  return errs;
}

function validateNodeFieldSelectorRequirement(rq: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const op = str(rq['operator']);
  const values = strings(rq['values']);
  if (op === 'In' || op === 'NotIn') {
    if (values.length !== 1)
      errs.push(
        fieldErrors.required(
          `${path}.values`,
          "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
        ),
      );
  } else {
    errs.push(fieldErrors.invalid(`${path}.operator`, op, 'not a valid selector operator'));
  }
  const key = str(rq['key']);
  if (key !== 'metadata.name')
    errs.push(fieldErrors.invalid(`${path}.key`, key, 'not a valid field selector key'));
  else values.forEach((v, i) => errs.push(...dns1123Subdomain(v, `${path}.values[${i}]`)));
  return errs;
}

/** One node selector term: matchExpressions and matchFields. */
export function validateNodeSelectorTerm(
  term: JsonObject,
  allowInvalidValues: boolean,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  for (const [rq, j] of records(term['matchExpressions']))
    errs.push(...validateNodeSelectorRequirement(rq, allowInvalidValues, `${path}.matchExpressions[${j}]`));
  for (const [rq, j] of records(term['matchFields']))
    errs.push(...validateNodeFieldSelectorRequirement(rq, `${path}.matchFields[${j}]`));
  return errs;
}

/** A NodeSelector: at least one term. */
export function validateNodeSelector(
  sel: JsonObject,
  allowInvalidValues: boolean,
  path: string,
): FieldError[] {
  const terms = records(sel['nodeSelectorTerms']);
  const termPath = `${path}.nodeSelectorTerms`;
  if (terms.length === 0)
    return [fieldErrors.required(termPath, 'must have at least one node selector term')];
  return terms.flatMap(([t, i]) => validateNodeSelectorTerm(t, allowInvalidValues, `${termPath}[${i}]`));
}

function weight(value: unknown, path: string): FieldError[] {
  const w = num(value) ?? 0;
  return w <= 0 || w > 100 ? [fieldErrors.invalid(path, w, 'must be in the range 1-100')] : [];
}

function validateNodeAffinity(na: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const req = rec(na['requiredDuringSchedulingIgnoredDuringExecution']);
  if (req)
    errs.push(...validateNodeSelector(req, false, `${path}.requiredDuringSchedulingIgnoredDuringExecution`));
  for (const [t, i] of records(na['preferredDuringSchedulingIgnoredDuringExecution'])) {
    const p = `${path}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    errs.push(...weight(t['weight'], `${p}.weight`));
    errs.push(...validateNodeSelectorTerm(rec(t['preference']) ?? {}, true, `${p}.preference`));
  }
  return errs;
}

function selectorKeys(sel: JsonObject | undefined): { labels: Set<string>; exprs: string[] } {
  return {
    labels: new Set(Object.keys(stringMap(sel?.['matchLabels']))),
    exprs: records(sel?.['matchExpressions']).map(([e]) => str(e['key'])),
  };
}

function validatePodAffinityTerm(term: JsonObject, path: string): FieldError[] {
  const errs = labelSelector(term['labelSelector'], `${path}.labelSelector`);
  errs.push(...labelSelector(term['namespaceSelector'], `${path}.namespaceSelector`));
  for (const ns of strings(term['namespaces'])) errs.push(...dns1123Label(ns, `${path}.namespace`));
  const sel = rec(term['labelSelector']);
  const matchKeys = strings(term['matchLabelKeys']);
  const mismatchKeys = strings(term['mismatchLabelKeys']);
  for (const [keys, name] of [
    [matchKeys, 'matchLabelKeys'],
    [mismatchKeys, 'mismatchLabelKeys'],
  ] as const) {
    if (keys.length === 0) continue;
    if (!sel)
      errs.push(
        fieldErrors.forbidden(`${path}.${name}`, 'must not be specified when labelSelector is not set'),
      );
    else keys.forEach((k, i) => errs.push(...qualifiedName(k, `${path}.${name}[${i}]`)));
  }
  if (sel) {
    const { labels, exprs } = selectorKeys(sel);
    for (const key of exprs) {
      const i = matchKeys.lastIndexOf(key);
      if (i >= 0 && labels.has(key))
        errs.push(
          fieldErrors.invalid(`${path}[${i}]`, key, 'exists in both matchLabelKeys and labelSelector'),
        );
      labels.add(key);
    }
  }
  matchKeys.forEach((k, i) => {
    if (mismatchKeys.includes(k))
      errs.push(
        fieldErrors.invalid(
          `${path}.matchLabelKeys[${i}]`,
          k,
          'exists in both matchLabelKeys and mismatchLabelKeys',
        ),
      );
  });
  const topologyKey = str(term['topologyKey']);
  if (topologyKey === '') errs.push(fieldErrors.required(`${path}.topologyKey`, 'can not be empty'));
  errs.push(...qualifiedName(topologyKey, `${path}.topologyKey`));
  return errs;
}

function validatePodAffinity(pa: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [t, i] of records(pa['requiredDuringSchedulingIgnoredDuringExecution']))
    errs.push(...validatePodAffinityTerm(t, `${path}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`));
  for (const [t, i] of records(pa['preferredDuringSchedulingIgnoredDuringExecution'])) {
    const p = `${path}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    errs.push(...weight(t['weight'], `${p}.weight`));
    errs.push(...validatePodAffinityTerm(rec(t['podAffinityTerm']) ?? {}, `${p}.podAffinityTerm`));
  }
  return errs;
}

/** spec.affinity. */
export function validateAffinity(value: unknown, path: string): FieldError[] {
  const a = rec(value);
  if (!a) return [];
  const errs: FieldError[] = [];
  const na = rec(a['nodeAffinity']);
  if (na) errs.push(...validateNodeAffinity(na, `${path}.nodeAffinity`));
  const pa = rec(a['podAffinity']);
  if (pa) errs.push(...validatePodAffinity(pa, `${path}.podAffinity`));
  const paa = rec(a['podAntiAffinity']);
  if (paa) errs.push(...validatePodAffinity(paa, `${path}.podAntiAffinity`));
  return errs;
}

/** spec.tolerations. */
export function validateTolerations(value: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [t, i] of records(value)) {
    const p = `${path}[${i}]`;
    const key = str(t['key']);
    const op = str(t['operator']);
    const effect = str(t['effect']);
    const val = str(t['value']);
    if (key !== '') errs.push(...qualifiedName(key, `${p}.key`));
    if (key === '' && op !== 'Exists')
      errs.push(
        fieldErrors.invalid(
          `${p}.operator`,
          op,
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    if (isSet(t['tolerationSeconds']) && effect !== 'NoExecute')
      errs.push(
        fieldErrors.invalid(
          `${p}.effect`,
          effect,
          "effect must be 'NoExecute' when `tolerationSeconds` is set",
        ),
      );
    switch (op) {
      case 'Equal':
      case '': {
        const msgs = isValidLabelValue(val);
        if (msgs.length) errs.push(fieldErrors.invalid(`${p}.operator`, val, msgs.join(';')));
        break;
      }
      case 'Exists':
        if (val !== '')
          errs.push(
            fieldErrors.invalid(`${p}.operator`, val, "value must be empty when `operator` is 'Exists'"),
          );
        break;
      default:
        errs.push(fieldErrors.notSupported(`${p}.operator`, op, ['Equal', 'Exists']));
    }
    if (effect !== '' && !TAINT_EFFECTS.includes(effect))
      errs.push(fieldErrors.notSupported(`${p}.effect`, effect, TAINT_EFFECTS));
  }
  return errs;
}

/** Node taints: key, value, effect, unique by (key, effect). */
export function validateTaints(value: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  for (const [t, i] of records(value)) {
    const p = `${path}[${i}]`;
    const key = str(t['key']);
    const val = str(t['value']);
    const effect = str(t['effect']);
    errs.push(...qualifiedName(key, `${p}.key`));
    const msgs = isValidLabelValue(val);
    if (msgs.length) errs.push(fieldErrors.invalid(`${p}.value`, val, msgs.join(';')));
    if (effect === '') errs.push(fieldErrors.required(`${p}.effect`));
    else if (!TAINT_EFFECTS.includes(effect))
      errs.push(fieldErrors.notSupported(`${p}.effect`, effect, TAINT_EFFECTS));
    const id = `${effect}\u0000${key}`;
    if (seen.has(id)) {
      const added = isSet(t['timeAdded'])
        ? `&v1.Time{Time:${JSON.stringify(t['timeAdded'])}}`
        : '(*v1.Time)(nil)';
      errs.push(
        duplicateGo(
          p,
          `core.Taint{Key:${JSON.stringify(key)}, Value:${JSON.stringify(val)}, Effect:${JSON.stringify(effect)}, TimeAdded:${added}}`,
          'taints must be unique by key and effect pair',
        ),
      );
      continue;
    }
    seen.add(id);
  }
  return errs;
}

/** spec.topologySpreadConstraints. */
export function validateTopologySpreadConstraints(value: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = records(value);
  list.forEach(([c, i], pos) => {
    const p = `${path}[${i}]`;
    const maxSkew = num(c['maxSkew']) ?? 0;
    if (maxSkew <= 0) errs.push(fieldErrors.invalid(`${p}.maxSkew`, maxSkew, NOT_POSITIVE));
    const key = str(c['topologyKey']);
    if (key === '') errs.push(fieldErrors.required(`${p}.topologyKey`, 'can not be empty'));
    const action = str(c['whenUnsatisfiable']);
    if (action !== 'DoNotSchedule' && action !== 'ScheduleAnyway')
      errs.push(
        fieldErrors.notSupported(`${p}.whenUnsatisfiable`, action, ['DoNotSchedule', 'ScheduleAnyway']),
      );
    if (
      list
        .slice(pos + 1)
        .some(([o]) => str(o['topologyKey']) === key && str(o['whenUnsatisfiable']) === action)
    )
      errs.push(fieldErrors.duplicate(`${p}.{topologyKey, whenUnsatisfiable}`, `{${key}, ${action}}`));
    const minDomains = num(c['minDomains']);
    if (minDomains !== undefined) {
      if (minDomains <= 0) errs.push(fieldErrors.invalid(`${p}.minDomains`, minDomains, NOT_POSITIVE));
      if (action !== 'DoNotSchedule')
        errs.push(
          fieldErrors.invalid(
            `${p}.minDomains`,
            minDomains,
            `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${action}`,
          ),
        );
    }
    for (const k of ['nodeAffinityPolicy', 'nodeTaintsPolicy']) {
      const v = c[k];
      if (typeof v === 'string' && v !== 'Honor' && v !== 'Ignore')
        errs.push(fieldErrors.notSupported(`${p}.${k}`, v, ['Honor', 'Ignore']));
    }
    const keys = strings(c['matchLabelKeys']);
    if (keys.length) {
      const sel = rec(c['labelSelector']);
      if (!sel)
        errs.push(
          fieldErrors.forbidden(`${p}.matchLabelKeys`, 'must not be specified when labelSelector is not set'),
        );
      const { labels, exprs } = selectorKeys(sel);
      const selKeys = new Set([...labels, ...exprs]);
      keys.forEach((k, j) => {
        errs.push(...qualifiedName(k, `${p}.matchLabelKeys[${j}]`));
        if (selKeys.has(k))
          errs.push(
            fieldErrors.invalid(
              `${p}.matchLabelKeys[${j}]`,
              k,
              'exists in both matchLabelKeys and labelSelector',
            ),
          );
      });
    }
    errs.push(...labelSelector(c['labelSelector'], `${p}.labelSelector`));
  });
  return errs;
}
