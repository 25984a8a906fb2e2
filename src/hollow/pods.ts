/**
 * The pods of hollow nodes: ONE watch of every bound pod (field selector `spec.nodeName!=`) for all
 * the process's nodes; pods of other nodes are cached as stubs only (name, node), pods of ours keep
 * just the fields the simulation reads. Each pod of ours goes Running with a simulated IP; a pod
 * being deleted is removed for good (as a kubelet does once its containers stopped); exits and
 * restarts follow src/hollow/pod-status.ts.
 */
import type { Container, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../api/errors.js';
import { createInformer } from '../client/informer.js';
import { PODS } from '../client/resources.js';
import { objectKey, type ApiObject, type Client, type Informer } from '../client/types.js';
import type { Logger } from '../util/log.js';
import type { Clock } from '../util/time.js';
import { KeyQueue } from './queue.js';
import { advance, simPhase, simStatus, startPod, type SimPod } from './pod-status.js';

/** A Pod as the client returns it. */
export type PodObject = Pod & ApiObject;

/** What the pod simulation needs from the node side. */
export interface NodeDirectory {
  /** True for the names of this process's nodes (retired ones included). */
  owns(nodeName: string): boolean;
  /** The node's InternalIP, or undefined when it is retired (deleted) or unknown. */
  hostIP(nodeName: string): string | undefined;
  /** A free pod IP of the node (its podCIDR, or a simulated range). */
  allocateIP(nodeName: string): Promise<string | undefined>;
  /** Marks an IP found on a running pod as taken. */
  takeIP(nodeName: string, ip: string): void;
  releaseIP(nodeName: string, ip: string): void;
}

/** Options of {@link HollowPods}. */
export interface HollowPodsOptions {
  client: Client;
  nodes: NodeDirectory;
  clock: Clock;
  log: Logger;
  concurrency: number;
}

const HOLLOW_ANNOTATION_PREFIX = 'hollow.k8ts.io/';

/** The fields of a pod of ours that the simulation reads (the rest is dropped from the cache). */
export function slimPod(pod: PodObject): PodObject {
  const m = pod.metadata;
  const annotations = Object.entries(m.annotations ?? {}).filter(([k]) =>
    k.startsWith(HOLLOW_ANNOTATION_PREFIX),
  );
  const spec = pod.spec;
  const status = pod.status;
  const container = (c: Container): Container => ({
    name: c.name,
    ...(c.image !== undefined ? { image: c.image } : {}),
    ...(c.command ? { command: c.command } : {}),
    ...(c.args ? { args: c.args } : {}),
    ...(c.restartPolicy ? { restartPolicy: c.restartPolicy } : {}),
  });
  return {
    apiVersion: pod.apiVersion,
    kind: pod.kind,
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      ...(m.deletionTimestamp ? { deletionTimestamp: m.deletionTimestamp } : {}),
      ...(annotations.length ? { annotations: Object.fromEntries(annotations) } : {}),
    },
    spec: {
      nodeName: spec?.nodeName,
      ...(spec?.restartPolicy ? { restartPolicy: spec.restartPolicy } : {}),
      ...(spec?.hostNetwork ? { hostNetwork: true } : {}),
      ...(spec?.readinessGates?.length ? { readinessGates: spec.readinessGates } : {}),
      containers: (spec?.containers ?? []).map(container),
      ...(spec?.initContainers?.length ? { initContainers: spec.initContainers.map(container) } : {}),
    },
    status: {
      ...(status?.phase ? { phase: status.phase } : {}),
      ...(status?.podIP ? { podIP: status.podIP } : {}),
      ...(status?.hostIP ? { hostIP: status.hostIP } : {}),
      ...(status?.startTime ? { startTime: status.startTime } : {}),
      ...(status?.conditions ? { conditions: status.conditions } : {}),
      ...(status?.containerStatuses
        ? {
            containerStatuses: status.containerStatuses.map((s) => ({
              name: s.name,
              image: '',
              imageID: '',
              ready: s.ready,
              restartCount: s.restartCount,
              state: s.state,
            })),
          }
        : {}),
    },
  };
}

/** A pod of another process's node: only what tells whose it is. */
function stubPod(pod: PodObject): PodObject {
  const m = pod.metadata;
  return {
    apiVersion: pod.apiVersion,
    kind: pod.kind,
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion },
    spec: { nodeName: pod.spec?.nodeName, containers: [] },
  };
}

/** What decides whether a status must be written: phase, IPs, conditions, container states. */
export function statusSignature(s: PodStatus | undefined): string {
  if (!s) return '';
  const cond = (t: string): string => s.conditions?.find((c) => c.type === t)?.status ?? '';
  const containers = (s.containerStatuses ?? []).map((c) => {
    const kind = c.state?.running ? 'running' : c.state?.terminated ? 'terminated' : 'waiting';
    return `${c.name}:${kind}:${c.restartCount}`;
  });
  return [
    s.phase ?? '',
    s.podIP ?? '',
    s.hostIP ?? '',
    cond('Ready'),
    cond('ContainersReady'),
    cond('Initialized'),
    cond('PodScheduled'),
    containers.join(','),
  ].join('|');
}

/** The simulated pods of one hollow-nodes process. */
export class HollowPods {
  readonly informer: Informer<PodObject>;
  private readonly queue: KeyQueue;
  private readonly sims = new Map<string, { sim: SimPod; node: string; released: boolean }>();
  /** Status writes and deletions made (for tests and logs). */
  readonly counts = { statusWrites: 0, deletions: 0 };

  constructor(private readonly o: HollowPodsOptions) {
    this.informer = createInformer<PodObject>(o.client, PODS, {
      fieldSelector: 'spec.nodeName!=',
      logger: o.log.child({ resource: 'pods' }),
      transform: (pod) => (o.nodes.owns(pod.spec?.nodeName ?? '') ? slimPod(pod) : stubPod(pod)),
    });
    this.queue = new KeyQueue((key) => this.sync(key), o.log, o.concurrency);
    const mine = (p: PodObject): boolean => o.nodes.owns(p.spec?.nodeName ?? '');
    this.informer.addHandlers({
      add: (p) => {
        if (mine(p)) this.queue.add(objectKey(p));
      },
      update: (_old, p) => {
        if (mine(p)) this.queue.add(objectKey(p));
      },
      delete: (p) => {
        if (this.sims.has(objectKey(p))) this.queue.add(objectKey(p));
      },
    });
  }

  start(signal: AbortSignal): void {
    this.informer.start(signal);
  }

  stop(): void {
    this.queue.stop();
  }

  /** Resolves once no pod work is pending or running (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Pods of ours currently simulated. */
  get size(): number {
    return this.sims.size;
  }

  private forget(key: string): void {
    const entry = this.sims.get(key);
    if (!entry) return;
    if (!entry.released && entry.sim.ip) this.o.nodes.releaseIP(entry.node, entry.sim.ip);
    this.sims.delete(key);
    this.queue.cancel(key);
  }

  private async sync(key: string): Promise<void> {
    const pod = this.informer.get(key);
    let entry = this.sims.get(key);
    if (entry && (!pod || pod.metadata.uid !== entry.sim.uid)) {
      this.forget(key);
      entry = undefined;
    }
    if (!pod) return;
    const nodeName = pod.spec?.nodeName ?? '';
    const hostIP = this.o.nodes.hostIP(nodeName);
    if (hostIP === undefined) return; // not ours, or the node was deleted
    if (pod.metadata.deletionTimestamp) {
      await this.finishDeletion(pod);
      return;
    }
    const now = this.o.clock.now().getTime();
    if (!entry) {
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') return;
      entry = await this.adoptOrStart(pod, nodeName, hostIP, now);
      if (!entry) return;
      this.sims.set(key, entry);
    }
    const sim = entry.sim;
    const next = advance(sim, now);
    const status = simStatus(sim, {
      now,
      hostIP,
      previous: pod.status?.conditions,
      readinessGates: (pod.spec?.readinessGates ?? []).map((g) => g.conditionType),
    });
    if (statusSignature(status) !== statusSignature(pod.status)) await this.writeStatus(pod, status);
    if (simPhase(sim) !== 'Running') {
      if (!entry.released && sim.ip && !pod.spec?.hostNetwork) this.o.nodes.releaseIP(nodeName, sim.ip);
      entry.released = true;
      return;
    }
    if (next !== undefined) this.queue.addAfter(key, next - now);
  }

  private async adoptOrStart(
    pod: PodObject,
    nodeName: string,
    hostIP: string,
    now: number,
  ): Promise<{ sim: SimPod; node: string; released: boolean } | undefined> {
    const s = pod.status;
    const hostNetwork = pod.spec?.hostNetwork === true;
    // A pod this node ran before the process restarted keeps its IP and start time.
    if (s?.phase === 'Running' && s.podIP && s.hostIP === hostIP) {
      if (!hostNetwork) this.o.nodes.takeIP(nodeName, s.podIP);
      const started = s.startTime ? Date.parse(s.startTime) : NaN;
      return {
        sim: startPod(pod, s.podIP, Number.isFinite(started) ? started : now),
        node: nodeName,
        released: hostNetwork,
      };
    }
    const ip = hostNetwork ? hostIP : await this.o.nodes.allocateIP(nodeName);
    if (ip === undefined) {
      this.o.log.warn({ pod: objectKey(pod), node: nodeName }, 'no pod IP left on the node');
      return undefined;
    }
    return { sim: startPod(pod, ip, now), node: nodeName, released: hostNetwork };
  }

  private async writeStatus(pod: PodObject, status: PodStatus): Promise<void> {
    const name = pod.metadata.name ?? '';
    try {
      await this.o.client
        .resource(PODS, pod.metadata.namespace)
        .patch(name, 'strategic', { metadata: { uid: pod.metadata.uid }, status }, { subresource: 'status' });
      this.counts.statusWrites++;
    } catch (err) {
      // Gone, replaced by a pod of the same name, or refused: the watch brings what comes next.
      if (err instanceof ApiError && (err.code === 404 || err.code === 409 || err.code === 422)) return;
      throw err;
    }
  }

  private async finishDeletion(pod: PodObject): Promise<void> {
    try {
      await this.o.client
        .resource(PODS, pod.metadata.namespace)
        .delete(pod.metadata.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
      this.counts.deletions++;
    } catch (err) {
      if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
    }
  }
}
