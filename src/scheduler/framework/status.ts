/**
 * Plugin results and the FitError message users read in FailedScheduling events and the
 * PodScheduled condition ("0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated
 * taint {…}. preemption: …"), worded as upstream's scheduler words them.
 */

/** Upstream's status codes (Success is represented by `undefined`). */
export type Code = 'Error' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Skip';

/** A non-success plugin result. */
export class Status {
  constructor(
    readonly code: Code,
    readonly reasons: readonly string[],
    /** The plugin that returned it (set by the framework). */
    public plugin = '',
  ) {}

  /** Unschedulable or UnschedulableAndUnresolvable. */
  get rejected(): boolean {
    return this.code === 'Unschedulable' || this.code === 'UnschedulableAndUnresolvable';
  }

  get message(): string {
    return this.reasons.join(', ');
  }

  static unschedulable(...reasons: string[]): Status {
    return new Status('Unschedulable', reasons);
  }

  static unresolvable(...reasons: string[]): Status {
    return new Status('UnschedulableAndUnresolvable', reasons);
  }

  static error(message: string): Status {
    return new Status('Error', [message]);
  }
}

/** Why each node was rejected, for the FitError message and preemption. */
export class Diagnosis {
  /** Node name → status; nodes absent here were not evaluated or passed. */
  readonly nodeToStatus = new Map<string, Status>();
  /** The status of nodes not listed (set when PreFilter rejected every node). */
  absentNodesStatus: Status | undefined;
  readonly unschedulablePlugins = new Set<string>();
  /** Set when PreFilter rejected the pod outright. */
  preFilterMsg = '';
  /** The preemption (PostFilter) outcome appended to the message. */
  postFilterMsg = '';
}

/** Upstream's format for "no node fits". */
export const NO_NODE_AVAILABLE = (n: number): string => `0/${n} nodes are available`;

/** The FitError message: `0/N nodes are available: <reasons>. <post-filter message>`. */
export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = `${NO_NODE_AVAILABLE(numAllNodes)}:`;
  if (d.preFilterMsg) {
    msg += ` ${d.preFilterMsg}.`;
  } else {
    const histogram = reasonHistogram(numAllNodes, d);
    if (histogram) msg += ` ${histogram}.`;
  }
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}`;
  return msg;
}

/** `1 Insufficient cpu, 2 node(s) had …`: counts per reason, sorted as strings. */
export function reasonHistogram(numAllNodes: number, d: Diagnosis): string {
  const counts = new Map<string, number>();
  for (const st of d.nodeToStatus.values())
    for (const r of st.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const absent = numAllNodes - d.nodeToStatus.size;
  if (absent > 0 && d.absentNodesStatus)
    for (const r of d.absentNodesStatus.reasons) counts.set(r, (counts.get(r) ?? 0) + absent);
  const parts = [...counts].map(([r, n]) => `${n} ${r}`);
  parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return parts.join(', ');
}

/** Thrown (returned) when no node fits a pod. */
export class FitError extends Error {
  constructor(
    readonly numAllNodes: number,
    readonly diagnosis: Diagnosis,
  ) {
    // No message argument: the getter below computes it on demand.
    super();
  }

  override get message(): string {
    return fitErrorMessage(this.numAllNodes, this.diagnosis);
  }
}

/** The message when the cluster has no nodes at all. */
export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';
