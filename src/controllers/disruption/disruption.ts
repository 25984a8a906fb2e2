/**
 * The disruption controller (upstream name `disruption`): keeps each PodDisruptionBudget's status —
 * expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed, the evictions still awaiting
 * their pod's deletion (disruptedPods, dropped after two minutes), observedGeneration and the
 * DisruptionAllowed condition — and turns back stale DisruptionTarget conditions of pods an
 * eviction marked but never deleted.
 *
 * Handlers enqueue the budgets a pod belongs to; `sync` reads the caches and writes status. When a
 * budget cannot be computed (a pod's controller has no scale) it publishes disruptionsAllowed 0 with
 * reason SyncFailed, so evictions stay safe.
 */
import { runSynced, SyncGate } from '../framework/manager.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { ApiError } from '../../api/errors.js';
import { parseApiVersion } from '../../api/meta.js';
import {
  DISRUPTION_ALLOWED,
  goLabelSelector,
  pdbSelects,
  pdbStatusOf,
  setCondition,
  SYNC_FAILED,
} from '../../api/policy/pdb.js';
import { num, rec, records, str, type JsonObject } from '../../api/core/util.js';
import { RESOURCES } from '../../api/resources.js';
import { DEPLOYMENTS, PDBS, PODS, REPLICASETS, STATEFULSETS, refOf } from '../../client/resources.js';
import { objectKey, type ApiObject, type Informer, type ResourceRef } from '../../client/types.js';
import type { EventRecorder, EventTarget } from '../../client/events.js';
import type { Logger } from '../../util/log.js';
import { rfc3339 } from '../../util/time.js';
import { BY_NAMESPACE, indexByNamespace } from '../framework/indexes.js';
import type { Controller, ControllerContext } from '../framework/types.js';
import { WorkQueue } from '../queue.js';
import { builtinFinders, expectedPodCount, type ScaleFinder } from './expected.js';
import { buildDisruptedPodMap, countHealthy, nextStatus, type PodLike } from './status.js';

/** A DisruptionTarget condition left True on a pod that is not terminating is reset after this long. */
export const STALE_POD_DISRUPTION_TIMEOUT_MS = 2 * 60_000;

/** ReplicationControllers, when served (k8ts does not serve them yet). */
const RC_TYPE = RESOURCES.find((r) => r.group === '' && r.plural === 'replicationcontrollers');
const RCS: ResourceRef | undefined = RC_TYPE ? refOf(RC_TYPE) : undefined;

function targetOf(obj: ApiObject): EventTarget {
  return {
    kind: obj.kind ?? '',
    apiVersion: obj.apiVersion ?? '',
    namespace: obj.metadata.namespace,
    name: obj.metadata.name ?? '',
    uid: obj.metadata.uid,
    resourceVersion: obj.metadata.resourceVersion,
  };
}

/** Whether a pod carries a DisruptionTarget=True condition that may go stale, and after how long. */
export function staleDisruption(pod: JsonObject, now: number): { stale: boolean; afterMs: number } {
  const meta = rec(pod['metadata']) ?? {};
  if (meta['deletionTimestamp']) return { stale: false, afterMs: 0 };
  const status = rec(pod['status']) ?? {};
  const phase = str(status['phase']);
  const cond = records(status['conditions'])
    .map(([c]) => c)
    .find((c) => str(c['type']) === 'DisruptionTarget');
  if (
    !cond ||
    str(cond['status']) !== 'True' ||
    str(cond['reason']) === 'TerminationByKubelet' ||
    phase === 'Succeeded' ||
    phase === 'Failed'
  )
    return { stale: false, afterMs: 0 };
  const since = Date.parse(str(cond['lastTransitionTime']));
  const wait = Number.isFinite(since) ? STALE_POD_DISRUPTION_TIMEOUT_MS - (now - since) : 0;
  return { stale: true, afterMs: Math.max(0, wait) };
}

class DisruptionSync {
  readonly queue: WorkQueue;
  readonly staleQueue: WorkQueue;
  private readonly pdbs: Informer;
  private readonly pods: Informer;
  private readonly pdbsIn: (ns: string) => ApiObject[];
  private readonly podsIn: (ns: string) => ApiObject[];
  private readonly finders: ScaleFinder[];
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  /** Resolves once every informer has synced: no budget is computed from a half-loaded cache. */
  private readonly gate = new SyncGate();

  constructor(private readonly ctx: ControllerContext) {
    this.log = ctx.logger('disruption-controller');
    this.recorder = ctx.recorder('controllermanager');
    const inf = ctx.informers;
    this.pdbs = inf.informer(PDBS);
    this.pods = inf.informer(PODS);
    const rs = inf.informer(REPLICASETS);
    const deploy = inf.informer(DEPLOYMENTS);
    const ss = inf.informer(STATEFULSETS);
    const rc = RCS ? inf.informer(RCS) : undefined;
    this.pdbsIn = inNamespaceOf(this.pdbs);
    this.podsIn = inNamespaceOf(this.pods);
    this.finders = [
      ...builtinFinders({
        replicaSet: (k) => rs.get(k),
        deployment: (k) => deploy.get(k),
        statefulSet: (k) => ss.get(k),
        replicationController: (k) => rc?.get(k),
      }),
      (ref, ns) => this.scaleOfOther(ref, ns),
    ];
    this.queue = new WorkQueue((key) => this.sync(key), this.log, { concurrency: 2 });
    this.staleQueue = new WorkQueue((key) => this.syncStalePod(key), this.log, { concurrency: 1 });
    const enqueue = (o: ApiObject): void => this.queue.add(objectKey(o));
    this.pdbs.addHandlers({ add: enqueue, update: (_, cur) => enqueue(cur), delete: enqueue });
    this.pods.addHandlers({
      add: (pod) => this.podChanged(pod),
      update: (_, pod) => this.podChanged(pod),
      delete: (pod) => this.podChanged(pod, true),
    });
  }

  private podChanged(pod: ApiObject, deleted = false): void {
    const ns = pod.metadata.namespace ?? '';
    const labels = pod.metadata.labels ?? {};
    const matching = this.pdbsIn(ns).filter((pdb) => pdbSelects(pdb, labels));
    if (matching.length > 1 && !deleted) {
      const msg = `Pod ${JSON.stringify(ns)}/${JSON.stringify(pod.metadata.name ?? '')} matches multiple PodDisruptionBudgets.  Chose ${JSON.stringify(matching[0]?.metadata.name ?? '')} arbitrarily.`;
      void this.recorder.record(targetOf(pod), 'Warning', 'MultiplePodDisruptionBudgets', msg);
    }
    for (const pdb of matching) this.queue.add(objectKey(pdb));
    if (deleted) return;
    const { stale, afterMs } = staleDisruption(pod, this.ctx.clock.now().getTime());
    if (stale) this.staleQueue.addAfter(objectKey(pod), afterMs);
  }

  /** Controllers other than the built-in four: their scale if the kind has one. */
  private async scaleOfOther(ref: OwnerReference, ns: string) {
    const gv = parseApiVersion(ref.apiVersion);
    if (!gv) return undefined;
    const res = RESOURCES.find(
      (r) => r.group === gv.group && r.version === gv.version && r.kind === ref.kind,
    );
    if (!res) return undefined;
    if (!res.scale) {
      const gr = res.group ? `${res.plural}.${res.group}` : res.plural;
      throw new Error(`${gr} does not implement the scale subresource`);
    }
    const path = res.scale.specReplicasPath.split('.').filter(Boolean);
    let obj: ApiObject;
    try {
      obj = await this.ctx.client.resource(refOf(res), ns).get(ref.name);
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return undefined;
      throw err;
    }
    if (obj.metadata.uid !== ref.uid) return undefined;
    let cur: unknown = obj;
    for (const seg of path) cur = rec(cur)?.[seg];
    return { uid: ref.uid, replicas: num(cur) ?? 0 };
  }

  /** Lets the queues work (call once the informers synced). */
  start(): void {
    this.gate.open();
  }

  /** Stops the queues; syncs still waiting return without acting. */
  stop(): void {
    this.queue.stop();
    this.staleQueue.stop();
    this.gate.close();
  }

  async sync(key: string): Promise<void> {
    if (!(await this.gate.pass())) return;
    const pdb = this.pdbs.get(key);
    if (!pdb) return;
    try {
      await this.trySync(pdb, key);
    } catch (err) {
      if (err instanceof ApiError && err.code === 409) throw err;
      this.log.warn({ err, pdb: key }, 'failed to sync PodDisruptionBudget');
      await this.failSafe(pdb, err instanceof Error ? err.message : String(err));
    }
  }

  private async trySync(pdb: ApiObject, key: string): Promise<void> {
    const ns = pdb.metadata.namespace ?? '';
    const pods = this.podsIn(ns).filter((p) =>
      pdbSelects(pdb, p.metadata.labels ?? {}),
    ) as unknown as PodLike[];
    const target = targetOf(pdb);
    if (pods.length === 0) void this.recorder.record(target, 'Normal', 'NoPods', 'No matching pods found');
    const spec = (rec(pdb['spec']) ?? {}) as {
      minAvailable?: number | string;
      maxUnavailable?: number | string;
    };
    let counts;
    try {
      counts = await expectedPodCount(spec, pods, this.finders);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      void this.recorder.record(
        target,
        'Warning',
        'CalculateExpectedPodCountFailed',
        `Failed to calculate the number of expected pods: ${msg}`,
      );
      throw err;
    }
    if (counts.unmanaged.length > 0)
      void this.recorder.record(
        target,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${goLabelSelector(rec(pdb['spec'])?.['selector'])}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );
    const now = this.ctx.clock.now();
    const current = pdbStatusOf(pdb);
    const disrupted = buildDisruptedPodMap(pods, current.disruptedPods, now.getTime());
    for (const pod of disrupted.notDeleted)
      void this.recorder.record(
        targetOf(pod as unknown as ApiObject),
        'Warning',
        'NotDeleted',
        `Pod was expected by PDB ${ns}/${ns} to be deleted but it wasn't`,
      );
    const next = nextStatus(
      current,
      {
        currentHealthy: countHealthy(pods, disrupted.kept, now.getTime()),
        desiredHealthy: counts.desiredHealthy,
        expectedPods: counts.expectedCount,
        disruptedPods: disrupted.kept,
        generation: pdb.metadata.generation ?? 0,
      },
      now,
    );
    if (next) await this.writeStatus(pdb, next);
    if (disrupted.recheckAt !== undefined)
      this.queue.addAfter(key, Math.max(0, disrupted.recheckAt - now.getTime()));
  }

  private async failSafe(pdb: ApiObject, message: string): Promise<void> {
    const status = pdbStatusOf(pdb);
    status.disruptionsAllowed = 0;
    status.conditions = setCondition(
      status.conditions ?? [],
      {
        type: DISRUPTION_ALLOWED,
        status: 'False',
        reason: SYNC_FAILED,
        message,
        observedGeneration: status.observedGeneration,
      },
      rfc3339(this.ctx.clock.now()),
    );
    // Already published: writing it again would only wake this controller up again.
    if (JSON.stringify(status) === JSON.stringify(pdbStatusOf(pdb))) return;
    await this.writeStatus(pdb, status);
  }

  private async writeStatus(pdb: ApiObject, status: object): Promise<void> {
    const next = structuredClone(pdb);
    next['status'] = status;
    await this.ctx.client.resource(PDBS, pdb.metadata.namespace).updateStatus(next);
  }

  /** Sets a stale DisruptionTarget condition to False (the eviction that set it never deleted the pod). */
  async syncStalePod(key: string): Promise<void> {
    if (!(await this.gate.pass())) return;
    const pod = this.pods.get(key);
    if (!pod) return;
    const { stale, afterMs } = staleDisruption(pod, this.ctx.clock.now().getTime());
    if (!stale) return;
    if (afterMs > 0) {
      this.staleQueue.addAfter(key, afterMs);
      return;
    }
    const next = structuredClone(pod);
    const status = (rec(next['status']) ?? {}) as JsonObject;
    status['conditions'] = records(status['conditions']).map(([c]) =>
      str(c['type']) === 'DisruptionTarget'
        ? { type: 'DisruptionTarget', status: 'False', lastTransitionTime: rfc3339(this.ctx.clock.now()) }
        : c,
    );
    next['status'] = status;
    await this.ctx.client.resource(PODS, pod.metadata.namespace).updateStatus(next);
    this.log.info({ pod: key }, 'reset stale DisruptionTarget condition to False');
  }
}

/** The controller. */
export class DisruptionController implements Controller {
  readonly name = 'disruption';

  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    await runSynced(ctx, signal, new DisruptionSync(ctx));
  }
}

/** Lists an informer's objects of one namespace through the shared namespace index. */
function inNamespaceOf<T extends ApiObject>(inf: Informer<T>): (ns: string) => T[] {
  indexByNamespace(inf);
  return (ns) => inf.byIndex(BY_NAMESPACE, ns);
}
