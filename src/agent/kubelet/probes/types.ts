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
  /**
   * When the container started: initialDelaySeconds counts from here (default: when the probe
   * manager was given the container). An adopted container keeps its original start time.
   */
  startedAt?: Date;
}

/** Verdicts the pod worker reads. */
export interface ProbeResults {
  /** Readiness probe verdict (undefined until the first result). */
  ready(podUid: string, container: string): boolean | undefined;
  /** Startup probe passed (undefined until the first result). */
  started(podUid: string, container: string): boolean | undefined;
}

/** The three probes a container can have. */
export type ProbeKind = 'startup' | 'readiness' | 'liveness';

/** One probe run's verdict, as upstream's prober reports it. */
export interface ProbeOutcome {
  /** `unknown`: the probe could not run (bad port name, runtime error); its result is discarded. */
  result: 'success' | 'failure' | 'unknown';
  /** The response body or command output on success, the reason on failure or error. */
  output: string;
  /**
   * A success that deserves a `ProbeWarning` event (an HTTP probe stopped at a redirect to another
   * host); `output` then holds the warning text.
   */
  warning?: boolean;
}
