/**
 * Test support for the scheduler: a {@link FakeClient} that performs `pods/binding` as the API
 * server does (sets spec.nodeName and PodScheduled=True, 409 when already bound), object builders
 * for nodes and pods, and a running scheduler over the fake with real informers.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { apiErrors } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { EventRecorder } from '../../client/events.js';
import { EVENTS, NODES, PODS } from '../../client/resources.js';
import { FakeClient } from '../../client/testing/fake-client.js';
import type { ApiObject, ResourceClient, ResourceRef } from '../../client/types.js';
import { ClientInformerFactory } from '../../controllers/framework/informers.js';
import { componentLogger } from '../../util/log.js';
import { systemClock } from '../../util/time.js';
import { Scheduler, type SchedulerOptions } from '../scheduler.js';
import { defaultProfiles } from '../profile.js';

/** A fake client whose pods/binding binds. */
export class BindingFakeClient extends FakeClient {
  /** Bindings performed, `ns/name → node`. */
  readonly bindings: string[] = [];

  override resource<T extends ApiObject = ApiObject>(
    ref: ResourceRef,
    namespace?: string,
  ): ResourceClient<T> {
    const inner = super.resource<T>(ref, namespace);
    if (ref.resource !== 'pods') return inner;
    const client = Object.create(inner) as ResourceClient<T>;
    client.createSubresource = async (name: string, sub: string, body: KubeObject): Promise<KubeObject> => {
      if (sub !== 'binding') return inner.createSubresource(name, sub, body);
      const pod = (await inner.get(name)) as Pod & ApiObject;
      if (pod.spec?.nodeName)
        throw apiErrors.conflict(
          { group: '', resource: 'pods/binding' },
          name,
          `pod ${name} is already assigned to node ${JSON.stringify(pod.spec.nodeName)}`,
        );
      const target = (body as { target?: { name?: string } }).target?.name ?? '';
      const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True' });
      this.put(PODS, {
        ...pod,
        spec: { ...(pod.spec ?? { containers: [] }), nodeName: target },
        status: { ...(pod.status ?? {}), conditions },
      });
      this.bindings.push(`${pod.metadata.namespace ?? ''}/${name} → ${target}`);
      return { kind: 'Status', apiVersion: 'v1', status: 'Success' };
    };
    return client;
  }
}

/** A node with `cpu` (cores or `500m`), `memory`, and optional labels/taints. */
export function makeNode(
  name: string,
  opts: {
    cpu?: string;
    memory?: string;
    pods?: string;
    labels?: Record<string, string>;
    taints?: NonNullable<Node['spec']>['taints'];
    unschedulable?: boolean;
    images?: { names: string[]; sizeBytes: number }[];
    extra?: Record<string, string>;
  } = {},
): Node & ApiObject {
  const allocatable = {
    cpu: opts.cpu ?? '4',
    memory: opts.memory ?? '8Gi',
    pods: opts.pods ?? '110',
    ...(opts.extra ?? {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) } },
    spec: {
      ...(opts.taints ? { taints: opts.taints } : {}),
      ...(opts.unschedulable ? { unschedulable: true } : {}),
    },
    status: {
      allocatable,
      capacity: allocatable,
      ...(opts.images ? { images: opts.images } : {}),
    },
  };
}

/** A pending pod with one container requesting `cpu`/`memory`. */
export function makePod(
  name: string,
  opts: {
    namespace?: string;
    cpu?: string;
    memory?: string;
    labels?: Record<string, string>;
    spec?: Partial<NonNullable<Pod['spec']>>;
    priority?: number;
    schedulerName?: string;
  } = {},
): Pod & ApiObject {
  const requests: Record<string, string> = {};
  if (opts.cpu) requests['cpu'] = opts.cpu;
  if (opts.memory) requests['memory'] = opts.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: opts.namespace ?? 'default', labels: opts.labels ?? {} },
    spec: {
      containers: [{ name: 'c', image: 'k8ts.local/test:1', resources: { requests } }],
      schedulerName: opts.schedulerName ?? 'default-scheduler',
      ...(opts.priority !== undefined ? { priority: opts.priority } : {}),
      ...(opts.spec ?? {}),
    },
    status: { phase: 'Pending' },
  };
}

/** A scheduler running over a {@link BindingFakeClient}. */
export interface RunningTestScheduler {
  client: BindingFakeClient;
  scheduler: Scheduler;
  stop(): Promise<void>;
  /** The node a pod is bound to ('' while pending). */
  nodeOf(name: string, namespace?: string): string;
  /** Messages of events with `reason` about pod `name`. */
  events(name: string, reason: string): string[];
  /** Waits (polling, bounded) until `fn` returns true. */
  until(fn: () => boolean, what: string, timeoutMs?: number): Promise<void>;
}

/**
 * Starts a scheduler over a fake client prepared by `setup`; `reuse` runs an existing scheduler again
 * over an existing client (as after a lost and regained leadership).
 */
export async function startTestScheduler(
  setup: (client: BindingFakeClient) => void,
  opts: Partial<SchedulerOptions> = {},
  reuse?: { client: BindingFakeClient; scheduler: Scheduler },
): Promise<RunningTestScheduler> {
  const client = reuse?.client ?? new BindingFakeClient();
  setup(client);
  const log = componentLogger('scheduler-test');
  const informers = new ClientInformerFactory(client, log);
  const scheduler =
    reuse?.scheduler ??
    new Scheduler({
      profiles: defaultProfiles(),
      queue: { initialBackoffMs: 10, maxBackoffMs: 40, backoffFlushMs: 5 },
      ...opts,
    });
  const abort = new AbortController();
  informers.start(abort.signal);
  const done = scheduler.run(
    {
      client,
      informers,
      clock: systemClock,
      options: {
        nodeMonitorGracePeriodMs: 0,
        defaultNotReadyTolerationSeconds: 0,
        defaultUnreachableTolerationSeconds: 0,
        terminatedPodGcThreshold: 0,
      },
      logger: (c) => componentLogger(c),
      recorder: (c) => new EventRecorder(client, '', componentLogger(c), systemClock, c),
    },
    abort.signal,
  );
  const stored = (ref: ResourceRef): ApiObject[] => client.stored(ref);
  return {
    client,
    scheduler,
    stop: async () => {
      abort.abort();
      await done;
    },
    nodeOf: (name, namespace = 'default') =>
      (
        stored(PODS).find((p) => p.metadata.name === name && p.metadata.namespace === namespace) as
          Pod | undefined
      )?.spec?.nodeName ?? '',
    events: (name, reason) =>
      stored(EVENTS)
        .filter(
          (e) =>
            (e as { involvedObject?: { name?: string } }).involvedObject?.name === name &&
            (e as { reason?: string }).reason === reason,
        )
        .map((e) => (e as { message?: string }).message ?? ''),
    until: async (fn, what, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (!fn()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}

export { NODES, PODS };
