/**
 * Decoding Kubernetes protobuf bodies (`application/vnd.kubernetes.protobuf`) into the JSON object the
 * same request would carry as JSON. One pass over the bytes, driven by the schema definitions and the
 * field-number tables; the only allocations are the JSON values themselves.
 */
import type { GroupVersionKind } from '../meta.js';
import type { DefinitionRegistry } from '../schema/registry.js';
import { isKubernetesProtobuf, readEnvelope } from './envelope.js';
import { protobufFields, type FieldTable } from './fields/index.js';
import { PlanCache, type FieldPlan, type MessagePlan, type ValuePlan } from './plan.js';
import { FIXED64, LEN, ProtobufDecodeError, Reader, utf8, VARINT } from './wire.js';

type JsonObject = Record<string, unknown>;

/** What {@link decodeProtobufObject} returns. */
export interface DecodedObject {
  apiVersion: string;
  kind: string;
  /** The object as its JSON form would give it, `apiVersion` and `kind` included. */
  object: JsonObject;
}

const caches = new WeakMap<DefinitionRegistry, WeakMap<FieldTable, PlanCache>>();

function planCache(registry: DefinitionRegistry, table: FieldTable): PlanCache {
  let byTable = caches.get(registry);
  if (!byTable) caches.set(registry, (byTable = new WeakMap()));
  let cache = byTable.get(table);
  if (!cache) byTable.set(table, (cache = new PlanCache(registry, table)));
  return cache;
}

/** Splits `apps/v1` into group and version (`v1` is the core group). */
function groupVersionKind(apiVersion: string, kind: string): GroupVersionKind {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion, kind }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind };
}

/**
 * Decodes a Kubernetes protobuf body: reads the envelope, finds the kind it names with
 * `registry.forKind`, and decodes the object's message into JSON. Throws {@link ProtobufDecodeError}
 * (answer 400) for a malformed body or a kind the registry does not know.
 */
export function decodeProtobufObject(
  body: Uint8Array,
  registry: DefinitionRegistry,
  table: FieldTable = protobufFields,
): DecodedObject {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return new Decoder(buf, planCache(registry, table)).envelope(0, buf.length);
}

class Decoder {
  constructor(
    private readonly buf: Buffer,
    private readonly plans: PlanCache,
  ) {}

  /** Decodes an enveloped object in `buf[start, end)`. */
  envelope(start: number, end: number): DecodedObject {
    const env = readEnvelope(this.buf, start, end);
    if (env.kind === '') throw new ProtobufDecodeError('protobuf envelope names no kind');
    const def = this.plans.registry.forKind(groupVersionKind(env.apiVersion, env.kind));
    if (!def)
      throw new ProtobufDecodeError(
        `no kind ${JSON.stringify(env.kind)} is registered for version ${JSON.stringify(env.apiVersion)}`,
      );
    const object: JsonObject = { apiVersion: env.apiVersion, kind: env.kind };
    this.message(
      new Reader(this.buf, env.rawStart, env.rawEnd),
      env.rawEnd,
      this.plans.plan(def.name),
      object,
    );
    return { apiVersion: env.apiVersion, kind: env.kind, object };
  }

  /** Decodes the fields in `[r.pos, end)` into `out`. */
  private message(r: Reader, end: number, plan: MessagePlan, out: JsonObject): void {
    while (r.pos < end) {
      const tag = r.uint32();
      const wt = tag & 7;
      const f = plan.fields[tag >>> 3];
      if (!f) {
        r.skip(wt);
        continue;
      }
      if (f.inline) {
        this.expect(wt, LEN, f, plan);
        const e = r.span();
        this.message(r, e, f.inline, out);
        r.pos = e;
      } else if (f.shape === 'single') {
        const v = this.value(r, wt, f.value, f, plan);
        if (f.zero !== 'omit' || !isZero(v, f.value)) out[f.name] = v;
      } else if (f.shape === 'array') {
        this.arrayItem(r, wt, f, plan, out);
      } else {
        this.mapEntry(r, wt, f, plan, out);
      }
    }
    if (r.pos !== end) throw new ProtobufDecodeError(`${plan.name}: field runs past the end of its message`);
    for (const name of plan.nullWhenAbsent) if (!(name in out)) out[name] = null;
  }

  private arrayItem(r: Reader, wt: number, f: FieldPlan, plan: MessagePlan, out: JsonObject): void {
    let list = out[f.name] as unknown[] | undefined | null;
    const packable = f.value.kind === 'int32' || f.value.kind === 'int64' || f.value.kind === 'bool';
    if (packable && wt === LEN) {
      const e = r.span();
      if (e === r.pos) return;
      if (!Array.isArray(list)) out[f.name] = list = [];
      while (r.pos < e) list.push(this.value(r, VARINT, f.value, f, plan));
      if (r.pos !== e) throw new ProtobufDecodeError(`${plan.name}.${f.name}: packed field overruns`);
      return;
    }
    if (f.value.kind === 'double' && wt === LEN) {
      const e = r.span();
      if (!Array.isArray(list)) out[f.name] = list = [];
      while (r.pos < e) list.push(r.double());
      return;
    }
    const v = this.value(r, wt, f.value, f, plan);
    if (!Array.isArray(list)) out[f.name] = list = [];
    list.push(v);
  }

  private mapEntry(r: Reader, wt: number, f: FieldPlan, plan: MessagePlan, out: JsonObject): void {
    this.expect(wt, LEN, f, plan);
    const e = r.span();
    let key = '';
    let value: unknown = undefined;
    while (r.pos < e) {
      const tag = r.uint32();
      const no = tag >>> 3;
      if (no === 1) {
        this.expect(tag & 7, LEN, f, plan);
        const ke = r.span();
        key = utf8(this.buf, r.pos, ke);
        r.pos = ke;
      } else if (no === 2) {
        value = f.value.listItem
          ? this.listWrapper(r, tag & 7, f.value.listItem, f, plan)
          : this.value(r, tag & 7, f.value, f, plan);
      } else r.skip(tag & 7);
    }
    if (r.pos !== e) throw new ProtobufDecodeError(`${plan.name}.${f.name}: map entry overruns`);
    if (value === undefined) value = zeroOf(f.value);
    let map = out[f.name] as JsonObject | undefined | null;
    if (map === undefined || map === null) out[f.name] = map = {};
    map[key] = value;
  }

  /** A `{1: repeated item}` wrapper message (ExtraValue), as a JSON list. */
  private listWrapper(r: Reader, wt: number, item: ValuePlan, f: FieldPlan, plan: MessagePlan): unknown[] {
    this.expect(wt, LEN, f, plan);
    const e = r.span();
    const list: unknown[] = [];
    while (r.pos < e) {
      const tag = r.uint32();
      if (tag >>> 3 === 1) list.push(this.value(r, tag & 7, item, f, plan));
      else r.skip(tag & 7);
    }
    return list;
  }

  private value(r: Reader, wt: number, v: ValuePlan, f: FieldPlan, plan: MessagePlan): unknown {
    switch (v.kind) {
      case 'int32':
        this.expect(wt, VARINT, f, plan);
        return r.int32();
      case 'int64':
        this.expect(wt, VARINT, f, plan);
        return r.int64();
      case 'bool':
        this.expect(wt, VARINT, f, plan);
        return r.bool();
      case 'double':
        this.expect(wt, FIXED64, f, plan);
        return r.double();
      default:
        break;
    }
    this.expect(wt, LEN, f, plan);
    const e = r.span();
    let result: unknown;
    switch (v.kind) {
      case 'string':
        result = utf8(this.buf, r.pos, e);
        break;
      case 'bytes':
        result = this.buf.toString('base64', r.pos, e);
        break;
      case 'message': {
        if (v.definition === undefined)
          throw new ProtobufDecodeError(`${plan.name}.${f.name}: no message type`);
        const o: JsonObject = {};
        this.message(r, e, this.plans.plan(v.definition), o);
        return o;
      }
      case 'quantity':
        result = this.quantity(r, e);
        break;
      case 'intOrString':
        result = this.intOrString(r, e);
        break;
      case 'time':
        result = this.time(r, e, false);
        break;
      case 'microTime':
        result = this.time(r, e, true);
        break;
      case 'rawJson':
        result = this.rawJson(r, e, f, plan);
        break;
    }
    r.pos = e;
    return result;
  }

  /** resource.Quantity {1: string}; Go prints an unset quantity as "0". */
  private quantity(r: Reader, e: number): string {
    let q = '0';
    while (r.pos < e) {
      const tag = r.uint32();
      if (tag === ((1 << 3) | LEN)) {
        const qe = r.span();
        q = utf8(this.buf, r.pos, qe);
        r.pos = qe;
      } else r.skip(tag & 7);
    }
    return q;
  }

  /** intstr.IntOrString {1: type (0 int, 1 string), 2: intVal, 3: strVal}. */
  private intOrString(r: Reader, e: number): number | string {
    let type = 0;
    let intVal = 0;
    let strVal = '';
    while (r.pos < e) {
      const tag = r.uint32();
      if (tag === ((1 << 3) | VARINT)) type = r.int64();
      else if (tag === ((2 << 3) | VARINT)) intVal = r.int32();
      else if (tag === ((3 << 3) | LEN)) {
        const se = r.span();
        strVal = utf8(this.buf, r.pos, se);
        r.pos = se;
      } else r.skip(tag & 7);
    }
    return type === 1 ? strVal : intVal;
  }

  /**
   * metav1.Time / MicroTime {1: seconds, 2: nanos}. An empty message is the zero time, which JSON
   * prints as null; Time keeps whole seconds, MicroTime microseconds.
   */
  private time(r: Reader, e: number, micro: boolean): string | null {
    if (r.pos === e) return null;
    let seconds = 0;
    let nanos = 0;
    while (r.pos < e) {
      const tag = r.uint32();
      if (tag === ((1 << 3) | VARINT)) seconds = r.int64();
      else if (tag === ((2 << 3) | VARINT)) nanos = r.int32();
      else r.skip(tag & 7);
    }
    const iso = new Date(seconds * 1000).toISOString();
    if (!micro) return `${iso.slice(0, -5)}Z`;
    const us = Math.floor(Math.max(0, nanos) / 1000);
    return `${iso.slice(0, -5)}.${String(us).padStart(6, '0')}Z`;
  }

  /** runtime.RawExtension / FieldsV1 {1: raw}: raw JSON (or an enveloped protobuf object). */
  private rawJson(r: Reader, e: number, f: FieldPlan, plan: MessagePlan): unknown {
    let rs = 0;
    let re = 0;
    while (r.pos < e) {
      const tag = r.uint32();
      if (tag === ((1 << 3) | LEN)) {
        re = r.span();
        rs = r.pos;
        r.pos = re;
      } else r.skip(tag & 7);
    }
    if (rs === re) return null;
    if (isKubernetesProtobuf(this.buf, rs, re)) return this.envelope(rs, re).object;
    try {
      return JSON.parse(utf8(this.buf, rs, re)) as unknown;
    } catch (err) {
      throw new ProtobufDecodeError(`${plan.name}.${f.name}: embedded JSON: ${(err as Error).message}`);
    }
  }

  private expect(wt: number, want: number, f: FieldPlan, plan: MessagePlan): void {
    if (wt !== want)
      throw new ProtobufDecodeError(`${plan.name}.${f.name}: wire type ${wt}, expected ${want}`);
  }
}

/**
 * Whether JSON `omitempty` would leave the value out: only scalars (and `[]byte`) are ever empty;
 * struct-typed values (messages, Quantity, IntOrString, Time) are always printed.
 */
function isZero(v: unknown, plan: ValuePlan): boolean {
  switch (plan.kind) {
    case 'string':
    case 'bytes':
    case 'int32':
    case 'int64':
    case 'double':
    case 'bool':
      return v === '' || v === 0 || v === false;
    default:
      return false;
  }
}

/** The value of a map entry whose value field is absent. */
function zeroOf(v: ValuePlan): unknown {
  switch (v.kind) {
    case 'string':
    case 'bytes':
      return '';
    case 'int32':
    case 'int64':
    case 'double':
      return 0;
    case 'bool':
      return false;
    case 'quantity':
      return '0';
    case 'intOrString':
      return 0;
    case 'time':
    case 'microTime':
    case 'rawJson':
      return null;
    case 'message':
      return v.listItem ? null : {};
  }
}
