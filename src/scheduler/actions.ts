/**
 * The scheduler's writes to the API server: bindings (pods/binding), PodScheduled=False conditions
 * and nominatedNodeName, FailedScheduling/Scheduled/Preempted events, and preemption victims
 * (DisruptionTarget condition, then a graceful delete). All best effort and in the background
 * except the binding, whose outcome the scheduler needs.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../api/errors.js';
import type { EventRecorder, EventTarget } from '../client/events.js';
import { PODS } from '../client/resources.js';
import type { ApiObject, Client } from '../client/types.js';
import type { Logger } from '../util/log.js';
import { rfc3339, type Clock } from '../util/time.js';
import { EventQueue } from './event-queue.js';
import type { PodInfo } from './podinfo.js';

/** The event target of a pod. */
export function podTarget(p: Pod): EventTarget {
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    namespace: p.metadata?.namespace,
    name: p.metadata?.name ?? '',
    uid: p.metadata?.uid,
  };
}

/** Writes of one scheduler process. */
export class SchedulerActions {
  /** Events leave through a bounded queue (dropped when full, as upstream). */
  readonly events: EventQueue;

  constructor(
    private readonly client: Client,
    private readonly log: Logger,
    private readonly clock: Clock,
    /** Event recorders by scheduler name (profile). */
    private readonly recorders: ReadonlyMap<string, EventRecorder>,
    /** The latest cached version of a pod. */
    private readonly current: (key: string) => Pod | undefined,
  ) {
    this.events = new EventQueue(log);
  }

  private event(
    schedulerName: string,
    target: EventTarget,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): void {
    const recorder = this.recorders.get(schedulerName);
    if (recorder) this.events.record(recorder, target, type, reason, message);
  }

  /** POST pods/{name}/binding. Rejects with the API error. */
  async bind(pod: PodInfo, node: string): Promise<void> {
    const p = pod.pod;
    const ns = p.metadata?.namespace ?? '';
    const name = p.metadata?.name ?? '';
    await this.client.resource(PODS, ns).createSubresource(name, 'binding', {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name, namespace: ns, ...(p.metadata?.uid ? { uid: p.metadata.uid } : {}) },
      target: { apiVersion: 'v1', kind: 'Node', name: node },
    } as ApiObject);
  }

  /** The Scheduled event after a successful binding. */
  scheduled(schedulerName: string, pod: PodInfo, node: string): void {
    const p = pod.pod;
    this.event(
      schedulerName,
      podTarget(p),
      'Normal',
      'Scheduled',
      `Successfully assigned ${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''} to ${node}`,
    );
  }

  /**
   * FailedScheduling event, and PodScheduled=False (+ nominatedNodeName when given and different)
   * written only when it changed, as upstream's updatePod.
   */
  failed(
    schedulerName: string,
    pod: PodInfo,
    reason: 'Unschedulable' | 'SchedulerError' | 'SchedulingGated',
    message: string,
    nominatedNodeName: string | undefined,
    event = true,
  ): void {
    const p = pod.pod;
    if (event) this.event(schedulerName, podTarget(p), 'Warning', 'FailedScheduling', message);
    const current = this.current(pod.key) ?? p;
    const prev = current.status?.conditions?.find((c) => c.type === 'PodScheduled');
    const nnnChanged =
      nominatedNodeName !== undefined && (current.status?.nominatedNodeName ?? '') !== nominatedNodeName;
    if (prev && prev.status === 'False' && prev.reason === reason && prev.message === message && !nnnChanged)
      return;
    const condition: Record<string, unknown> = {
      type: 'PodScheduled',
      status: 'False',
      reason,
      message,
      lastProbeTime: null,
      lastTransitionTime:
        prev?.status === 'False' && prev.lastTransitionTime
          ? prev.lastTransitionTime
          : rfc3339(this.clock.now()),
    };
    const status: Record<string, unknown> = { conditions: [condition] };
    if (nnnChanged) status['nominatedNodeName'] = nominatedNodeName || null;
    this.patchStatus(pod, status);
  }

  /** Clears status.nominatedNodeName of pods whose nomination no longer holds. */
  clearNomination(pods: readonly PodInfo[]): void {
    for (const p of pods) {
      const cur = this.current(p.key);
      if (!cur?.status?.nominatedNodeName) continue;
      this.patchStatus(p, { nominatedNodeName: null });
    }
  }

  private patchStatus(pod: PodInfo, status: Record<string, unknown>): void {
    const p = pod.pod;
    void this.client
      .resource(PODS, p.metadata?.namespace)
      .patch(p.metadata?.name ?? '', 'strategic', { status }, { subresource: 'status' })
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.code === 404) return;
        this.log.warn({ err, pod: pod.key }, 'could not update pod status');
      });
  }

  /**
   * Evicts preemption victims: DisruptionTarget=True (PreemptionByScheduler), then a graceful
   * delete, then a Preempted event; lower-priority pods nominated to the node lose their nomination.
   */
  preempt(
    schedulerName: string,
    preemptor: PodInfo,
    node: string,
    victims: PodInfo[],
    clear: PodInfo[],
  ): void {
    for (const v of victims) void this.evict(schedulerName, preemptor, node, v);
    this.clearNomination(clear);
  }

  private async evict(
    schedulerName: string,
    preemptor: PodInfo,
    node: string,
    victim: PodInfo,
  ): Promise<void> {
    const cur = this.current(victim.key) ?? victim.pod;
    if (cur.metadata?.deletionTimestamp) return;
    const ns = cur.metadata?.namespace ?? '';
    const name = cur.metadata?.name ?? '';
    const pods = this.client.resource(PODS, ns);
    try {
      const has = (cur.status?.conditions ?? []).some(
        (c) => c.type === 'DisruptionTarget' && c.status === 'True' && c.reason === 'PreemptionByScheduler',
      );
      if (!has)
        await pods.patch(
          name,
          'strategic',
          {
            status: {
              conditions: [
                {
                  type: 'DisruptionTarget',
                  status: 'True',
                  reason: 'PreemptionByScheduler',
                  message: `${schedulerName}: preempting to accommodate a higher priority pod`,
                  lastProbeTime: null,
                  lastTransitionTime: rfc3339(this.clock.now()),
                },
              ],
            },
          },
          { subresource: 'status' },
        );
      await pods.delete(name, cur.metadata?.uid ? { preconditions: { uid: cur.metadata.uid } } : {});
      this.event(
        schedulerName,
        podTarget(cur),
        'Normal',
        'Preempted',
        `Preempted by pod ${preemptor.pod.metadata?.uid ?? preemptor.key} on node ${node}`,
      );
    } catch (err) {
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
      this.log.warn({ err, victim: victim.key, preemptor: preemptor.key }, 'could not preempt pod');
    }
  }
}
