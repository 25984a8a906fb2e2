/**
 * One pass of the kubelet over one pod (upstream's SyncPod, in k8ts's shape): read the pod's state from
 * the CRI, decide, act (sandbox, init containers in order, containers, restarts with back-off, kills),
 * and return what the status should say. The pod worker calls it whenever something about the pod
 * changed; it never waits for a container to finish.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { CriError, type RuntimeService } from '../../cri/client.js';
import type { Mount } from '../../cri/types.js';
import type { ProbeResults } from '../probes/types.js';
import type { MountedVolume, VolumeContext, VolumeManager } from '../volumes/types.js';
import { VolumeError } from '../volumes/types.js';
import type { Logger } from '../../../util/log.js';
import type { Backoff } from './backoff.js';
import { goDuration } from './backoff.js';
import { containerConfig, verifyRunAsNonRoot } from './container-config.js';
import type { DnsSettings } from './dns.js';
import { ContainerConfigError, containerEnv, type EnvSources, type ServiceLink } from './env.js';
import { ImageError, type ImagePuller } from './image-puller.js';
import { RuntimeCache } from './runtime-cache.js';
import {
  attemptsOf,
  type ObservedContainer,
  type PodRuntimeState,
  type WaitingReason,
} from './runtime-state.js';
import { podCgroupParent, sandboxConfig } from './sandbox-config.js';
import { containerSpecHash } from './spec-hash.js';
import { removePodCgroups } from './pod-cgroups.js';

/** Emits an event about the pod (fieldPath set for container events). */
export type PodEventSink = (
  pod: Pod,
  fieldPath: string | undefined,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
) => void;

/** Builds the CRI mounts of one container from the pod's set-up volumes. */
export type MountBuilder = (
  pod: Pod,
  container: Container,
  volumes: Map<string, MountedVolume>,
  lookupEnv: (name: string) => string | undefined,
  podIPs: string[],
) => Promise<Mount[]>;

/** Runs lifecycle hooks and manages probes for started containers. */
export interface ContainerLifecycle {
  /** A container runs (just started, or found running): probe it. Repeated calls refresh the pod. */
  started(pod: Pod, container: Container, containerId: string, podIP: string, startedAt?: Date): void;
  /** Runs postStart; resolves with an error message on failure. */
  postStart(pod: Pod, container: Container, containerId: string, podIP: string): Promise<string | undefined>;
  /** Runs preStop within the grace period; resolves when done or given up. */
  preStop(
    pod: Pod,
    container: Container,
    containerId: string,
    podIP: string,
    graceSeconds: number,
  ): Promise<void>;
  /** Stop probing the pod's containers (all when `container` is omitted). */
  forget(podUid: string, container?: string): void;
}

/** Everything a sync needs; one instance serves all pods of the node. */
export interface PodSyncDeps {
  runtime: RuntimeService;
  /**
   * The node's runtime picture, kept by the pod manager's relist (default: one of the syncer's own,
   * which then lists each pod when it is observed).
   */
  runtimeCache?: RuntimeCache;
  images: ImagePuller;
  volumes: VolumeManager;
  mounts: MountBuilder;
  lifecycle: ContainerLifecycle;
  probes: ProbeResults;
  envSources: EnvSources;
  services(namespace: string): ServiceLink[];
  event: PodEventSink;
  /** Pod DNS settings. */
  dns(pod: Pod): DnsSettings;
  node: { ip: string; memoryBytes: number; allocatable: Record<string, string> };
  logsRoot: string;
  /** cgroup path under which pod cgroups are made (`/k8ts`). */
  cgroupRoot: string;
  backoff: Backoff;
  now(): number;
  log: Logger;
  /**
   * Before a deleted pod's containers get SIGTERM (and their preStop hooks run): waits, within
   * `budgetMs`, until the pod no longer receives new Service traffic, so that a rollout drops no
   * request even without a preStop hook. The time it takes comes out of the grace period.
   */
  drain?(pod: Pod, budgetMs: number): Promise<void>;
}

/** At most this much of a deleted pod's grace period goes to waiting for its endpoints to drain. */
export const MAX_DRAIN_MS = 5000;

/** What a sync found and did. */
export interface SyncResult {
  state: PodRuntimeState;
  /** Ask to be synced again after this long (back-off expiry), if set. */
  retryAfterMs?: number;
  /** Every container and the sandbox are stopped (a terminating pod may now be deleted). */
  allStopped: boolean;
}

/** Liveness/startup verdicts waiting to be acted on, by `uid/container`. */
export type UnhealthySet = Map<string, { containerId: string; message: string }>;

const fieldPath = (pod: Pod, name: string): string => {
  const init = (pod.spec?.initContainers ?? []).some((c) => c.name === name);
  return `spec.${init ? 'initContainers' : 'containers'}{${name}}`;
};

/** What the runtime said, without the gRPC wrapping (upstream shows the status message alone). */
const runtimeMessage = (err: unknown): string =>
  err instanceof CriError ? err.details : err instanceof Error ? err.message : String(err);

const podRef = (pod: Pod): string =>
  `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`;

function shouldRestart(pod: Pod, c: ObservedContainer, isInit: boolean): boolean {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (isInit) return policy !== 'Never' && c.exitCode !== 0;
  if (policy === 'Always') return true;
  if (policy === 'OnFailure') return c.exitCode !== 0;
  return false;
}

/** Grace period for stopping containers now. */
export function gracePeriodSeconds(pod: Pod): number {
  const g = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  return Math.max(g, 2);
}

export class PodSyncer {
  private readonly cache: RuntimeCache;
  /** The cgroup parent of each pod this agent synced, to remove just that one when the pod goes. */
  private readonly podCgroups = new Map<string, string>();

  constructor(private readonly d: PodSyncDeps) {
    this.cache = d.runtimeCache ?? new RuntimeCache(d.runtime);
  }

  /**
   * Observes the pod's runtime state: from the node's runtime picture unless this agent changed the
   * pod since, or `fresh` (read the runtime now).
   */
  async observe(uid: string, waiting: Map<string, WaitingReason>, fresh = false): Promise<PodRuntimeState> {
    const { sandboxes, containers } = await this.cache.pod(uid, { fresh });
    const ready = sandboxes.find((s) => s.ready);
    return {
      sandbox: ready ?? sandboxes[0],
      containers,
      waiting,
      ready: new Map(),
      started: new Map(),
    };
  }

  /** Fills readiness and startup verdicts from the probe manager. */
  private withProbes(pod: Pod, state: PodRuntimeState): PodRuntimeState {
    const uid = pod.metadata?.uid ?? '';
    for (const c of pod.spec?.containers ?? []) {
      const r = this.d.probes.ready(uid, c.name);
      if (r !== undefined) state.ready.set(c.name, r);
      const s = this.d.probes.started(uid, c.name);
      if (s !== undefined) state.started.set(c.name, s);
    }
    return state;
  }

  /** Brings a live pod toward its spec. */
  async sync(pod: Pod, unhealthy: UnhealthySet): Promise<SyncResult> {
    const uid = pod.metadata?.uid ?? '';
    const waiting = new Map<string, WaitingReason>();
    if (!this.podCgroups.has(uid)) this.podCgroups.set(uid, podCgroupParent(pod, this.d.cgroupRoot));
    let state = await this.observe(uid, waiting);
    const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    if (terminal) return this.stopAll(pod, state, 'terminal');

    // Volumes first: containers cannot start without them.
    let volumes: Map<string, MountedVolume>;
    const volumeCtx: VolumeContext = {
      hostIP: this.d.node.ip,
      podIPs: state.sandbox?.ips ?? [],
      nodeAllocatable: this.d.node.allocatable,
    };
    try {
      volumes = await this.d.volumes.setUp(pod, volumeCtx);
    } catch (err) {
      if (!(err instanceof VolumeError)) throw err;
      this.d.event(
        pod,
        undefined,
        'Warning',
        'FailedMount',
        `MountVolume.SetUp failed for volume "${err.volume}" : ${err.message}`,
      );
      return { state: this.withProbes(pod, state), retryAfterMs: 2000, allStopped: false };
    }

    // The sandbox: a pod whose sandbox died gets a new one, and all its containers start over.
    if (!state.sandbox?.ready) {
      const running = state.containers.filter((c) => c.state === 'running');
      for (const c of running) await this.stopContainer(pod, c, 2, 'sandbox changed');
      const attempt = state.sandbox ? state.sandbox.attempt + 1 : 0;
      if (state.sandbox)
        this.d.event(
          pod,
          undefined,
          'Normal',
          'SandboxChanged',
          'Pod sandbox changed, it will be killed and re-created.',
        );
      let created: string;
      try {
        ({ podSandboxId: created } = await this.cache.change(uid, () =>
          this.d.runtime.runPodSandbox({
            config: sandboxConfig(pod, attempt, {
              logsRoot: this.d.logsRoot,
              dns: this.d.dns(pod),
              cgroupRoot: this.d.cgroupRoot,
            }),
          }),
        ));
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        this.d.event(
          pod,
          undefined,
          'Warning',
          'FailedCreatePodSandBox',
          `Failed to create pod sandbox: ${msg}`,
        );
        return { state: this.withProbes(pod, state), retryAfterMs: 5000, allStopped: false };
      }
      // The new sandbox is all this needs to go on (the containers of an old one count only for
      // their restart counts); the pod is read whole again at the end of the sync.
      const fresh = await this.cache.sandboxStatus(created).catch(() => undefined);
      state = fresh ? { ...state, sandbox: fresh } : await this.observe(uid, waiting);
    }
    const sandbox = state.sandbox;
    if (!sandbox?.ready) return { state: this.withProbes(pod, state), retryAfterMs: 2000, allStopped: false };
    const inSandbox = (c: ObservedContainer): boolean =>
      c.sandboxId === undefined || c.sandboxId === sandbox.id;
    // Restart counts continue across sandboxes; decisions look at the current sandbox only.
    const attempts = (name: string): { latest?: ObservedContainer; next: number } => {
      const { latest } = attemptsOf(state, name);
      return {
        latest: latest && inSandbox(latest) ? latest : undefined,
        next: latest ? latest.attempt + 1 : 0,
      };
    };
    const podIP = pod.spec?.hostNetwork ? this.d.node.ip : (sandbox.ips[0] ?? '');
    volumeCtx.podIPs = sandbox.ips;

    let retryAfterMs: number | undefined;
    const retryIn = (ms: number): void => {
      retryAfterMs = retryAfterMs === undefined ? ms : Math.min(retryAfterMs, ms);
    };

    // Init containers, one at a time, in order.
    for (const c of pod.spec?.initContainers ?? []) {
      if (c.restartPolicy === 'Always') continue; // sidecars run with the regular containers below
      const { latest, next } = attempts(c.name);
      if (latest?.state === 'running' || latest?.state === 'created') {
        return { state: this.withProbes(pod, state), retryAfterMs, allStopped: false };
      }
      if (latest?.state === 'exited' && latest.exitCode === 0) continue;
      if (latest?.state === 'exited') {
        if (!shouldRestart(pod, latest, true)) {
          // restartPolicy Never: the pod has failed.
          return { state: this.withProbes(pod, state), allStopped: false };
        }
        const wait = this.backoffWait(pod, c, latest, waiting);
        if (wait > 0) {
          retryIn(wait);
          return { state: this.withProbes(pod, state), retryAfterMs, allStopped: false };
        }
      }
      await this.startContainer(pod, c, next, sandbox.id, podIP, volumes, waiting, true);
      return {
        state: this.withProbes(pod, await this.observe(uid, waiting)),
        retryAfterMs: 1000,
        allStopped: false,
      };
    }

    // Sidecars (restartable init containers) and regular containers.
    const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
    for (const c of [...sidecars, ...(pod.spec?.containers ?? [])]) {
      const isSidecar = sidecars.includes(c);
      const key = `${uid}/${c.name}`;
      const { latest, next } = attempts(c.name);
      let specChanged = false;
      if (latest?.state === 'running') {
        const bad = unhealthy.get(key);
        if (bad && bad.containerId === latest.id) {
          unhealthy.delete(key);
          this.d.event(pod, fieldPath(pod, c.name), 'Normal', 'Killing', bad.message);
          await this.stopContainer(pod, latest, gracePeriodSeconds(pod), bad.message);
        } else if (latest.specHash && latest.specHash !== containerSpecHash(c)) {
          this.d.event(
            pod,
            fieldPath(pod, c.name),
            'Normal',
            'Killing',
            `Container ${c.name} definition changed, will be restarted`,
          );
          await this.stopContainer(pod, latest, gracePeriodSeconds(pod), 'definition changed');
          specChanged = true;
        } else {
          this.d.lifecycle.started(pod, c, latest.id, podIP, latest.startedAt);
          continue;
        }
        const after = (await this.cache.pod(uid)).containers.find((x) => x.id === latest.id);
        if (after?.state === 'running') continue;
        if (after) Object.assign(latest, after);
      }
      if (latest && !specChanged && latest.state !== 'running') {
        if (!isSidecar && !shouldRestart(pod, latest, false)) continue;
        const wait = this.backoffWait(pod, c, latest, waiting);
        if (wait > 0) {
          retryIn(wait);
          continue;
        }
      }
      const ok = await this.startContainer(pod, c, next, sandbox.id, podIP, volumes, waiting, false);
      if (!ok) retryIn(waiting.get(c.name)?.reason === 'ErrImagePull' ? 1000 : 5000);
    }
    // Read again only what this sync changed (observe knows: the pod's entry is older than the change).
    return { state: this.withProbes(pod, await this.observe(uid, waiting)), retryAfterMs, allStopped: false };
  }

  /** Applies restart back-off; returns the time still to wait (0: restart now). */
  private backoffWait(
    pod: Pod,
    c: Container,
    last: ObservedContainer,
    waiting: Map<string, WaitingReason>,
  ): number {
    const key = `${pod.metadata?.uid ?? ''}/${c.name}`;
    const failedAt = last.finishedAt?.getTime() ?? last.createdAt?.getTime() ?? 0;
    const wait = this.d.backoff.remaining(key, failedAt, this.d.now(), last.id);
    if (wait > 0) {
      const delay = goDuration(this.d.backoff.delay(key));
      waiting.set(c.name, {
        reason: 'CrashLoopBackOff',
        message: `back-off ${delay} restarting failed container=${c.name} pod=${podRef(pod)}`,
      });
      this.d.event(
        pod,
        fieldPath(pod, c.name),
        'Warning',
        'BackOff',
        `Back-off restarting failed container ${c.name} in pod ${podRef(pod)}`,
      );
      return wait;
    }
    const ran = last.startedAt && last.finishedAt ? last.finishedAt.getTime() - last.startedAt.getTime() : 0;
    this.d.backoff.next(key, failedAt, ran, last.id);
    return 0;
  }

  /** Pulls, configures, creates and starts one container; false when it could not be started. */
  private async startContainer(
    pod: Pod,
    c: Container,
    attempt: number,
    sandboxId: string,
    podIP: string,
    volumes: Map<string, MountedVolume>,
    waiting: Map<string, WaitingReason>,
    isInit: boolean,
  ): Promise<boolean> {
    const fp = fieldPath(pod, c.name);
    const emit = (type: 'Normal' | 'Warning', reason: string, message: string): void =>
      this.d.event(pod, fp, type, reason, message);
    let image: Awaited<ReturnType<ImagePuller['ensure']>>;
    try {
      image = await this.d.images.ensure(pod, c, emit);
    } catch (err) {
      if (err instanceof ImageError) {
        waiting.set(c.name, { reason: err.reason, message: err.message });
        return false;
      }
      throw err;
    }
    const ns = pod.metadata?.namespace ?? 'default';
    let config;
    try {
      const nonRoot = verifyRunAsNonRoot(pod, c, image);
      if (nonRoot) throw new ContainerConfigError(nonRoot);
      const env = await containerEnv(pod, c, this.d.envSources, this.d.services(ns), {
        hostIP: this.d.node.ip,
        podIPs: podIP ? [podIP] : [],
        nodeAllocatable: this.d.node.allocatable,
      });
      const envMap = new Map(env.map((e) => [e.key, e.value]));
      const mounts = await this.d.mounts(pod, c, volumes, (n) => envMap.get(n), podIP ? [podIP] : []);
      config = containerConfig(pod, c, {
        attempt,
        image: image.imageRef,
        env,
        mounts,
        logPath: `${c.name}/${attempt}.log`,
        specHash: containerSpecHash(c),
        isInit,
        nodeMemoryBytes: this.d.node.memoryBytes,
      });
    } catch (err) {
      if (err instanceof ContainerConfigError || err instanceof VolumeError) {
        emit('Warning', 'Failed', `Error: ${err.message}`);
        waiting.set(c.name, { reason: 'CreateContainerConfigError', message: err.message });
        return false;
      }
      throw err;
    }
    const sandboxCfg = sandboxConfig(pod, 0, {
      logsRoot: this.d.logsRoot,
      dns: this.d.dns(pod),
      cgroupRoot: this.d.cgroupRoot,
    });
    const uid = pod.metadata?.uid ?? '';
    let containerId: string;
    try {
      containerId = (
        await this.cache.change(uid, () =>
          this.d.runtime.createContainer({ podSandboxId: sandboxId, config, sandboxConfig: sandboxCfg }),
        )
      ).containerId;
    } catch (err) {
      const msg = runtimeMessage(err);
      emit('Warning', 'Failed', `Error: ${msg}`);
      waiting.set(c.name, { reason: 'CreateContainerError', message: msg });
      return false;
    }
    emit('Normal', 'Created', `Created container: ${c.name}`);
    try {
      await this.cache.change(uid, () => this.d.runtime.startContainer({ containerId }));
    } catch (err) {
      const msg = runtimeMessage(err);
      emit('Warning', 'Failed', `Error: ${msg}`);
      waiting.set(c.name, { reason: 'RunContainerError', message: msg });
      return false;
    }
    emit('Normal', 'Started', `Started container ${c.name}`);
    waiting.delete(c.name);
    if (!isInit || c.restartPolicy === 'Always') this.d.lifecycle.started(pod, c, containerId, podIP);
    if (c.lifecycle?.postStart) {
      const failure = await this.d.lifecycle.postStart(pod, c, containerId, podIP);
      if (failure !== undefined) {
        emit('Warning', 'FailedPostStartHook', failure);
        await this.cache
          .change(uid, () => this.d.runtime.stopContainer({ containerId, timeout: gracePeriodSeconds(pod) }))
          .catch(() => undefined);
        waiting.set(c.name, { reason: 'PostStartHookError', message: failure });
        return false;
      }
    }
    return true;
  }

  /** Stops one container: preStop hook, then SIGTERM and SIGKILL after the grace period. */
  async stopContainer(pod: Pod, c: ObservedContainer, graceSeconds: number, why: string): Promise<void> {
    const spec = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find(
      (s) => s.name === c.name,
    );
    const started = this.d.now();
    if (spec?.lifecycle?.preStop && c.state === 'running') {
      const podIP = pod.status?.podIP ?? '';
      await this.d.lifecycle.preStop(pod, spec, c.id, podIP, graceSeconds);
    }
    const left = Math.max(2, graceSeconds - Math.floor((this.d.now() - started) / 1000));
    this.d.lifecycle.forget(pod.metadata?.uid ?? '', c.name);
    try {
      await this.cache.change(pod.metadata?.uid ?? '', () =>
        this.d.runtime.stopContainer({ containerId: c.id, timeout: left }),
      );
    } catch (err) {
      this.d.log.warn({ err, container: c.name, pod: podRef(pod), why }, 'stopping container failed');
    }
  }

  /** Stops every container and the sandbox (pod deleted, or terminal). */
  async stopAll(pod: Pod, state: PodRuntimeState, why: string): Promise<SyncResult> {
    const running = state.containers.filter((c) => c.state === 'running' || c.state === 'created');
    let grace = gracePeriodSeconds(pod);
    if (why === 'deleted' && grace > 0 && this.d.drain && running.some((c) => c.state === 'running')) {
      const started = this.d.now();
      await this.d.drain(pod, Math.min(MAX_DRAIN_MS, (grace * 1000) / 2)).catch((err: unknown) => {
        this.d.log.warn({ err, pod: podRef(pod) }, 'waiting for the pod to leave the data path failed');
      });
      grace = Math.max(1, Math.ceil(grace - (this.d.now() - started) / 1000));
    }
    await Promise.all(
      running.map(async (c) => {
        if (why === 'deleted')
          this.d.event(pod, fieldPath(pod, c.name), 'Normal', 'Killing', `Stopping container ${c.name}`);
        await this.stopContainer(pod, c, grace, why);
      }),
    );
    const uid = pod.metadata?.uid ?? '';
    for (const s of await this.cache.sandboxes(uid)) {
      if (s.ready) await this.cache.change(uid, () => this.d.runtime.stopPodSandbox({ podSandboxId: s.id }));
    }
    this.d.lifecycle.forget(uid);
    const after = await this.observe(uid, state.waiting);
    const allStopped = after.containers.every((c) => c.state !== 'running') && !after.sandbox?.ready;
    return { state: this.withProbes(pod, after), allStopped };
  }

  /**
   * Removes dead containers of a live pod beyond the latest two attempts of each name (the current
   * and the previous one, for `kubectl logs --previous`), as upstream's container GC keeps few.
   */
  async prune(uid: string, state: PodRuntimeState): Promise<void> {
    const byName = new Map<string, ObservedContainer[]>();
    for (const c of state.containers) (byName.get(c.name) ?? byName.set(c.name, []).get(c.name))?.push(c);
    for (const list of byName.values()) {
      list.sort((a, b) => b.attempt - a.attempt);
      for (const c of list.slice(2)) {
        if (c.state !== 'exited') continue;
        await this.cache
          .change(uid, () => this.d.runtime.removeContainer({ containerId: c.id }))
          .catch((err: unknown) => {
            this.d.log.warn({ err, container: c.id }, 'removing a dead container failed');
          });
      }
    }
  }

  /** Removes the pod's sandboxes (with their containers) and volumes: the pod is gone. */
  async removeAll(uid: string): Promise<void> {
    for (const s of await this.cache.sandboxes(uid)) {
      await this.cache.change(uid, async () => {
        if (s.ready) await this.d.runtime.stopPodSandbox({ podSandboxId: s.id });
        await this.d.runtime.removePodSandbox({ podSandboxId: s.id });
      });
    }
    const busy = await removePodCgroups(this.d.cgroupRoot, uid, this.podCgroups.get(uid));
    if (busy.length) this.d.log.warn({ podUid: uid, cgroups: busy }, 'pod cgroups not removed');
    else this.podCgroups.delete(uid);
    await this.d.volumes.tearDown(uid);
    this.d.lifecycle.forget(uid);
    this.d.backoff.forget(`${uid}/`);
    this.d.images.forget(uid);
  }
}
