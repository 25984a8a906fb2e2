/**
 * grpc probes: the standard health protocol (`grpc.health.v1.Health/Check`, optional service name)
 * over plain-text HTTP/2 to the pod IP; SERVING is a success, anything else a failure, with
 * upstream's messages (`service unhealthy (responded with "NOT_SERVING")`, `timeout: failed to
 * connect service "10.42.0.5:9000" within 1s: context deadline exceeded` …).
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { INamespace } from 'protobufjs';
import { KUBE_VERSION } from './constants.js';
import { goSeconds, joinHostPort } from './net-errors.js';
import type { ProbeOutcome } from './types.js';

/** The health protocol's messages and service (field numbers of grpc/health/v1/health.proto). */
const HEALTH_PROTO: INamespace = {
  nested: {
    grpc: {
      nested: {
        health: {
          nested: {
            v1: {
              nested: {
                HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
                HealthCheckResponse: {
                  fields: { status: { type: 'ServingStatus', id: 1 } },
                  nested: {
                    ServingStatus: {
                      values: { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 },
                    },
                  },
                },
                Health: {
                  methods: {
                    Check: {
                      requestType: 'HealthCheckRequest',
                      responseType: 'HealthCheckResponse',
                      comment: '',
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

/** A health check request. */
export interface HealthCheckRequest {
  service: string;
}

/** A health check response (status as its enum name). */
export interface HealthCheckResponse {
  status: 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';
}

let healthService: grpc.ServiceDefinition | undefined;

/** The `grpc.health.v1.Health` service definition (also used by tests to serve it). */
export function healthServiceDefinition(): grpc.ServiceDefinition {
  if (!healthService) {
    const pkg = protoLoader.fromJSON(HEALTH_PROTO, { enums: String, defaults: true });
    const svc = pkg['grpc.health.v1.Health'];
    if (!svc || !('Check' in svc)) throw new Error('grpc.health.v1.Health missing from its definition');
    healthService = svc as grpc.ServiceDefinition;
  }
  return healthService;
}

function checkMethod(): grpc.MethodDefinition<HealthCheckRequest, HealthCheckResponse> {
  const m = healthServiceDefinition()['Check'];
  if (!m) throw new Error('grpc.health.v1.Health/Check missing from its definition');
  return m as grpc.MethodDefinition<HealthCheckRequest, HealthCheckResponse>;
}

/** Calls Health/Check on host:port for `service` ('' = the whole server). */
export async function grpcProbe(
  host: string,
  port: number,
  service: string,
  timeoutSeconds: number,
): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  const timeout = goSeconds(timeoutSeconds);
  const deadline = Date.now() + timeoutSeconds * 1000;
  const client = new grpc.Client(addr, grpc.credentials.createInsecure(), {
    'grpc.primary_user_agent': `kube-probe/${KUBE_VERSION}`,
    // One attempt per probe: no client-side retries, no lingering channel.
    'grpc.enable_retries': 0,
  });
  try {
    const ready = await new Promise<Error | undefined>((resolve) => client.waitForReady(deadline, resolve));
    if (ready) {
      return {
        result: 'failure',
        output: `timeout: failed to connect service ${JSON.stringify(addr)} within ${timeout}: context deadline exceeded`,
      };
    }
    const method = checkMethod();
    const res = await new Promise<{ err: grpc.ServiceError | null; value?: HealthCheckResponse }>((resolve) =>
      client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        { service },
        new grpc.Metadata(),
        { deadline },
        (err, value) => resolve(value ? { err, value } : { err }),
      ),
    );
    if (res.err) {
      const err = res.err;
      if (err.code === grpc.status.UNIMPLEMENTED) {
        return {
          result: 'failure',
          output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${err.details}`,
        };
      }
      if (err.code === grpc.status.DEADLINE_EXCEEDED) {
        return { result: 'failure', output: `timeout: health rpc did not complete within ${timeout}` };
      }
      return {
        result: 'failure',
        output: `error: health rpc probe failed: rpc error: code = ${goCodeName(err.code)} desc = ${err.details}`,
      };
    }
    const status = res.value?.status ?? 'UNKNOWN';
    if (status !== 'SERVING') {
      return { result: 'failure', output: `service unhealthy (responded with ${JSON.stringify(status)})` };
    }
    return { result: 'success', output: 'service healthy' };
  } finally {
    client.close();
  }
}

/** Go's name of a gRPC status code (`NotFound`), as grpc-go prints it. */
function goCodeName(code: number): string {
  const name = grpc.status[code];
  if (typeof name !== 'string') return `Code(${code})`;
  return name
    .toLowerCase()
    .split('_')
    .map((w) => (w === 'ok' ? 'OK' : w.charAt(0).toUpperCase() + w.slice(1)))
    .join('');
}
