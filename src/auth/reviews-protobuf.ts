/**
 * Decoding of protobuf request bodies for the review kinds. The real kubectl sends
 * SelfSubjectAccessReview (`auth can-i`), SelfSubjectRulesReview (`auth can-i --list`) and
 * SelfSubjectReview (`auth whoami`) as `application/vnd.kubernetes.protobuf` and does not retry with
 * JSON on a 415, so the server must read them; its Accept header also lists application/json, so the
 * answer may be JSON.
 *
 * Wire format: the 4-byte magic "k8s\0", then a runtime.Unknown message (1: typeMeta {1: apiVersion,
 * 2: kind}, 2: raw, 3: contentEncoding, 4: contentType) whose `raw` is the object's own message.
 * Field numbers are those of k8s.io/api authorization/v1 and authentication/v1.
 */
import type { KubeObject } from '../api/meta.js';

/** The media type of Kubernetes protobuf bodies. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** True when the bytes start with the Kubernetes protobuf envelope's magic. */
export function isKubernetesProtobuf(body: Uint8Array): boolean {
  return body.length >= 4 && Buffer.from(body.subarray(0, 4)).equals(MAGIC);
}

type Scalar = 'string' | 'bool';
interface FieldSpec {
  name: string;
  type: Scalar | MessageSpec | 'extra';
  repeated?: boolean;
}
type MessageSpec = Record<number, FieldSpec>;

const str = (name: string): FieldSpec => ({ name, type: 'string' });
const strs = (name: string): FieldSpec => ({ name, type: 'string', repeated: true });
const msg = (name: string, type: MessageSpec): FieldSpec => ({ name, type });

const TYPE_META: MessageSpec = { 1: str('apiVersion'), 2: str('kind') };
const OBJECT_META: MessageSpec = {
  1: str('name'),
  2: str('generateName'),
  3: str('namespace'),
  5: str('uid'),
  6: str('resourceVersion'),
  14: strs('finalizers'),
};
const RESOURCE_ATTRIBUTES: MessageSpec = {
  1: str('namespace'),
  2: str('verb'),
  3: str('group'),
  4: str('version'),
  5: str('resource'),
  6: str('subresource'),
  7: str('name'),
};
const NON_RESOURCE_ATTRIBUTES: MessageSpec = { 1: str('path'), 2: str('verb') };
const SELF_SAR_SPEC: MessageSpec = {
  1: msg('resourceAttributes', RESOURCE_ATTRIBUTES),
  2: msg('nonResourceAttributes', NON_RESOURCE_ATTRIBUTES),
};
const SAR_SPEC: MessageSpec = {
  ...SELF_SAR_SPEC,
  3: str('user'),
  4: strs('groups'),
  5: { name: 'extra', type: 'extra' },
  6: str('uid'),
};
const KINDS: Record<string, MessageSpec> = {
  SelfSubjectAccessReview: { 1: msg('metadata', OBJECT_META), 2: msg('spec', SELF_SAR_SPEC) },
  SubjectAccessReview: { 1: msg('metadata', OBJECT_META), 2: msg('spec', SAR_SPEC) },
  LocalSubjectAccessReview: { 1: msg('metadata', OBJECT_META), 2: msg('spec', SAR_SPEC) },
  SelfSubjectRulesReview: { 1: msg('metadata', OBJECT_META), 2: msg('spec', { 1: str('namespace') }) },
  SelfSubjectReview: { 1: msg('metadata', OBJECT_META) },
  TokenReview: { 1: msg('metadata', OBJECT_META), 2: msg('spec', { 1: str('token'), 2: strs('audiences') }) },
};

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const b = this.buf[this.pos++] ?? 0;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 63) throw new Error('varint too long');
    }
  }
  bytes(): Buffer {
    const len = this.varint();
    if (this.pos + len > this.buf.length) throw new Error('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
  }
}

/** Iterates the fields of a message: field number, wire type, reader positioned at the value. */
function* fields(buf: Buffer): Generator<[number, number, Reader]> {
  const r = new Reader(buf);
  while (!r.done) {
    const tag = r.varint();
    yield [Math.floor(tag / 8), tag & 7, r];
  }
}

function decodeExtraEntry(buf: Buffer): [string, string[]] {
  let key = '';
  const items: string[] = [];
  for (const [no, wt, r] of fields(buf)) {
    if (no === 1 && wt === 2) key = r.bytes().toString('utf8');
    else if (no === 2 && wt === 2) {
      for (const [n2, w2, r2] of fields(r.bytes())) {
        if (n2 === 1 && w2 === 2) items.push(r2.bytes().toString('utf8'));
        else r2.skip(w2);
      }
    } else r.skip(wt);
  }
  return [key, items];
}

function decodeMessage(buf: Buffer, spec: MessageSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [no, wt, r] of fields(buf)) {
    const f = spec[no];
    if (!f) {
      r.skip(wt);
      continue;
    }
    if (f.type === 'bool') {
      if (wt !== 0) throw new Error(`field ${f.name}: wrong wire type`);
      out[f.name] = r.varint() !== 0;
      continue;
    }
    if (wt !== 2) throw new Error(`field ${f.name}: wrong wire type`);
    const value = r.bytes();
    if (f.type === 'extra') {
      const [k, v] = decodeExtraEntry(value);
      const extra = (out[f.name] as Record<string, string[]> | undefined) ?? {};
      extra[k] = v;
      out[f.name] = extra;
    } else if (f.type === 'string') {
      const s = value.toString('utf8');
      if (f.repeated) out[f.name] = [...((out[f.name] as string[] | undefined) ?? []), s];
      // An empty optional string is what JSON would omit.
      else if (s !== '') out[f.name] = s;
    } else {
      out[f.name] = decodeMessage(value, f.type);
    }
  }
  return out;
}

/**
 * Decodes a protobuf review body into the object its JSON form would give. Throws an Error (which the
 * server should answer 400) for a malformed body or a kind that is not a review.
 */
export function decodeReviewProtobuf(body: Uint8Array): KubeObject {
  const buf = Buffer.from(body);
  if (!isKubernetesProtobuf(buf))
    throw new Error('body is not a Kubernetes protobuf message (missing "k8s\\0" prefix)');
  let typeMeta: Record<string, unknown> = {};
  let raw: Buffer = Buffer.alloc(0);
  let contentEncoding = '';
  for (const [no, wt, r] of fields(buf.subarray(4))) {
    if (no === 1 && wt === 2) typeMeta = decodeMessage(r.bytes(), TYPE_META);
    else if (no === 2 && wt === 2) raw = r.bytes();
    else if (no === 3 && wt === 2) contentEncoding = r.bytes().toString('utf8');
    else r.skip(wt);
  }
  if (contentEncoding !== '')
    throw new Error(`unsupported protobuf content encoding ${JSON.stringify(contentEncoding)}`);
  const kind = typeof typeMeta.kind === 'string' ? typeMeta.kind : '';
  const spec = KINDS[kind];
  if (!spec) throw new Error(`protobuf decoding is not supported for kind ${JSON.stringify(kind)}`);
  const obj: KubeObject = { ...decodeMessage(raw, spec), kind };
  if (typeof typeMeta.apiVersion === 'string') obj.apiVersion = typeMeta.apiVersion;
  return obj;
}
