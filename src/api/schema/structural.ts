/**
 * Structural checks of a decoded object against its kind's schema, in one walk: fields the schema
 * does not know (for `fieldValidation`: Strict rejects them, Warn warns and drops them, Ignore drops
 * them) and values of the wrong type (which upstream's decoder always rejects).
 *
 * Wording follows upstream. Unknown fields are named by path, as `unknown field "spec.foo"`, and are
 * joined by {@link strictDecodingMessage} into `strict decoding error: unknown field "spec.foo", ...`.
 * Type errors read like Go's decoder: `json: cannot unmarshal string into Go struct field
 * PodSpec.spec.containers of type []v1.Container`. Upstream reports only the first type error; the
 * list here is in document order, so callers wanting upstream's answer take the first.
 */
import type { DefinitionRegistry } from './registry.js';
import type { Resolved } from './resolve.js';
import {
  goTypeName,
  goTypeNameOfDefinition,
  resolveDefinition,
  resolveSchema,
  shortName,
} from './resolve.js';
import { checkBase64, checkQuantity, checkTime } from './scalars.js';
import type { Definition, Schema } from './types.js';

export { findDuplicateFields } from './duplicates.js';

/** A value of the wrong type. */
export interface StructuralTypeError {
  /** Where, in the same form as unknown fields: `spec.containers[0].image`. */
  path: string;
  /** What upstream's decoder says, e.g. `json: cannot unmarshal number into Go struct field ...`. */
  message: string;
}

/** What {@link checkStructure} found. */
export interface StructuralReport {
  /** Paths of unknown fields, in document order: `spec.containers[0].imagee`, `metadata.labelss`. */
  unknownFields: string[];
  /** Values of the wrong type, in document order. */
  typeErrors: StructuralTypeError[];
}

/** What {@link checkStructure} does; by default it reports unknown fields and type errors. */
export interface StructuralOptions {
  /** Report unknown fields (default true). */
  reportUnknown?: boolean;
  /** Delete unknown fields from the object while walking it (default false). */
  dropUnknown?: boolean;
  /** Check value types (default true). */
  checkTypes?: boolean;
}

/** `unknown field "spec.foo"`. */
export function unknownFieldMessage(path: string): string {
  return `unknown field ${JSON.stringify(path)}`;
}

/** `duplicate field "spec.replicas"`. */
export function duplicateFieldMessage(path: string): string {
  return `duplicate field ${JSON.stringify(path)}`;
}

/** `strict decoding error: unknown field "spec.foo", duplicate field "spec.replicas"`. */
export function strictDecodingMessage(messages: readonly string[]): string {
  return `strict decoding error: ${messages.join(', ')}`;
}

const ROOT_ALWAYS_KNOWN = new Set(['apiVersion', 'kind', 'metadata']);
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/**
 * Walks `obj` (an object of the kind `def` describes) and reports unknown fields and type errors.
 * With `dropUnknown` the unknown fields are also deleted from `obj`. `apiVersion`, `kind` and
 * `metadata` are known at the root even when `def` does not list them; nothing under an `any` value
 * (RawExtension, FieldsV1, JSON) is unknown.
 *
 * Per `fieldValidation` (type errors always fail the request):
 * - Strict: `checkStructure(obj, def, registry)`; unknown fields (and duplicates) fail the request.
 * - Warn: `{ dropUnknown: true }`; each unknown field becomes a warning and is gone from `obj`.
 * - Ignore: `{ dropUnknown: true, reportUnknown: false }`.
 */
export function checkStructure(
  obj: unknown,
  def: Definition,
  registry: DefinitionRegistry,
  opts: StructuralOptions = {},
): StructuralReport {
  const w = new Walker(registry, opts);
  w.root(obj, def);
  return { unknownFields: w.unknownFields, typeErrors: w.typeErrors };
}

/**
 * Deletes the fields of `obj` that its kind's schema does not know (what upstream's decoder drops
 * silently); returns their paths. Types are not checked.
 */
export function dropUnknownFields(obj: unknown, def: Definition, registry: DefinitionRegistry): string[] {
  return checkStructure(obj, def, registry, { dropUnknown: true, checkTypes: false }).unknownFields;
}

const enum Seg {
  Field,
  Index,
  Key,
}

class Walker {
  readonly unknownFields: string[] = [];
  readonly typeErrors: StructuralTypeError[] = [];
  private readonly report: boolean;
  private readonly drop: boolean;
  private readonly types: boolean;
  /** The path to the current value: names and indexes, built into strings only on error. */
  private readonly segs: (string | number)[] = [];
  private readonly kinds: Seg[] = [];
  /** The innermost object type whose field is being decoded, as Go names it in errors. */
  private structName: string | undefined;
  private rootType = '';

  constructor(
    private readonly registry: DefinitionRegistry,
    opts: StructuralOptions,
  ) {
    this.report = opts.reportUnknown ?? true;
    this.drop = opts.dropUnknown ?? false;
    this.types = opts.checkTypes ?? true;
  }

  root(obj: unknown, def: Definition): void {
    const r = resolveDefinition(def);
    this.rootType = goTypeNameOfDefinition(def.name);
    if (r.kind !== 'object') {
      this.value(obj, r, { kind: 'ref', name: def.name });
      return;
    }
    if (!isPlainObject(obj)) {
      if (obj !== null) this.typeError(obj, this.rootType);
      return;
    }
    this.object(obj, r.def, r.properties, true);
  }

  private object(
    obj: Record<string, unknown>,
    def: Definition,
    props: Definition['properties'],
    root: boolean,
  ): void {
    const outer = this.structName;
    const name = shortName(def.name);
    for (const key of Object.keys(obj)) {
      const prop =
        props !== undefined && Object.prototype.hasOwnProperty.call(props, key) ? props[key] : undefined;
      let schema: Schema | undefined = prop?.schema;
      if (schema === undefined && root && ROOT_ALWAYS_KNOWN.has(key)) {
        schema = key === 'metadata' ? { kind: 'ref', name: OBJECT_META } : { kind: 'string' };
      }
      this.segs.push(key);
      this.kinds.push(Seg.Field);
      if (schema === undefined) {
        if (this.report) this.unknownFields.push(this.path());
        if (this.drop) delete obj[key];
      } else {
        this.structName = name;
        this.value(obj[key], resolveSchema(schema, this.registry), schema);
      }
      this.segs.pop();
      this.kinds.pop();
    }
    this.structName = outer;
  }

  private value(v: unknown, r: Resolved, schema: Schema): void {
    if (v === null) return;
    switch (r.kind) {
      case 'any':
        return;
      case 'object':
        if (isPlainObject(v)) this.object(v, r.def, r.properties, false);
        else this.typeError(v, goTypeName(schema, this.registry));
        return;
      case 'array':
        if (!Array.isArray(v)) {
          this.typeError(v, goTypeName(schema, this.registry));
          return;
        }
        if (v.length === 0) return;
        {
          const items = resolveSchema(r.items, this.registry);
          if (items.kind === 'any') return;
          for (let i = 0; i < v.length; i++) {
            this.segs.push(i);
            this.kinds.push(Seg.Index);
            this.value(v[i], items, r.items);
            this.segs.pop();
            this.kinds.pop();
          }
        }
        return;
      case 'map':
        if (!isPlainObject(v)) {
          this.typeError(v, goTypeName(schema, this.registry));
          return;
        }
        {
          const values = resolveSchema(r.values, this.registry);
          if (values.kind === 'any') return;
          for (const key of Object.keys(v)) {
            this.segs.push(key);
            this.kinds.push(Seg.Key);
            this.value(v[key], values, r.values);
            this.segs.pop();
            this.kinds.pop();
          }
        }
        return;
      default:
        if (this.types) this.scalar(v, r);
    }
  }

  private scalar(v: unknown, r: Resolved): void {
    switch (r.kind) {
      case 'string':
        if (typeof v !== 'string') this.typeError(v, r.format === 'byte' ? '[]uint8' : 'string');
        else if (r.format === 'byte') this.plainError(checkBase64(v));
        return;
      case 'integer':
        if (typeof v !== 'number') this.typeError(v, r.format);
        else if (!fitsInteger(v, r.format)) this.typeError(v, r.format, `number ${String(v)}`);
        return;
      case 'number':
        if (typeof v !== 'number') this.typeError(v, 'float64');
        return;
      case 'boolean':
        if (typeof v !== 'boolean') this.typeError(v, 'bool');
        return;
      case 'scalar':
        switch (r.scalar) {
          case 'quantity':
            this.plainError(checkQuantity(v));
            return;
          case 'int-or-string':
            if (typeof v === 'string') return;
            if (typeof v !== 'number') this.typeError(v, 'int32');
            else if (!fitsInteger(v, 'int32')) this.typeError(v, 'int32', `number ${String(v)}`);
            return;
          case 'date-time':
          case 'micro-time':
            if (typeof v !== 'string') this.typeError(v, 'string');
            else this.plainError(checkTime(v, r.scalar === 'micro-time'));
            return;
          default:
            return;
        }
      default:
        return;
    }
  }

  /** The path as upstream names fields: `spec.containers[0].image`, map keys like fields. */
  private path(): string {
    let s = '';
    for (let i = 0; i < this.segs.length; i++) {
      const seg = this.segs[i];
      if (this.kinds[i] === Seg.Index) s += `[${String(seg)}]`;
      else s += s === '' ? String(seg) : `.${String(seg)}`;
    }
    return s;
  }

  /** Go's decoder field path: field names only, no indexes or map keys. */
  private goField(): string {
    const names: string[] = [];
    for (let i = 0; i < this.segs.length; i++)
      if (this.kinds[i] === Seg.Field) names.push(String(this.segs[i]));
    return names.join('.');
  }

  private typeError(v: unknown, goType: string, what?: string): void {
    if (!this.types) return;
    const desc = what ?? jsonKind(v);
    const field = this.goField();
    const message =
      field === '' || this.structName === undefined
        ? `json: cannot unmarshal ${desc} into Go value of type ${goType}`
        : `json: cannot unmarshal ${desc} into Go struct field ${this.structName}.${field} of type ${goType}`;
    this.typeErrors.push({ path: this.path(), message });
  }

  private plainError(message: string | undefined): void {
    if (message !== undefined) this.typeErrors.push({ path: this.path(), message });
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_LIMIT = 2 ** 63;

function fitsInteger(v: number, format: 'int32' | 'int64'): boolean {
  if (!Number.isInteger(v)) return false;
  return format === 'int32' ? v >= INT32_MIN && v <= INT32_MAX : v >= -INT64_LIMIT && v < INT64_LIMIT;
}
