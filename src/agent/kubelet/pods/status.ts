/**
 * PodStatus from the pod's spec and the kubelet's view of its containers, as upstream's kubelet
 * reports it: container statuses with state and lastState, the phase, and the conditions
 * PodReadyToStartContainers, Initialized, ContainersReady and Ready (PodScheduled is the
 * scheduler's and is kept).
 */
import type { Container, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { computePodQOS } from '../../../api/core/qos.js';
import { rfc3339 } from '../../../util/time.js';
import {
  attemptsOf,
  terminationReason,
  type ObservedContainer,
  type PodRuntimeState,
} from './runtime-state.js';

/** Inputs beyond the runtime state. */
export interface StatusContext {
  now: Date;
  hostIP: string;
  /** Runtime name for container IDs: `containerd`. */
  runtimeName: string;
}

const time = (d: Date | undefined): string | undefined => (d ? rfc3339(d) : undefined);

function terminated(
  c: ObservedContainer,
  runtime: string,
): NonNullable<ContainerStatus['state']>['terminated'] {
  return {
    exitCode: c.exitCode,
    reason: terminationReason(c),
    ...(c.message ? { message: c.message } : {}),
    startedAt: time(c.startedAt),
    finishedAt: time(c.finishedAt),
    containerID: `${runtime}://${c.id}`,
  };
}

/** The status of one container of the spec. */
export function containerStatus(
  spec: Container,
  state: PodRuntimeState,
  ctx: StatusContext,
  defaultWaiting: string,
  isInit: boolean,
): ContainerStatus {
  const { latest, previous } = attemptsOf(state, spec.name);
  const waiting = state.waiting.get(spec.name);
  const base = { name: spec.name, image: spec.image ?? '', imageID: latest?.imageRef ?? '' };
  const lastState = previous?.state === 'exited' ? { terminated: terminated(previous, ctx.runtimeName) } : {};
  if (!latest) {
    return {
      ...base,
      state: {
        waiting: {
          reason: waiting?.reason ?? defaultWaiting,
          ...(waiting?.message ? { message: waiting.message } : {}),
        },
      },
      lastState: {},
      ready: false,
      restartCount: 0,
      started: false,
    };
  }
  const containerID = `${ctx.runtimeName}://${latest.id}`;
  if (latest.state === 'running') {
    const hasStartup = !isInit && spec.startupProbe !== undefined;
    const started = hasStartup ? (state.started.get(spec.name) ?? false) : true;
    const hasReadiness = !isInit && spec.readinessProbe !== undefined;
    const ready = started && (hasReadiness ? (state.ready.get(spec.name) ?? false) : true);
    return {
      ...base,
      containerID,
      state: { running: { startedAt: time(latest.startedAt) } },
      lastState,
      ready: isInit ? false : ready,
      restartCount: latest.attempt,
      started,
    };
  }
  if (latest.state === 'exited') {
    // An exited container the kubelet is about to restart (or backing off) shows as waiting, with the
    // exit as lastState; otherwise it shows as terminated.
    if (waiting) {
      return {
        ...base,
        containerID,
        state: {
          waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) },
        },
        lastState: { terminated: terminated(latest, ctx.runtimeName) },
        ready: false,
        restartCount: latest.attempt,
        started: false,
      };
    }
    return {
      ...base,
      containerID,
      state: { terminated: terminated(latest, ctx.runtimeName) },
      lastState,
      ready: false,
      restartCount: latest.attempt,
      started: false,
    };
  }
  return {
    ...base,
    containerID,
    state: {
      waiting: {
        reason: waiting?.reason ?? 'ContainerCreating',
        ...(waiting?.message ? { message: waiting.message } : {}),
      },
    },
    lastState,
    ready: false,
    restartCount: latest.attempt,
    started: false,
  };
}

/** True when the init container finished successfully. */
function initDone(s: ContainerStatus): boolean {
  return s.state?.terminated?.exitCode === 0;
}

/** True when an init container failed for good (restartPolicy Never). */
function initFailed(s: ContainerStatus): boolean {
  const t = s.state?.terminated ?? s.lastState?.terminated;
  return t !== undefined && t.exitCode !== 0;
}

/** The pod phase from container statuses (upstream's getPhase). */
export function podPhase(pod: Pod, init: ContainerStatus[], regular: ContainerStatus[]): PodStatus['phase'] {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const prior = pod.status?.phase;
  if (prior === 'Succeeded' || prior === 'Failed') return prior;
  const sidecar = new Set(
    (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name),
  );
  let pendingInit = false;
  for (const s of init) {
    if (sidecar.has(s.name)) {
      if (!s.started) pendingInit = true;
      continue;
    }
    if (initDone(s)) continue;
    if (policy === 'Never' && initFailed(s)) return 'Failed';
    pendingInit = true;
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of regular) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.lastState?.terminated) {
      stopped++;
      if (s.lastState.terminated.exitCode === 0) succeeded++;
    } else waiting++;
  }
  if (pendingInit) return 'Pending';
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped === regular.length && regular.length > 0) {
    if (policy === 'Always') return 'Running';
    if (policy === 'OnFailure') return stopped === succeeded ? 'Succeeded' : 'Running';
    // Never: a container that is waiting with a previous failure will not run again.
    return stopped === succeeded ? 'Succeeded' : 'Failed';
  }
  return 'Pending';
}

function condition(
  previous: readonly PodCondition[] | undefined,
  type: string,
  ok: boolean,
  now: string,
  reason?: string,
  message?: string,
): PodCondition {
  const status = ok ? 'True' : 'False';
  const prev = previous?.find((c) => c.type === type);
  const since = prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now;
  return {
    type,
    status,
    lastProbeTime: null as unknown as undefined,
    lastTransitionTime: since,
    ...(!ok && reason ? { reason } : {}),
    ...(!ok && message ? { message } : {}),
  };
}

/** The pod's status: containers, phase, conditions, IPs, start time and QoS class. */
export function podStatus(pod: Pod, state: PodRuntimeState, ctx: StatusContext): PodStatus {
  const spec = pod.spec;
  const prev = pod.status;
  const now = rfc3339(ctx.now);
  const initSpecs = spec?.initContainers ?? [];
  const init = initSpecs.map((c) => containerStatus(c, state, ctx, 'PodInitializing', true));
  const initComplete = init.every((s, i) =>
    initSpecs[i]?.restartPolicy === 'Always' ? s.started === true : initDone(s),
  );
  const regular = (spec?.containers ?? []).map((c) =>
    containerStatus(c, state, ctx, initComplete ? 'ContainerCreating' : 'PodInitializing', false),
  );
  let phase = podPhase(pod, init, regular);
  // A pod whose containers all ran to an end stays terminal even when the sandbox is gone.
  if (pod.metadata?.deletionTimestamp && phase === 'Running' && regular.every((s) => !s.state?.running))
    phase = prev?.phase ?? phase;
  const terminal = phase === 'Succeeded' || phase === 'Failed';

  const incomplete = init.filter(
    (s, i) => !(initSpecs[i]?.restartPolicy === 'Always' ? s.started : initDone(s)),
  );
  // Upstream lists the regular containers that are not ready (sidecars count once started).
  const unreadyNames = regular.filter((s) => !s.ready).map((s) => s.name);
  const sandboxReady = state.sandbox?.ready === true;
  const conds: PodCondition[] = [];
  conds.push(condition(prev?.conditions, 'PodReadyToStartContainers', sandboxReady && !terminal, now));
  conds.push(
    condition(
      prev?.conditions,
      'Initialized',
      incomplete.length === 0 || terminal,
      now,
      'ContainersNotInitialized',
      `containers with incomplete status: [${incomplete.map((s) => s.name).join(' ')}]`,
    ),
  );
  const readinessGates = spec?.readinessGates ?? [];
  const gatesOk = readinessGates.every((g) =>
    prev?.conditions?.some((c) => c.type === g.conditionType && c.status === 'True'),
  );
  const containersReady = unreadyNames.length === 0 && !terminal && regular.length > 0;
  const reasonMsg = terminal
    ? { reason: 'PodCompleted', message: '' }
    : {
        reason: 'ContainersNotReady',
        message: `containers with unready status: [${unreadyNames.join(' ')}]`,
      };
  conds.push(
    condition(
      prev?.conditions,
      'ContainersReady',
      containersReady,
      now,
      reasonMsg.reason,
      reasonMsg.message || undefined,
    ),
  );
  conds.push(
    condition(
      prev?.conditions,
      'Ready',
      containersReady && gatesOk,
      now,
      containersReady ? 'ReadinessGatesNotReady' : reasonMsg.reason,
      containersReady
        ? 'corresponding condition of pod readiness gate is not true'
        : reasonMsg.message || undefined,
    ),
  );
  // Conditions owned by others (PodScheduled, readiness gates, DisruptionTarget) are kept; a pod
  // that reached a node is scheduled, whoever put it there (as upstream's kubelet reports).
  const mine = new Set(conds.map((c) => c.type));
  for (const c of prev?.conditions ?? []) if (!mine.has(c.type)) conds.push(c);
  if (!conds.some((c) => c.type === 'PodScheduled'))
    conds.push({
      type: 'PodScheduled',
      status: 'True',
      lastProbeTime: null as unknown as undefined,
      lastTransitionTime: now,
    });
  const order = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
  conds.sort((a, b) => {
    const ia = order.indexOf(a.type);
    const ib = order.indexOf(b.type);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
  });

  const hostNetwork = spec?.hostNetwork === true;
  const ips = hostNetwork ? [ctx.hostIP] : (state.sandbox?.ips ?? []);
  const status: PodStatus = {
    phase,
    conditions: conds,
    hostIP: ctx.hostIP,
    hostIPs: [{ ip: ctx.hostIP }],
    startTime: prev?.startTime ?? now,
    qosClass: computePodQOS(spec),
  };
  if (ips.length) {
    status.podIP = ips[0];
    status.podIPs = ips.map((ip) => ({ ip }));
  } else if (terminal && prev?.podIP) {
    status.podIP = prev.podIP;
    status.podIPs = prev.podIPs;
  }
  if (initSpecs.length) status.initContainerStatuses = init;
  status.containerStatuses = regular;
  if (prev?.nominatedNodeName) status.nominatedNodeName = prev.nominatedNodeName;
  return status;
}
