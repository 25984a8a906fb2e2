/**
 * What the kubelet knows about one pod's containers in the runtime, in its own terms (not CRI's): the
 * pod worker fills it from CRI ListContainers/ContainerStatus, status computation reads it.
 */

/** One container (one attempt) as the runtime reports it. */
export interface ObservedContainer {
  id: string;
  name: string;
  /** Restart count of this attempt (CRI metadata.attempt). */
  attempt: number;
  state: 'created' | 'running' | 'exited' | 'unknown';
  createdAt?: Date;
  startedAt?: Date;
  finishedAt?: Date;
  exitCode: number;
  /** Runtime reason for an exit (OOMKilled, Error, Completed …). */
  reason: string;
  message: string;
  imageRef: string;
  /** The image as the runtime names it. */
  image: string;
  /** The hash of the container spec this attempt was created from. */
  specHash: string;
  /** The sandbox the container belongs to. */
  sandboxId?: string;
}

/** The pod sandbox. */
export interface ObservedSandbox {
  id: string;
  ready: boolean;
  attempt: number;
  ips: string[];
  createdAt?: Date;
}

/** A reason the kubelet shows while a container is not running (image pull failures, backoff …). */
export interface WaitingReason {
  reason: string;
  message: string;
}

/** The kubelet's view of one pod, the input of status computation. */
export interface PodRuntimeState {
  sandbox?: ObservedSandbox;
  /** Every attempt still known to the runtime, any order. */
  containers: ObservedContainer[];
  /** Per container name: why it is waiting, when the kubelet knows. */
  waiting: Map<string, WaitingReason>;
  /** Per container name: readiness from the readiness probe (absent = no probe result yet). */
  ready: Map<string, boolean>;
  /** Per container name: startup probe passed (absent = no startup probe result yet). */
  started: Map<string, boolean>;
}

/** The latest and the previous attempt of a container name. */
export function attemptsOf(
  state: PodRuntimeState,
  name: string,
): { latest?: ObservedContainer; previous?: ObservedContainer } {
  const mine = state.containers
    .filter((c) => c.name === name)
    .sort((a, b) => b.attempt - a.attempt || (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
  return { latest: mine[0], previous: mine[1] };
}

/** Upstream's reason for a terminated container when the runtime gives none. */
export function terminationReason(c: ObservedContainer): string {
  if (c.reason) return c.reason;
  return c.exitCode === 0 ? 'Completed' : 'Error';
}
