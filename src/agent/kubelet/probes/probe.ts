/**
 * Runs one probe of a container once: exec, httpGet, tcpSocket or grpc, with the probe's timeout,
 * and returns upstream's verdict and output.
 */
import type { Probe } from 'kubernetes-types/core/v1.js';
import { execProbe, expandProbeCommand } from './exec.js';
import { httpGet, httpGetRequest } from './http.js';
import { resolveProbePort } from './port.js';
import { tcpProbe } from './tcp.js';
import type { ExecInContainer, ProbeOutcome, ProbeTarget } from './types.js';

/** Default timeoutSeconds of a probe (API defaulting sets it too). */
const DEFAULT_TIMEOUT_SECONDS = 1;

/** The signature of {@link runProbe}, for injecting a fake into the probe manager. */
export type ProbeRunner = (probe: Probe, target: ProbeTarget, exec: ExecInContainer) => Promise<ProbeOutcome>;

/** Runs `probe` against `target` once. Never throws: errors come back as `unknown`. */
export async function runProbe(
  probe: Probe,
  target: ProbeTarget,
  exec: ExecInContainer,
): Promise<ProbeOutcome> {
  const timeoutSeconds =
    probe.timeoutSeconds && probe.timeoutSeconds > 0 ? probe.timeoutSeconds : DEFAULT_TIMEOUT_SECONDS;
  try {
    if (probe.exec) {
      const command = expandProbeCommand(probe.exec.command ?? [], target.container);
      return await execProbe(exec, target.containerId, command, timeoutSeconds);
    }
    if (probe.httpGet) {
      const request = httpGetRequest(probe.httpGet, target.container, target.podIP);
      const res = await httpGet(request, {
        purpose: 'probe',
        timeoutMs: timeoutSeconds * 1000,
        followOtherHosts: false,
      });
      if (!res.ok) return { result: 'failure', output: res.error };
      if (res.status >= 200 && res.status < 300) return { result: 'success', output: res.body };
      if (res.status >= 300 && res.status < 400) {
        return {
          result: 'success',
          warning: true,
          output: `Probe terminated redirects, Response body: ${res.body}`,
        };
      }
      return { result: 'failure', output: `HTTP probe failed with statuscode: ${res.status}` };
    }
    if (probe.tcpSocket) {
      const port = resolveProbePort(probe.tcpSocket.port, target.container);
      return await tcpProbe(probe.tcpSocket.host || target.podIP, port, timeoutSeconds);
    }
    if (probe.grpc) {
      const port = resolveProbePort(probe.grpc.port, target.container);
      // Loaded on first use: the gRPC library is big, and few pods have grpc probes.
      const { grpcProbe } = await import('./grpc.js');
      return await grpcProbe(target.podIP, port, probe.grpc.service ?? '', timeoutSeconds);
    }
    return { result: 'unknown', output: 'missing probe handler' };
  } catch (err) {
    return { result: 'unknown', output: err instanceof Error ? err.message : String(err) };
  }
}
