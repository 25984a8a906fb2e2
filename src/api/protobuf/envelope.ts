/**
 * The Kubernetes protobuf envelope: the 4-byte magic `k8s\0`, then a `runtime.Unknown` message
 * (1: typeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType) whose `raw` is
 * the object's own message.
 */
import { LEN, ProtobufDecodeError, Reader, utf8 } from './wire.js';

/** The media type of Kubernetes protobuf bodies. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = [0x6b, 0x38, 0x73, 0x00] as const;

/** True when the bytes start with the Kubernetes protobuf magic `k8s\0`. */
export function isKubernetesProtobuf(body: Uint8Array, start = 0, end = body.length): boolean {
  return (
    end - start >= 4 &&
    body[start] === MAGIC[0] &&
    body[start + 1] === MAGIC[1] &&
    body[start + 2] === MAGIC[2] &&
    body[start + 3] === MAGIC[3]
  );
}

/** What the envelope says, and where the object's message lies in the buffer. */
export interface Envelope {
  apiVersion: string;
  kind: string;
  /** Start and end of the object's own message (the Unknown's `raw`). */
  rawStart: number;
  rawEnd: number;
}

/** Parses the envelope in `buf[start, end)`. */
export function readEnvelope(buf: Buffer, start = 0, end = buf.length): Envelope {
  if (!isKubernetesProtobuf(buf, start, end))
    throw new ProtobufDecodeError('body is not a Kubernetes protobuf message (missing "k8s\\0" prefix)');
  const r = new Reader(buf, start + 4, end);
  const env: Envelope = { apiVersion: '', kind: '', rawStart: 0, rawEnd: 0 };
  let contentEncoding = '';
  while (r.pos < end) {
    const tag = r.uint32();
    const no = tag >>> 3;
    const wt = tag & 7;
    if (wt !== LEN || no < 1 || no > 4) {
      r.skip(wt);
      continue;
    }
    const fieldEnd = r.span();
    if (no === 1) {
      while (r.pos < fieldEnd) {
        const t = r.uint32();
        if ((t & 7) === LEN && (t >>> 3 === 1 || t >>> 3 === 2)) {
          const e = r.span();
          const s = utf8(buf, r.pos, e);
          if (t >>> 3 === 1) env.apiVersion = s;
          else env.kind = s;
          r.pos = e;
        } else r.skip(t & 7);
      }
    } else if (no === 2) {
      env.rawStart = r.pos;
      env.rawEnd = fieldEnd;
    } else if (no === 3) {
      contentEncoding = buf.toString('utf8', r.pos, fieldEnd);
    }
    r.pos = fieldEnd;
  }
  if (contentEncoding !== '')
    throw new ProtobufDecodeError(`unsupported protobuf content encoding ${JSON.stringify(contentEncoding)}`);
  return env;
}
