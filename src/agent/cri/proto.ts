/**
 * Loads `api.proto` (beside this module in src/ and, copied by `npm run build`, in dist/) into
 * gRPC method definitions whose serializers speak the TypeScript shapes of `types.ts`: lowerCamelCase
 * fields, int64 as number, enums as names, bytes as Buffer, defaults filled in and unset message
 * fields left out (protobufjs reports them as null).
 */
import { loadSync, type MethodDefinition, type PackageDefinition } from '@grpc/proto-loader';
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

/** protobufjs conversion options: the conventions of `types.ts`. */
const LOAD_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  // bytes: protobufjs's default in Node is Buffer
  defaults: true,
} as const;

let loaded: PackageDefinition | undefined;
const methods = new Map<string, CriMethod>();

/** The parsed package definition (loaded once per process). */
export function criPackageDefinition(): PackageDefinition {
  loaded ??= loadSync(CRI_PROTO_PATH, LOAD_OPTIONS);
  return loaded;
}

function isMethodDefinition(value: unknown): value is MethodDefinition<unknown, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    'path' in value &&
    'requestSerialize' in value &&
    'responseDeserialize' in value
  );
}

/** The definition of one RPC, e.g. `criMethod('RuntimeService', 'Version')`. */
export function criMethod(service: CriServiceName, rpc: string): CriMethod {
  const key = `${service}/${rpc}`;
  const cached = methods.get(key);
  if (cached) return cached;
  const svc = criPackageDefinition()[`runtime.v1.${service}`];
  const def: unknown = svc && (svc as Record<string, unknown>)[rpc];
  if (!isMethodDefinition(def)) throw new Error(`CRI proto has no method ${service}.${rpc}`);
  const method: CriMethod = {
    path: def.path,
    serialize: (request) => def.requestSerialize(request),
    deserialize: (bytes) => dropNulls(def.responseDeserialize(bytes)),
  };
  methods.set(key, method);
  return method;
}

/** Server-side halves of a method (for test servers speaking the same proto). */
export function criServerMethod(
  service: CriServiceName,
  rpc: string,
): { path: string; deserializeRequest(bytes: Buffer): unknown; serializeResponse(value: unknown): Buffer } {
  const svc = criPackageDefinition()[`runtime.v1.${service}`];
  const def: unknown = svc && (svc as Record<string, unknown>)[rpc];
  if (!isMethodDefinition(def)) throw new Error(`CRI proto has no method ${service}.${rpc}`);
  return {
    path: def.path,
    deserializeRequest: (bytes) => dropNulls(def.requestDeserialize(bytes)),
    serializeResponse: (value) => def.responseSerialize(value),
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
