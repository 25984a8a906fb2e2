/**
 * The shape of the protobuf field-number tables. Each table maps an OpenAPI definition name (as in
 * src/api/types) to its properties, keyed by JSON name, each with the field number the Kubernetes
 * protobuf encoding gives it. The numbers are facts of the wire format; the property types come from
 * the definitions, so the tables only add what the definitions cannot know.
 *
 * Zero-value handling follows what upstream's JSON encoding of the decoded Go object would print:
 * - a bare number is an `omitempty` field of a non-pointer type: a zero value (`""`, `0`, `false`, an
 *   empty list or map) is left out;
 * - {@link keep} is a pointer field or a field without `omitempty`: a value present on the wire is kept
 *   even when it is zero (`replicas: 0`, `ready: false`);
 * - {@link always} is a field without `omitempty` that JSON prints as `null` when it is unset (slices,
 *   maps and pointers without `omitempty`), so an absent field decodes to `null`.
 * Message-typed fields are kept whenever they are on the wire, as Go prints non-pointer structs.
 */

/** A field kept even when zero. */
export interface KeptField {
  readonly no: number;
  readonly zero: 'keep' | 'null';
}

/** A Go struct embedded with `json:",inline"`: its own message on the wire, flattened in JSON. */
export interface InlineField {
  readonly no: number;
  /** The name of the table entry that lists the inlined struct's properties. */
  readonly inline: string;
}

/** The `apiVersion`/`kind` of an embedded TypeMeta: not on the wire (the envelope carries them). */
export interface TypeMetaField {
  readonly typeMeta: true;
}

/** One property's wire facts. */
export type FieldSpec = number | KeptField | InlineField | TypeMetaField;

/** Definition name → JSON property (or inline struct) → field spec. */
export type FieldTable = Readonly<Record<string, Readonly<Record<string, FieldSpec>>>>;

/** A pointer field, or one without `omitempty`: zero values on the wire are kept. */
export const keep = (no: number): KeptField => ({ no, zero: 'keep' });

/** A field without `omitempty` that JSON prints as `null` when unset. */
export const always = (no: number): KeptField => ({ no, zero: 'null' });

/** An inlined struct carried as field `no`, whose properties are listed under `table`. */
export const inline = (no: number, table: string): InlineField => ({ no, inline: table });

/** `apiVersion` and `kind` of a type whose TypeMeta is not part of its protobuf message. */
export const TYPE_META: TypeMetaField = { typeMeta: true };
