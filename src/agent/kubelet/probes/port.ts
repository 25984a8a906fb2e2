/**
 * The port of an httpGet, tcpSocket or grpc action (probes and lifecycle hooks alike): a number, or
 * the name of one of the container's ports, with upstream's error texts when neither works.
 */
import type { Container } from 'kubernetes-types/core/v1.js';

/** Thrown when a probe's or hook's port cannot be resolved; the probe result is `unknown`. */
export class PortError extends Error {
  override readonly name = 'PortError';
}

/** The port number a probe uses (numbers as given; names looked up among the container's ports). */
export function resolveProbePort(port: number | string | undefined, container: Container): number {
  let n: number;
  if (typeof port === 'number') {
    n = port;
  } else if (typeof port === 'string') {
    const found = (container.ports ?? []).find((p) => p.name === port);
    if (!found) throw new PortError(`port ${JSON.stringify(port)} not found`);
    n = found.containerPort;
  } else {
    throw new PortError('intOrString had no kind: {0 0 }');
  }
  if (Number.isInteger(n) && n > 0 && n < 65536) return n;
  throw new PortError(`invalid port number: ${n}`);
}
