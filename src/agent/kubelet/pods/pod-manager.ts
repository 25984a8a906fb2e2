/**
 * The kubelet's pod loop: watches the pods bound to this node, runs one serialized worker per pod
 * (a pod is never synced twice at once), notices runtime changes by relisting the CRI every second
 * (upstream's PLEG, runtime-cache.ts: the pod workers read the relisted picture), reports status when
 * it changes, finishes graceful deletion (the Pod object goes
 * away only after its containers stopped) and removes what the runtime still holds of pods that are
 * gone.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../../api/errors.js';
import type { ApiObject, Client, Informer } from '../../../client/types.js';
import { PODS } from '../../../client/resources.js';
import type { RuntimeService } from '../../cri/client.js';
import type { Logger } from '../../../util/log.js';
import { CONFIG_MIRROR_ANNOTATION, isMirrorPod } from '../static/static-pods.js';
import type { PodSyncer, SyncResult, UnhealthySet } from './pod-sync.js';
import { RuntimeCache } from './runtime-cache.js';
import { podStatus } from './status.js';

export interface PodManagerOptions {
  client: Client;
  informer: Informer<ApiObject>;
  runtime: RuntimeService;
  /** The runtime picture the relist keeps; give the syncer the same one (default: a new one). */
  runtimeCache?: RuntimeCache;
  syncer: PodSyncer;
  hostIP: string;
  runtimeName: string;
  log: Logger;
  now?(): Date;
  relistMs?: number;
  /**
   * Periodic re-sync of every pod (catches what no event announces; refreshes volume contents): each
   * pod again between this long and half as long again after its last sync (default 10 s), so the
   * pods of a node do not all sync at once.
   */
  resyncMs?: number;
  /** Pods that do not come from the API (static pods): keyed by uid. */
  staticPods?(): Pod[];
}

interface Worker {
  running: boolean;
  again: boolean;
  timer?: NodeJS.Timeout;
  lastStatus?: string;
  /** The status this agent last wrote (what its echo from the watch will carry). */
  lastSent?: PodStatus;
  deleting?: boolean;
}

/** Metadata without the fields every write changes. */
function stableMeta(p: ApiObject): unknown {
  const { resourceVersion: _rv, managedFields: _mf, ...rest } = p.metadata;
  return rest;
}

/**
 * True when `next` differs from `prev` only by carrying the status this agent itself wrote (`sent`):
 * the watch echo of its own status update. Upstream's kubelet does not sync a pod for status-only
 * changes either (they are a reconcile, not an update); a sync here would redo the pod's volumes
 * and runtime reads for nothing.
 */
export function isOwnStatusEcho(prev: ApiObject, next: ApiObject, sent: PodStatus | undefined): boolean {
  if (!sent) return false;
  if (!isDeepStrictEqual(prev['spec'], next['spec'])) return false;
  if (!isDeepStrictEqual(stableMeta(prev), stableMeta(next))) return false;
  const status = (next['status'] ?? {}) as Record<string, unknown>;
  return Object.entries(sent).every(([k, v]) => isDeepStrictEqual(status[k], v));
}

export class PodManager {
  private readonly workers = new Map<string, Worker>();
  private readonly unhealthy: UnhealthySet = new Map();
  private readonly fingerprints = new Map<string, string>();
  private relistTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly now: () => Date;
  private readonly cache: RuntimeCache;

  constructor(private readonly o: PodManagerOptions) {
    this.now = o.now ?? (() => new Date());
    this.cache = o.runtimeCache ?? new RuntimeCache(o.runtime);
  }

  /** Starts reacting to pods; call after the informer synced. */
  start(): void {
    this.o.informer.addHandlers({
      add: (p) => this.schedule(p.metadata.uid ?? ''),
      update: (prev, p) => {
        const uid = p.metadata.uid ?? '';
        if (isOwnStatusEcho(prev, p, this.workers.get(uid)?.lastSent)) return;
        this.schedule(uid);
      },
      delete: (p) => this.schedule(p.metadata.uid ?? ''),
    });
    const relist = (): void => {
      if (this.stopped) return;
      this.relist()
        .catch((err: unknown) => this.o.log.warn({ err }, 'runtime relist failed'))
        .finally(() => {
          if (!this.stopped) this.relistTimer = setTimeout(relist, this.o.relistMs ?? 1000).unref();
        });
    };
    relist();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.relistTimer);
    for (const w of this.workers.values()) if (w.timer) clearTimeout(w.timer);
  }

  /** A liveness or startup probe failed for good: restart the container on the next sync. */
  markUnhealthy(podUid: string, container: string, containerId: string, message: string): void {
    this.unhealthy.set(`${podUid}/${container}`, { containerId, message });
    this.schedule(podUid);
  }

  /** Every pod this node should run: from the API and static ones. */
  pods(): Pod[] {
    // Mirror pods only reflect static pods in the API: the static pod itself is what runs.
    const fromApi = (this.o.informer.list() as Pod[]).filter((p) => !isMirrorPod(p));
    return [...fromApi, ...(this.o.staticPods?.() ?? [])];
  }

  private podByUid(uid: string): Pod | undefined {
    return this.pods().find((p) => p.metadata?.uid === uid);
  }

  /** Queues a sync of the pod (coalescing repeated requests). */
  schedule(uid: string, afterMs = 0): void {
    if (!uid || this.stopped) return;
    let w = this.workers.get(uid);
    if (!w) {
      w = { running: false, again: false };
      this.workers.set(uid, w);
    }
    const worker = w;
    if (afterMs > 0) {
      if (worker.timer) clearTimeout(worker.timer);
      worker.timer = setTimeout(() => {
        worker.timer = undefined;
        this.schedule(uid);
      }, afterMs).unref();
      return;
    }
    if (worker.running) {
      worker.again = true;
      return;
    }
    worker.running = true;
    void this.run(uid, worker);
  }

  private async run(uid: string, w: Worker): Promise<void> {
    try {
      do {
        w.again = false;
        await this.syncOne(uid, w);
      } while (w.again && !this.stopped);
    } catch (err) {
      this.o.log.error({ err, podUid: uid }, 'pod sync failed');
      this.schedule(uid, 2000);
    } finally {
      w.running = false;
      if (w.again) this.schedule(uid);
    }
  }

  private async syncOne(uid: string, w: Worker): Promise<void> {
    const pod = this.podByUid(uid);
    if (!pod) {
      // The Pod object is gone: whatever the runtime still runs of it goes too.
      await this.o.syncer.removeAll(uid);
      if (w.timer) clearTimeout(w.timer);
      this.workers.delete(uid);
      this.fingerprints.delete(uid);
      return;
    }
    let res: SyncResult;
    if (pod.metadata?.deletionTimestamp) {
      w.deleting = true;
      res = await this.o.syncer.stopAll(pod, await this.o.syncer.observe(uid, new Map()), 'deleted');
    } else {
      res = await this.o.syncer.sync(pod, this.unhealthy);
      if (res.state.containers.length > 4) await this.o.syncer.prune(uid, res.state);
    }
    const status = podStatus(pod, res.state, {
      now: this.now(),
      hostIP: this.o.hostIP,
      runtimeName: this.o.runtimeName,
    });
    await this.report(pod, status, w);
    if (pod.metadata?.deletionTimestamp && res.allStopped) {
      await this.finishDeletion(pod);
      return;
    }
    const terminalNow =
      (status.phase === 'Succeeded' || status.phase === 'Failed') && pod.status?.phase !== status.phase;
    if (terminalNow) w.again = true; // stop the sandbox of a pod that just finished
    this.schedule(uid, res.retryAfterMs ?? this.resyncDelay());
  }

  /** When to sync a pod again that asked for nothing: the resync period plus up to half of it. */
  private resyncDelay(): number {
    const base = this.o.resyncMs ?? 10_000;
    return base + Math.floor(Math.random() * base * 0.5);
  }

  /** Writes the pod's status when it changed. */
  private async report(pod: Pod, status: PodStatus, w: Worker): Promise<void> {
    let meta = pod.metadata;
    if (!meta?.name || meta.uid === undefined) return;
    if (this.o.staticPods?.().some((p) => p.metadata?.uid === meta?.uid)) {
      // A static pod's status goes to its mirror pod.
      const uid = meta.uid;
      const mirror = (this.o.informer.list() as Pod[]).find(
        (p) => p.metadata?.annotations?.[CONFIG_MIRROR_ANNOTATION] === uid,
      );
      if (!mirror?.metadata?.name) return;
      meta = mirror.metadata;
      pod = mirror;
    }
    const name = meta.name;
    if (!name) return;
    const text = JSON.stringify(status);
    if (text === JSON.stringify(pod.status ?? {}) || text === w.lastStatus) return;
    // Set before the request: the watch may deliver the echo before the answer arrives.
    const sentBefore = w.lastSent;
    w.lastSent = JSON.parse(text) as PodStatus;
    try {
      await this.o.client
        .resource(PODS, meta.namespace)
        .patch(name, 'merge', { metadata: { uid: meta.uid }, status }, { subresource: 'status' });
      w.lastStatus = text;
    } catch (err) {
      w.lastSent = sentBefore;
      if (err instanceof ApiError && (err.code === 404 || err.code === 409 || err.code === 422)) return;
      throw err;
    }
  }

  /** Deletes the Pod object for good once its containers have stopped. */
  private async finishDeletion(pod: Pod): Promise<void> {
    const meta = pod.metadata;
    if (!meta?.name) return;
    try {
      await this.o.client
        .resource(PODS, meta.namespace)
        .delete(meta.name, { gracePeriodSeconds: 0, preconditions: { uid: meta.uid } });
    } catch (err) {
      if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
    }
  }

  /** Lists the runtime's containers; pods whose containers changed are synced. */
  private async relist(): Promise<void> {
    const prints = await this.cache.relist();
    // The uids of the pods this node runs, made at most once per relist.
    let known: Set<string> | undefined;
    const isKnown = (uid: string): boolean =>
      (known ??= new Set(this.pods().map((p) => p.metadata?.uid ?? ''))).has(uid);
    const synced = this.o.informer.hasSynced();
    for (const [uid, fp] of prints) {
      if (this.fingerprints.get(uid) !== fp) {
        this.fingerprints.set(uid, fp);
        this.schedule(uid);
      } else if (synced && !this.workers.get(uid)?.running && !isKnown(uid)) {
        this.schedule(uid);
      }
    }
    for (const uid of [...this.fingerprints.keys()]) {
      if (!prints.has(uid)) this.fingerprints.delete(uid);
    }
  }
}
