/**
 * ControllerRevision validation: data is required and immutable, revision is non-negative.
 */
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import { fieldErrors, type FieldError } from '../../errors.js';
import type { KubeObject } from '../../meta.js';
import { FIELD_IMMUTABLE, nonNegative, type Loose } from '../../validation/fieldchecks.js';
import { semanticEqual } from '../../validation/equality.js';
import { invalidGo } from '../../validation/govalue.js';

type CR = Loose<ControllerRevision>;

/** runtime.RawExtension as Go's %#v prints it: the raw JSON bytes. */
function goRawExtension(data: unknown): string {
  const bytes = Buffer.from(JSON.stringify(data ?? null), 'utf8');
  const hex = [...bytes].map((b) => `0x${b.toString(16)}`).join(', ');
  return `runtime.RawExtension{Raw:[]uint8{${hex}}, Object:runtime.Object(nil)}`;
}

/** A ControllerRevision on create. */
export function validateControllerRevision(obj: KubeObject): FieldError[] {
  const cr = obj as CR;
  const errs: FieldError[] = [];
  if (cr.data === undefined || cr.data === null) errs.push(fieldErrors.required('data', 'data is mandatory'));
  errs.push(...nonNegative(cr.revision, 'revision'));
  return errs;
}

/** A ControllerRevision on update: data may not change. */
export function validateControllerRevisionUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateControllerRevision(obj);
  const data = (obj as CR).data;
  if (!semanticEqual(data, (old as CR).data))
    errs.push(invalidGo('data', goRawExtension(data), FIELD_IMMUTABLE));
  return errs;
}
