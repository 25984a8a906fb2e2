/**
 * The simulated life of a pod on a hollow node, and the PodStatus a kubelet would report for it.
 *
 * Containers run forever, unless the pod asks otherwise:
 * - annotation `hollow.k8ts.io/exit-after: <duration>` (e.g. `5s`): every container exits that long
 *   after it started, with the code in `hollow.k8ts.io/exit-code` (default 0);
 * - a container whose command is `true` or `false` exits at once with 0 or 1.
 * An exited container stays terminated when the pod's restartPolicy is Never (or OnFailure and it
 * exited 0); otherwise it waits in CrashLoopBackOff for 10 s and runs again (restartCount + 1).
 * Init containers complete at once; sidecars (init containers with restartPolicy Always) run.
 */
import type { Container, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { createHash } from 'node:crypto';
import { rfc3339 } from '../util/time.js';
import { parseDurationMs } from './options.js';

export const EXIT_AFTER_ANNOTATION = 'hollow.k8ts.io/exit-after';
export const EXIT_CODE_ANNOTATION = 'hollow.k8ts.io/exit-code';
/** How long an exited container that restarts waits (upstream's first CrashLoopBackOff delay). */
export const RESTART_DELAY_MS = 10_000;

/** When a container exits, if ever. */
export interface ContainerPlan {
  exitAfterMs?: number;
  exitCode: number;
}

/** One simulated container. */
export interface SimContainer {
  name: string;
  image: string;
  plan: ContainerPlan;
  /** Start of the current run (ms). */
  startedAt: number;
  restarts: number;
  /** Set while the current run has ended. */
  exit?: { code: number; at: number };
  /** The previous run, once it restarted. */
  last?: { code: number; startedAt: number; finishedAt: number; restarts: number };
}

/** One simulated pod. */
export interface SimPod {
  uid: string;
  /** Pod IP ('' until known). */
  ip: string;
  startedAt: number;
  restartPolicy: string;
  init: { name: string; image: string; sidecar: boolean }[];
  containers: SimContainer[];
}

/** A pod's annotation-driven exit, or undefined. */
function annotationPlan(pod: Pod): ContainerPlan | undefined {
  const after = pod.metadata?.annotations?.[EXIT_AFTER_ANNOTATION];
  if (after === undefined) return undefined;
  let exitAfterMs: number;
  try {
    exitAfterMs = parseDurationMs(after);
  } catch {
    return undefined;
  }
  const code = Number(pod.metadata?.annotations?.[EXIT_CODE_ANNOTATION] ?? '0');
  return { exitAfterMs, exitCode: Number.isInteger(code) ? code : 1 };
}

/** How container `c` of `pod` behaves. */
export function containerPlan(pod: Pod, c: Container): ContainerPlan {
  const fromAnnotation = annotationPlan(pod);
  if (fromAnnotation) return fromAnnotation;
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  const program = argv.length === 1 ? (argv[0] ?? '').split('/').pop() : undefined;
  if (program === 'true') return { exitAfterMs: 0, exitCode: 0 };
  if (program === 'false') return { exitAfterMs: 0, exitCode: 1 };
  return { exitCode: 0 };
}

/** A pod that starts running at `now`. */
export function startPod(pod: Pod, ip: string, now: number): SimPod {
  return {
    uid: pod.metadata?.uid ?? '',
    ip,
    startedAt: now,
    restartPolicy: pod.spec?.restartPolicy ?? 'Always',
    init: (pod.spec?.initContainers ?? []).map((c) => ({
      name: c.name,
      image: c.image ?? '',
      sidecar: c.restartPolicy === 'Always',
    })),
    containers: (pod.spec?.containers ?? []).map((c) => ({
      name: c.name,
      image: c.image ?? '',
      plan: containerPlan(pod, c),
      startedAt: now,
      restarts: 0,
    })),
  };
}

function restarts(sim: SimPod, c: SimContainer): boolean {
  if (!c.exit) return false;
  if (sim.restartPolicy === 'Never') return false;
  if (sim.restartPolicy === 'OnFailure') return c.exit.code !== 0;
  return true;
}

/**
 * Moves the pod's containers to `now` (exits and restarts that fell due). Returns when the next
 * change is due (ms), or undefined when nothing more will happen by itself.
 */
export function advance(sim: SimPod, now: number): number | undefined {
  let next: number | undefined;
  const due = (at: number): void => {
    next = next === undefined ? at : Math.min(next, at);
  };
  for (const c of sim.containers) {
    for (;;) {
      if (!c.exit) {
        if (c.plan.exitAfterMs === undefined) break;
        const at = c.startedAt + c.plan.exitAfterMs;
        if (at > now) {
          due(at);
          break;
        }
        c.exit = { code: c.plan.exitCode, at };
        continue;
      }
      if (!restarts(sim, c)) break;
      const again = c.exit.at + RESTART_DELAY_MS;
      if (again > now) {
        due(again);
        break;
      }
      c.last = { code: c.exit.code, startedAt: c.startedAt, finishedAt: c.exit.at, restarts: c.restarts };
      c.restarts++;
      c.startedAt = again;
      c.exit = undefined;
    }
  }
  return next;
}

/** The pod's phase from its containers, as a kubelet computes it. */
export function simPhase(sim: SimPod): 'Running' | 'Succeeded' | 'Failed' {
  if (sim.containers.length === 0) return 'Running';
  const done = sim.containers.every((c) => c.exit && !restarts(sim, c));
  if (!done) return 'Running';
  return sim.containers.every((c) => c.exit?.code === 0) ? 'Succeeded' : 'Failed';
}

/** A simulated container ID (`hollow://<64 hex>`), stable for one run of one container. */
export function containerID(uid: string, name: string, run: number): string {
  return `hollow://${createHash('sha256').update(`${uid}/${name}/${run}`).digest('hex')}`;
}

const imageIDs = new Map<string, string>();

/** A simulated image digest reference for `image`. */
export function imageID(image: string): string {
  let id = imageIDs.get(image);
  if (!id) {
    const repo = image.replace(/[:@].*$/, '');
    id = `${repo}@sha256:${createHash('sha256').update(image).digest('hex')}`;
    if (imageIDs.size < 10_000) imageIDs.set(image, id);
  }
  return id;
}

const time = (ms: number): string => rfc3339(new Date(ms));

function terminatedState(
  uid: string,
  name: string,
  run: number,
  e: { code: number; startedAt: number; finishedAt: number },
): NonNullable<ContainerStatus['state']> {
  return {
    terminated: {
      exitCode: e.code,
      reason: e.code === 0 ? 'Completed' : 'Error',
      startedAt: time(e.startedAt),
      finishedAt: time(e.finishedAt),
      containerID: containerID(uid, name, run),
    },
  };
}

function containerStatus(sim: SimPod, c: SimContainer): ContainerStatus {
  const lastState = c.last
    ? terminatedState(sim.uid, c.name, c.last.restarts, {
        code: c.last.code,
        startedAt: c.last.startedAt,
        finishedAt: c.last.finishedAt,
      })
    : {};
  const base = { name: c.name, image: c.image, imageID: imageID(c.image), restartCount: c.restarts };
  if (!c.exit) {
    return {
      ...base,
      containerID: containerID(sim.uid, c.name, c.restarts),
      state: { running: { startedAt: time(c.startedAt) } },
      lastState,
      ready: true,
      started: true,
    };
  }
  const ended = terminatedState(sim.uid, c.name, c.restarts, {
    code: c.exit.code,
    startedAt: c.startedAt,
    finishedAt: c.exit.at,
  });
  if (restarts(sim, c)) {
    const id = containerID(sim.uid, c.name, c.restarts);
    return {
      ...base,
      containerID: id,
      state: {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off 10s restarting failed container=${c.name} pod=${sim.uid}`,
        },
      },
      lastState: ended,
      ready: false,
      started: false,
    };
  }
  return {
    ...base,
    containerID: containerID(sim.uid, c.name, c.restarts),
    state: ended,
    lastState,
    ready: false,
    started: false,
  };
}

function initStatus(sim: SimPod, c: SimPod['init'][number]): ContainerStatus {
  const base = { name: c.name, image: c.image, imageID: imageID(c.image), restartCount: 0 };
  const id = containerID(sim.uid, c.name, 0);
  if (c.sidecar)
    return {
      ...base,
      containerID: id,
      state: { running: { startedAt: time(sim.startedAt) } },
      lastState: {},
      ready: true,
      started: true,
    };
  return {
    ...base,
    containerID: id,
    state: terminatedState(sim.uid, c.name, 0, {
      code: 0,
      startedAt: sim.startedAt,
      finishedAt: sim.startedAt,
    }),
    lastState: {},
    ready: true,
    started: false,
  };
}

/** Inputs of {@link simStatus} beyond the simulated pod. */
export interface StatusInputs {
  now: number;
  hostIP: string;
  /** The pod's current conditions (kept: PodScheduled's transition time, readiness gates, others'). */
  previous: readonly PodCondition[] | undefined;
  readinessGates: readonly string[];
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
  return {
    type,
    status,
    lastProbeTime: null as unknown as undefined,
    lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

/** The PodStatus of a simulated pod at `in.now`. */
export function simStatus(sim: SimPod, input: StatusInputs): PodStatus {
  const now = time(input.now);
  const phase = simPhase(sim);
  const terminal = phase !== 'Running';
  const containerStatuses = sim.containers.map((c) => containerStatus(sim, c));
  const notReady = containerStatuses.filter((s) => !s.ready).map((s) => s.name);
  const gatesOk = input.readinessGates.every(
    (g) => input.previous?.find((c) => c.type === g)?.status === 'True',
  );
  let containersReady: PodCondition;
  let ready: PodCondition;
  if (terminal) {
    containersReady = condition(input.previous, 'ContainersReady', false, now, 'PodCompleted');
    ready = condition(input.previous, 'Ready', false, now, 'PodCompleted');
  } else if (notReady.length) {
    const msg = `containers with unready status: [${notReady.join(' ')}]`;
    containersReady = condition(input.previous, 'ContainersReady', false, now, 'ContainersNotReady', msg);
    ready = condition(input.previous, 'Ready', false, now, 'ContainersNotReady', msg);
  } else {
    containersReady = condition(input.previous, 'ContainersReady', true, now);
    ready = gatesOk
      ? condition(input.previous, 'Ready', true, now)
      : condition(
          input.previous,
          'Ready',
          false,
          now,
          'ReadinessGatesNotReady',
          'corresponding condition of pod readiness gate is not true',
        );
  }
  const own = new Set([
    'PodReadyToStartContainers',
    'Initialized',
    'ContainersReady',
    'Ready',
    'PodScheduled',
  ]);
  const conditions = [
    condition(input.previous, 'PodReadyToStartContainers', !terminal, now),
    condition(input.previous, 'Initialized', true, now),
    ready,
    containersReady,
    condition(input.previous, 'PodScheduled', true, now),
    ...(input.previous ?? []).filter((c) => !own.has(c.type)),
  ];
  return {
    phase,
    conditions,
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    ...(sim.ip ? { podIP: sim.ip, podIPs: [{ ip: sim.ip }] } : {}),
    startTime: time(sim.startedAt),
    ...(sim.init.length ? { initContainerStatuses: sim.init.map((c) => initStatus(sim, c)) } : {}),
    containerStatuses,
  };
}
