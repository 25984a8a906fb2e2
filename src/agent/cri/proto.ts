/**
 * Loads `api.proto` (beside this module in src/ and, copied by `npm run build`, in dist/) with
 * protobufjs into (de)serializers for each RPC that speak the TypeScript shapes of `types.ts`:
 * lowerCamelCase fields, int64 as number, enums as names, bytes as Buffer, defaults filled in and
 * unset message fields left out (protobufjs reports them as null). These are the conversions
 * @grpc/proto-loader makes; it is not used because it also builds a FileDescriptorProto of the file
 * for every method (with protobufjs's descriptor.proto loaded to do so), ~1.1 MiB of the agent's heap
 * that nothing here reads.
 */
import protobuf from 'protobufjs';
import { fileURLToPath } from 'node:url';

/** The CRI services this module knows. */
export type CriServiceName = 'RuntimeService' | 'ImageService';

/** A unary CRI method: its HTTP/2 path and its (de)serializers. */
export interface CriMethod {
  /** `/runtime.v1.RuntimeService/Version` */
  path: string;
  serialize(request: unknown): Buffer;
  deserialize(bytes: Buffer): unknown;
}

/** Where the proto file lives, next to this module. */
export const CRI_PROTO_PATH = fileURLToPath(new URL('./api.proto', import.meta.url));

/** The conversions of decoded messages to plain objects: the conventions of `types.ts`. */
const TO_OBJECT: protobuf.IConversionOptions = {
  longs: Number,
  enums: String,
  // bytes: protobufjs's default in Node is Buffer
  defaults: true,
};

let root: protobuf.Root | undefined;
const methods = new Map<string, CriMethod>();

/** The parsed proto (loaded once per process; field names in lowerCamelCase). */
function criRoot(): protobuf.Root {
  if (!root) {
    const r = new protobuf.Root();
    r.loadSync(CRI_PROTO_PATH, { keepCase: false });
    r.resolveAll();
    root = r;
  }
  return root;
}

/** The message types of one RPC, e.g. `rpcTypes('RuntimeService', 'Version')`. */
function rpcTypes(
  service: CriServiceName,
  rpc: string,
): { path: string; request: protobuf.Type; response: protobuf.Type } {
  const svc = criRoot().lookup(`runtime.v1.${service}`);
  const m = svc instanceof protobuf.Service ? svc.methods[rpc] : undefined;
  const request = m?.resolvedRequestType;
  const response = m?.resolvedResponseType;
  if (!m || !request || !response) throw new Error(`CRI proto has no method ${service}.${rpc}`);
  return { path: `/runtime.v1.${service}/${m.name}`, request, response };
}

/** A message as bytes, from its plain-object form. */
function encode(type: protobuf.Type, value: unknown): Buffer {
  const bytes = type.encode(type.fromObject(value as Record<string, unknown>)).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A message's plain-object form, from its bytes. */
function decode(type: protobuf.Type, bytes: Buffer): unknown {
  return dropNulls(type.toObject(type.decode(bytes), TO_OBJECT));
}

/** The definition of one RPC, e.g. `criMethod('RuntimeService', 'Version')`. */
export function criMethod(service: CriServiceName, rpc: string): CriMethod {
  const key = `${service}/${rpc}`;
  const cached = methods.get(key);
  if (cached) return cached;
  const { path, request, response } = rpcTypes(service, rpc);
  const method: CriMethod = {
    path,
    serialize: (value) => encode(request, value),
    deserialize: (bytes) => decode(response, bytes),
  };
  methods.set(key, method);
  return method;
}

/** Server-side halves of a method (for test servers speaking the same proto). */
export function criServerMethod(
  service: CriServiceName,
  rpc: string,
): { path: string; deserializeRequest(bytes: Buffer): unknown; serializeResponse(value: unknown): Buffer } {
  const { path, request, response } = rpcTypes(service, rpc);
  return {
    path,
    deserializeRequest: (bytes) => decode(request, bytes),
    serializeResponse: (value) => encode(response, value),
  };
}

/**
 * Removes, in place and recursively, the properties whose value is null: protobufjs sets unset
 * message-typed fields to null when it fills defaults, and `types.ts` leaves them out instead.
 */
export function dropNulls<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return value;
  if (Array.isArray(value)) {
    for (const item of value) dropNulls(item);
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const v = record[key];
    if (v === null) delete record[key];
    else if (typeof v === 'object') dropNulls(v);
  }
  return value;
}
