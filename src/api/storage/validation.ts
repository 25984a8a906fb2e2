/**
 * StorageClass validation (upstream ValidateStorageClass / ValidateStorageClassUpdate).
 */
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { fieldErrors, type FieldError } from '../errors.js';
import type { KubeObject } from '../meta.js';
import { semanticEqual } from '../validation/equality.js';
import { check, immutable, type Loose } from '../validation/fieldchecks.js';

type SC = Loose<StorageClass>;

const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_SIZE = 256 * 1024;
const RECLAIM_POLICIES = ['Delete', 'Retain'] as const;
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'] as const;

function validateParameters(params: Record<string, string> | undefined): FieldError[] {
  const entries = Object.entries(params ?? {});
  if (entries.length > MAX_PARAMETERS) return [fieldErrors.tooLong('parameters', '', MAX_PARAMETERS)];
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of entries) {
    if (k.length < 1) errs.push(fieldErrors.invalid('parameters', k, 'field can not be empty.'));
    size += k.length + String(v).length;
  }
  if (size > MAX_PARAMETERS_SIZE) errs.push(fieldErrors.tooLong('parameters', '', MAX_PARAMETERS_SIZE));
  return errs;
}

/** Map equality where a key with an empty value set still counts (unlike semanticEqual). */
function sameExpressions(a: Record<string, string[]>, b: Record<string, string[]>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return (
    JSON.stringify(ka) === JSON.stringify(kb) &&
    ka.every((k) => JSON.stringify(a[k]) === JSON.stringify(b[k]))
  );
}

function validateAllowedTopologies(sc: SC): FieldError[] {
  const errs: FieldError[] = [];
  const terms = sc.allowedTopologies ?? [];
  // Upstream compares each term with a list that starts with one empty entry per term, so a term
  // without expressions always reports a duplicate.
  const seen: Record<string, string[]>[] = terms.map(() => ({}));
  terms.forEach((term, i) => {
    const p = `allowedTopologies[${i}]`;
    const exprMap: Record<string, string[]> = {};
    (term.matchLabelExpressions ?? []).forEach((req, j) => {
      const rp = `${p}.matchLabelExpressions[${j}]`;
      const values = req.values ?? [];
      if (values.length === 0) errs.push(fieldErrors.required(`${rp}.values`));
      const set = new Set<string>();
      values.forEach((v, k) => {
        if (set.has(v)) errs.push(fieldErrors.duplicate(`${rp}.values[${k}]`, v));
        set.add(v);
      });
      const key = req.key ?? '';
      errs.push(...check.qualifiedName(key, `${rp}.key`));
      if (key in exprMap) errs.push(fieldErrors.duplicate(`${rp}.key`, key));
      exprMap[key] = [...set].sort();
    });
    for (const other of seen) {
      if (sameExpressions(exprMap, other)) errs.push(fieldErrors.duplicate(`${p}.matchLabelExpressions`, ''));
    }
    seen.push(exprMap);
  });
  return errs;
}

/** A StorageClass on create. */
export function validateStorageClass(obj: KubeObject): FieldError[] {
  const sc = obj as SC;
  const errs: FieldError[] = [];
  const provisioner = sc.provisioner ?? '';
  if (provisioner === '') errs.push(fieldErrors.required('provisioner', ''));
  else errs.push(...check.qualifiedName(provisioner.toLowerCase(), 'provisioner'));
  errs.push(...validateParameters(sc.parameters as Record<string, string> | undefined));
  const reclaim = sc.reclaimPolicy ?? '';
  if (reclaim !== '' && !(RECLAIM_POLICIES as readonly string[]).includes(reclaim))
    errs.push(fieldErrors.notSupported('reclaimPolicy', reclaim, RECLAIM_POLICIES));
  const mode = sc.volumeBindingMode;
  if (mode === undefined || mode === null) errs.push(fieldErrors.required('volumeBindingMode'));
  else if (!(BINDING_MODES as readonly string[]).includes(mode))
    errs.push(fieldErrors.notSupported('volumeBindingMode', mode, BINDING_MODES));
  errs.push(...validateAllowedTopologies(sc));
  return errs;
}

/** A StorageClass on update: provisioner, parameters, reclaim policy and binding mode are fixed. */
export function validateStorageClassUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const sc = obj as SC;
  const o = old as SC;
  const errs: FieldError[] = [];
  if (!semanticEqual(o.parameters, sc.parameters))
    errs.push(fieldErrors.forbidden('parameters', 'updates to parameters are forbidden.'));
  if ((sc.provisioner ?? '') !== (o.provisioner ?? ''))
    errs.push(fieldErrors.forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if ((sc.reclaimPolicy ?? '') !== (o.reclaimPolicy ?? ''))
    errs.push(fieldErrors.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  errs.push(...immutable(sc.volumeBindingMode, o.volumeBindingMode, 'volumeBindingMode'));
  return errs;
}
