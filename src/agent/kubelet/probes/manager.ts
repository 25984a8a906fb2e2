/**
 * The probe manager: one worker per running container and probe kind (startup, readiness,
 * liveness), following upstream's kubelet semantics.
 *
 * - A worker probes every periodSeconds from when it was given the container (the first run at
 *   once); runs within initialDelaySeconds of the container's start are skipped.
 * - Readiness and liveness do not run until the startup probe has passed (a container without one
 *   counts as started); the startup probe stops once it passed.
 * - A verdict changes only after successThreshold successes or failureThreshold failures in a row.
 *   Readiness starts unknown (not ready), liveness starts healthy.
 * - A liveness verdict of failure, or a startup probe reaching failureThreshold, calls
 *   `onUnhealthy` once; that container is then left alone until a new one (another container ID)
 *   is added under the same name.
 * - Every verdict change calls `onChange(podUid)`; every failed, errored or warning run calls
 *   `onEvent` with upstream's Unhealthy / ProbeWarning message.
 * - While the pod is being deleted, liveness and startup stop (counted as passing); readiness
 *   keeps probing.
 */
import type { Probe } from 'kubernetes-types/core/v1.js';
import { componentLogger, type Logger } from '../../../util/log.js';
import { systemClock, type Clock } from '../../../util/time.js';
import { failedProbeMessage, probeEvent, type ProbeEvent } from './messages.js';
import { runProbe, type ProbeRunner } from './probe.js';
import { realTimers, type Timers } from './timers.js';
import type { ExecInContainer, ProbeKind, ProbeOutcome, ProbeResults, ProbeTarget } from './types.js';

/** Why a container must be killed. */
export interface UnhealthyInfo {
  /** The probe's last output (`HTTP probe failed with statuscode: 500`). */
  output: string;
  /**
   * `Container web failed liveness probe`: the Killing event's message; add `, will be restarted`
   * when the restart policy restarts it (see `killMessage`).
   */
  message: string;
  /** The probe's terminationGracePeriodSeconds: when set, it replaces the pod's for this kill. */
  terminationGracePeriodSeconds?: number;
}

/** What the probe manager needs from the agent. */
export interface ProbeManagerOptions {
  /** Runs commands in containers (CRI ExecSync). */
  exec: ExecInContainer;
  /** A verdict of the pod changed: recompute its status. */
  onChange: (podUid: string) => void;
  /** A container failed its liveness or startup probe: kill it (and restart per policy). */
  onUnhealthy: (target: ProbeTarget, kind: 'liveness' | 'startup', info: UnhealthyInfo) => void;
  /** An event to record on the container (Unhealthy, ProbeWarning). */
  onEvent?: (target: ProbeTarget, event: ProbeEvent) => void;
  clock?: Clock;
  timers?: Timers;
  /** Runs one probe (default: the real handlers). */
  runProbe?: ProbeRunner;
  /** In [0, 1): spreads the first probes of containers adopted at agent start. */
  random?: () => number;
  log?: Logger;
}

type Verdict = 'success' | 'failure';

interface Container {
  podUid: string;
  name: string;
  target: ProbeTarget;
  startedAtMs: number;
  hasStartup: boolean;
  verdicts: Map<ProbeKind, Verdict>;
  workers: Map<ProbeKind, Worker>;
}

interface Worker {
  kind: ProbeKind;
  spec: Probe;
  owner: Container;
  stopped: boolean;
  onHold: boolean;
  lastResult?: Verdict;
  run: number;
  inFlight: boolean;
  pendingTick: boolean;
  gridStart: number;
  ticks: number;
  timer?: unknown;
}

const KINDS: ReadonlyArray<[ProbeKind, 'startupProbe' | 'readinessProbe' | 'livenessProbe']> = [
  ['startup', 'startupProbe'],
  ['readiness', 'readinessProbe'],
  ['liveness', 'livenessProbe'],
];

const DEFAULT_PERIOD_SECONDS = 10;
const DEFAULT_FAILURE_THRESHOLD = 3;

/** Runs the probes of the node's containers and holds their verdicts. */
export class ProbeManager implements ProbeResults {
  private readonly containers = new Map<string, Container>();
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly run: ProbeRunner;
  private readonly random: () => number;
  private readonly log: Logger;
  private readonly startedAtMs: number;

  constructor(private readonly opts: ProbeManagerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.timers = opts.timers ?? realTimers;
    this.run = opts.runProbe ?? runProbe;
    this.random = opts.random ?? Math.random;
    this.log = opts.log ?? componentLogger('prober');
    this.startedAtMs = this.clock.now().getTime();
  }

  /**
   * Starts probing a container that is running. Adding the same container ID again only refreshes
   * the pod object (e.g. a deletion timestamp); another ID under the same pod and name replaces
   * the old container's workers and verdicts.
   */
  add(target: ProbeTarget): void {
    const podUid = target.pod.metadata?.uid ?? '';
    const key = keyOf(podUid, target.container.name);
    const existing = this.containers.get(key);
    if (existing?.target.containerId === target.containerId) {
      existing.target = target;
      return;
    }
    if (existing) this.drop(key, existing);
    const specs = KINDS.flatMap(([kind, field]) => {
      const spec = target.container[field];
      return spec ? [[kind, spec] as const] : [];
    });
    if (specs.length === 0) return;
    const now = this.clock.now().getTime();
    const c: Container = {
      podUid,
      name: target.container.name,
      target,
      startedAtMs: target.startedAt?.getTime() ?? now,
      hasStartup: target.container.startupProbe !== undefined,
      verdicts: new Map(),
      workers: new Map(),
    };
    this.containers.set(key, c);
    const adopted = c.startedAtMs < this.startedAtMs;
    for (const [kind, spec] of specs) {
      const w: Worker = {
        kind,
        spec,
        owner: c,
        stopped: false,
        onHold: false,
        run: 0,
        inFlight: false,
        pendingTick: false,
        gridStart: now,
        ticks: 0,
      };
      c.workers.set(kind, w);
      // Containers found running at agent start are spread over a period instead of all at once.
      const first = adopted ? Math.floor(this.random() * periodMs(spec)) : 0;
      w.gridStart = now + first;
      this.schedule(w);
    }
  }

  /** Stops probing a pod's containers (all of them, or the one named) and forgets their verdicts. */
  remove(podUid: string, container?: string): void {
    for (const [key, c] of this.containers) {
      if (c.podUid === podUid && (container === undefined || c.name === container)) this.drop(key, c);
    }
  }

  /** Stops every worker (agent shutdown). */
  stop(): void {
    for (const [key, c] of this.containers) this.drop(key, c);
  }

  /** Readiness verdict of the container's current instance (undefined: no verdict yet = not ready). */
  ready(podUid: string, container: string): boolean | undefined {
    const v = this.containers.get(keyOf(podUid, container))?.verdicts.get('readiness');
    return v === undefined ? undefined : v === 'success';
  }

  /** Startup probe verdict (undefined until it passed or failed for good, or without a startup probe). */
  started(podUid: string, container: string): boolean | undefined {
    const v = this.containers.get(keyOf(podUid, container))?.verdicts.get('startup');
    return v === undefined ? undefined : v === 'success';
  }

  /** Liveness verdict (undefined until a threshold is reached; healthy is assumed until then). */
  live(podUid: string, container: string): boolean | undefined {
    const v = this.containers.get(keyOf(podUid, container))?.verdicts.get('liveness');
    return v === undefined ? undefined : v === 'success';
  }

  private drop(key: string, c: Container): void {
    for (const w of c.workers.values()) this.halt(w);
    c.workers.clear();
    this.containers.delete(key);
  }

  private halt(w: Worker): void {
    w.stopped = true;
    if (w.timer !== undefined) this.timers.clearTimeout(w.timer);
    w.timer = undefined;
  }

  /** Arms the timer for the worker's next tick on its period grid. */
  private schedule(w: Worker): void {
    if (w.stopped) return;
    const at = w.gridStart + w.ticks * periodMs(w.spec);
    const delay = Math.max(0, at - this.clock.now().getTime());
    w.timer = this.timers.setTimeout(() => {
      w.timer = undefined;
      w.ticks++;
      this.schedule(w);
      this.tick(w);
    }, delay);
  }

  /** Runs the worker now and restarts its period from now (upstream's manual trigger). */
  private trigger(w: Worker): void {
    if (w.stopped) return;
    if (w.timer !== undefined) this.timers.clearTimeout(w.timer);
    w.gridStart = this.clock.now().getTime();
    w.ticks = 1;
    this.schedule(w);
    this.tick(w);
  }

  private tick(w: Worker): void {
    if (w.stopped) return;
    if (w.inFlight) {
      // Like a Go ticker, at most one tick waits for a slow probe to finish.
      w.pendingTick = true;
      return;
    }
    w.inFlight = true;
    this.probeOnce(w)
      .catch((err: unknown) =>
        this.log.error({ err, kind: w.kind, container: w.owner.name }, 'probe worker failed'),
      )
      .finally(() => {
        w.inFlight = false;
        if (w.pendingTick && !w.stopped) {
          w.pendingTick = false;
          this.tick(w);
        }
      });
  }

  private async probeOnce(w: Worker): Promise<void> {
    const c = w.owner;
    if (w.onHold) return;
    const { target } = c;
    if (target.pod.metadata?.deletionTimestamp && w.kind !== 'readiness') {
      // The pod is going away: its containers are not killed for failing now.
      this.setVerdict(c, w.kind, 'success');
      this.halt(w);
      return;
    }
    const now = this.clock.now().getTime();
    const runningSeconds = Math.floor((now - c.startedAtMs) / 1000);
    if (runningSeconds < (w.spec.initialDelaySeconds ?? 0)) return;
    const started = !c.hasStartup || c.verdicts.get('startup') === 'success';
    if (w.kind === 'startup' ? started : !started) return;

    const outcome = await this.run(w.spec, target, this.opts.exec);
    if (w.stopped) return;
    this.report(c, w.kind, outcome);
    if (outcome.result === 'unknown') return; // errors are reported, never counted

    const result: Verdict = outcome.result;
    if (w.lastResult === result) w.run++;
    else {
      w.lastResult = result;
      w.run = 1;
    }
    const needed =
      result === 'failure'
        ? (w.spec.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD)
        : (w.spec.successThreshold ?? 1);
    if (w.run < needed) return;

    this.setVerdict(c, w.kind, result);
    if (w.kind === 'startup' || (w.kind === 'liveness' && result === 'failure')) {
      // Nothing more to learn from this container: wait for its replacement.
      w.onHold = true;
      w.run = 0;
    }
    if (result === 'failure' && (w.kind === 'liveness' || w.kind === 'startup')) {
      const info: UnhealthyInfo = {
        output: outcome.output,
        message: failedProbeMessage(c.name, w.kind),
        ...(w.spec.terminationGracePeriodSeconds !== undefined
          ? { terminationGracePeriodSeconds: w.spec.terminationGracePeriodSeconds }
          : {}),
      };
      this.safely('onUnhealthy', () => this.opts.onUnhealthy(target, w.kind as 'liveness' | 'startup', info));
    }
    if (w.kind === 'startup' && result === 'success') {
      const readiness = c.workers.get('readiness');
      if (readiness) this.trigger(readiness);
    }
  }

  private setVerdict(c: Container, kind: ProbeKind, v: Verdict): void {
    if (c.verdicts.get(kind) === v) return;
    c.verdicts.set(kind, v);
    this.safely('onChange', () => this.opts.onChange(c.podUid));
  }

  private report(c: Container, kind: ProbeKind, outcome: ProbeOutcome): void {
    const event = probeEvent(kind, outcome);
    if (event && this.opts.onEvent) {
      const onEvent = this.opts.onEvent;
      this.safely('onEvent', () => onEvent(c.target, event));
    }
  }

  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, `probe manager ${what} callback failed`);
    }
  }
}

function keyOf(podUid: string, container: string): string {
  return `${podUid}/${container}`;
}

function periodMs(spec: Probe): number {
  const s = spec.periodSeconds && spec.periodSeconds > 0 ? spec.periodSeconds : DEFAULT_PERIOD_SECONDS;
  return s * 1000;
}
