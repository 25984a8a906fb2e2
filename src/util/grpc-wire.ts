/**
 * gRPC-over-HTTP/2 facts shared by k8ts's two small gRPC clients (the CRI channel to containerd and
 * the etcd channel): status codes, the grpc-timeout header, grpc-message decoding and the status of
 * an answer that did not come from a gRPC server.
 */

/** gRPC status codes, named as in the gRPC specification. */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

/** A grpc-timeout header value: at most 8 digits and a unit. */
export function grpcTimeout(ms: number): string {
  return ms < 1e8 ? `${Math.max(1, Math.ceil(ms))}m` : `${Math.min(99_999_999, Math.ceil(ms / 1000))}S`;
}

/** grpc-message is percent-encoded; a value that is not valid percent-encoding is shown as sent. */
export function decodeGrpcMessage(msg: string): string {
  if (!msg.includes('%')) return msg;
  try {
    return decodeURIComponent(msg);
  } catch {
    return msg;
  }
}

/** The gRPC code for an HTTP status from something that is not a gRPC server (gRPC's own table). */
export function httpStatusToGrpc(status: number): number {
  switch (status) {
    case 400:
      return GrpcStatus.INTERNAL;
    case 401:
      return GrpcStatus.UNAUTHENTICATED;
    case 403:
      return GrpcStatus.PERMISSION_DENIED;
    case 404:
      return GrpcStatus.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcStatus.UNAVAILABLE;
    default:
      return GrpcStatus.UNKNOWN;
  }
}
