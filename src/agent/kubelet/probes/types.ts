/**
 * The probe and lifecycle-hook contract: the pod worker hands running containers to the probe
 * manager and reads back readiness, startup and liveness verdicts; hooks run through the same
 * handlers (exec, httpGet, tcpSocket, grpc, sleep).
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';

/** Runs a command in a container through the CRI (ExecSync). */
export type ExecInContainer = (
  containerId: string,
  cmd: string[],
  timeoutSeconds: number,
) => Promise<{ exitCode: number; stdout: Buffer; stderr: Buffer }>;

/** What a probe or hook acts on. */
export interface ProbeTarget {
  pod: Pod;
  container: Container;
  containerId: string;
  /** The pod's IP (the node's for host-network pods). */
  podIP: string;
}

/** Verdicts the pod worker reads. */
export interface ProbeResults {
  /** Readiness probe verdict (undefined until the first result). */
  ready(podUid: string, container: string): boolean | undefined;
  /** Startup probe passed (undefined until the first result). */
  started(podUid: string, container: string): boolean | undefined;
}
