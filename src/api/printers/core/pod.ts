/**
 * Pods: READY, STATUS, RESTARTS and AGE, and with `-o wide` the IP, NODE, NOMINATED NODE and
 * READINESS GATES. STATUS is the one-word summary `kubectl get pods` shows (`Running`,
 * `Init:0/2`, `CrashLoopBackOff`, `Completed`, `Terminating` …), computed as upstream does.
 */
import type { Container, ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../meta.js';
import { AGE, NAME, ageOf, column, nameOf, printer, view, wide } from '../columns.js';
import { humanDuration, parseTime } from '../duration.js';
import type { Cell } from '../types.js';

/** Reason the node lifecycle controller gives pods on a node that stopped reporting. */
const NODE_LOST = 'NodeLost';

/** meta.k8s.io/v1 TableRowCondition, for rows of finished pods. */
export interface RowCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

const columns = [
  NAME,
  column('Ready', 'string', 'Ready containers out of all containers of the pod.'),
  column('Status', 'string', 'A one-word summary of the pod and its containers.'),
  column('Restarts', 'string', 'Container restarts, and how long ago the latest one was.'),
  AGE,
  wide('IP', 'string', 'The first IP address of the pod.'),
  wide('Node', 'string', 'The node the pod is bound to.'),
  wide('Nominated Node', 'string', 'The node the scheduler nominated for the pod after preemption.'),
  wide('Readiness Gates', 'string', 'Readiness gate conditions that are true, out of all gates.'),
];

function isRestartable(c: Container | undefined): boolean {
  return c?.restartPolicy === 'Always';
}

function conditionTrue(conditions: readonly PodCondition[] | undefined, type: string): boolean {
  return (conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** Like upstream's isPodInitializedConditionTrue: only the first Initialized condition counts. */
function initializedTrue(conditions: readonly PodCondition[] | undefined): boolean {
  const c = (conditions ?? []).find((x) => x.type === 'Initialized');
  return c?.status === 'True';
}

/** Latest `lastState.terminated.finishedAt` seen, in ms (0 when none). */
function laterFinish(current: number, status: ContainerStatus): number {
  const finished = parseTime(status.lastState?.terminated?.finishedAt);
  return finished !== undefined && finished > current ? finished : current;
}

interface Summary {
  ready: number;
  total: number;
  reason: string;
  restarts: number;
  /** ms since the epoch of the latest restart, 0 when unknown. */
  lastRestart: number;
}

/** Computes READY, STATUS and RESTARTS of a pod. */
export function summarizePod(pod: Pod): Summary {
  const spec = pod.spec;
  const status = pod.status ?? {};
  const conditions = status.conditions;
  let total = spec?.containers?.length ?? 0;
  let ready = 0;
  let restarts = 0;
  let lastRestart = 0;
  let sidecarRestarts = 0;
  let lastSidecarRestart = 0;

  let reason = status.phase ?? '';
  if (status.reason) reason = status.reason;
  if ((conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) {
    reason = 'SchedulingGated';
  }

  const initSpecs = new Map<string, Container>();
  for (const c of spec?.initContainers ?? []) {
    initSpecs.set(c.name, c);
    if (isRestartable(c)) total++;
  }
  const initCount = spec?.initContainers?.length ?? 0;

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    if (!cs) continue;
    restarts += cs.restartCount ?? 0;
    lastRestart = laterFinish(lastRestart, cs);
    const sidecar = isRestartable(initSpecs.get(cs.name));
    if (sidecar) {
      sidecarRestarts += cs.restartCount ?? 0;
      lastSidecarRestart = laterFinish(lastSidecarRestart, cs);
    }
    const terminated = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready) ready++;
      continue;
    }
    if (terminated) {
      if (!terminated.reason) {
        reason = terminated.signal
          ? `Init:Signal:${terminated.signal}`
          : `Init:ExitCode:${terminated.exitCode ?? 0}`;
      } else {
        reason = `Init:${terminated.reason}`;
      }
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initCount}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || initializedTrue(conditions)) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    // From the last container to the first, so the first container's reason wins.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      if (!cs) continue;
      restarts += cs.restartCount ?? 0;
      lastRestart = laterFinish(lastRestart, cs);
      const waiting = cs.state?.waiting;
      const terminated = cs.state?.terminated;
      if (waiting?.reason) {
        reason = waiting.reason;
      } else if (terminated?.reason) {
        reason = terminated.reason;
      } else if (terminated) {
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
      } else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    // A pod whose first container completed but another still runs is still running.
    if (reason === 'Completed' && hasRunning) {
      reason = conditionTrue(conditions, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  const deleting = Boolean(pod.metadata?.deletionTimestamp);
  const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
  if (deleting && status.reason === NODE_LOST) reason = 'Unknown';
  else if (deleting && !terminal) reason = 'Terminating';

  return { ready, total, reason, restarts, lastRestart };
}

function readinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conditions = pod.status?.conditions ?? [];
  let passing = 0;
  for (const gate of gates) {
    const c = conditions.find((x) => x.type === gate.conditionType);
    if (c?.status === 'True') passing++;
  }
  return `${passing}/${gates.length}`;
}

function podCells(obj: KubeObject, now: Date): Cell[] {
  const pod = view<Pod>(obj);
  const s = summarizePod(pod);
  let restarts = String(s.restarts);
  if (s.restarts !== 0 && s.lastRestart !== 0) {
    restarts = `${s.restarts} (${humanDuration(now.getTime() - s.lastRestart)} ago)`;
  }
  // An old-style status with only podIP counts as podIPs of one, as upstream's conversion makes it.
  const ip = (pod.status?.podIPs?.length ? pod.status.podIPs[0]?.ip : pod.status?.podIP) || '<none>';
  const node = pod.spec?.nodeName || '<none>';
  const nominated = pod.status?.nominatedNodeName || '<none>';
  return [
    nameOf(obj),
    `${s.ready}/${s.total}`,
    s.reason,
    restarts,
    ageOf(obj, now),
    ip,
    node,
    nominated,
    readinessGates(pod),
  ];
}

/**
 * Row conditions upstream attaches to finished pods (`Completed` with reason Succeeded or Failed);
 * empty for other pods. Clients may use them to tell finished pods apart.
 */
export function podRowConditions(obj: KubeObject): RowCondition[] {
  const phase = view<Pod>(obj).status?.phase;
  if (phase === 'Succeeded') {
    return [
      {
        type: 'Completed',
        status: 'True',
        reason: 'Succeeded',
        message: 'The pod has completed successfully.',
      },
    ];
  }
  if (phase === 'Failed') {
    return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
  }
  return [];
}

/** core/v1 Pod. */
export const podPrinter = printer(columns, podCells);
