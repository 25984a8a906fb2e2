/**
 * tcpSocket probes: a TCP connection that opens within the timeout is a success (it is closed at
 * once); a failure reads as upstream's Go dialer words it (`dial tcp 10.42.0.5:5432: connect:
 * connection refused`, `dial tcp 10.42.0.5:5432: i/o timeout`).
 */
import { connect } from 'node:net';
import { goNetError, joinHostPort } from './net-errors.js';
import type { ProbeOutcome } from './types.js';

/** Opens and closes a TCP connection to host:port. */
export function tcpProbe(host: string, port: number, timeoutSeconds: number): Promise<ProbeOutcome> {
  const remote = joinHostPort(host, port);
  return new Promise<ProbeOutcome>((resolve) => {
    let done = false;
    const socket = connect({ host, port });
    const finish = (outcome: ProbeOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(
      () => finish({ result: 'failure', output: `dial tcp ${remote}: i/o timeout` }),
      timeoutSeconds * 1000,
    );
    socket.once('connect', () => finish({ result: 'success', output: '' }));
    socket.once('error', (err) => finish({ result: 'failure', output: goNetError(err, { remote, host }) }));
  });
}
