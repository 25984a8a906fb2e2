import { describe, expect, it } from 'vitest';
import { decodeGrpcMessage, GrpcStatus, grpcTimeout, httpStatusToGrpc } from './grpc-wire.js';

describe('gRPC wire helpers', () => {
  it('writes grpc-timeout with at most 8 digits', () => {
    expect(grpcTimeout(0.2)).toBe('1m');
    expect(grpcTimeout(1500)).toBe('1500m');
    expect(grpcTimeout(1e9)).toBe('1000000S');
  });

  it('decodes percent-encoded messages and keeps malformed ones', () => {
    expect(decodeGrpcMessage('not%20found')).toBe('not found');
    expect(decodeGrpcMessage('100%')).toBe('100%');
  });

  it('maps HTTP statuses of non-gRPC answers as gRPC does', () => {
    expect(httpStatusToGrpc(404)).toBe(GrpcStatus.UNIMPLEMENTED);
    expect(httpStatusToGrpc(503)).toBe(GrpcStatus.UNAVAILABLE);
    expect(httpStatusToGrpc(418)).toBe(GrpcStatus.UNKNOWN);
  });
});
