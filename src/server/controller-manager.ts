/**
 * Runs the controllers and the scheduler inside `k8ts server`, each group as its own user on the
 * in-process client, with informers fed by the watch cache. Servers sharing an etcd elect one holder
 * per group through a Lease in kube-system (kube-controller-manager, kube-scheduler), as upstream's
 * components do; the embedded SQLite has exactly one server (its lock file guarantees it), so there
 * the groups start at once.
 */
import type { HandlerDeps } from '../apiserver/handlers/context.js';
import type { UserInfo } from '../auth/types.js';
import { EventRecorder } from '../client/events.js';
import { LeaderElector } from '../controllers/framework/leader-election.js';
import { runControllers } from '../controllers/framework/manager.js';
import type { Controller } from '../controllers/framework/types.js';
import { allControllers } from '../controllers/registry.js';
import { componentLogger } from '../util/log.js';
import type { Clock } from '../util/time.js';
import type { ServerConfig } from './config.js';
import { LocalClient } from './local/client.js';
import { CacheInformerFactory } from './local/informers.js';

/** A running group of controllers. */
export interface Managed {
  stop(): Promise<void>;
}

/** Whether `--controllers` (upstream names, `*`, `-name`) turns on the controller `name`. */
export function controllerEnabled(enabled: readonly string[], name: string): boolean {
  return !enabled.includes(`-${name}`) && (enabled.includes('*') || enabled.includes(name));
}

interface GroupOptions {
  /** The Lease name in kube-system, and the component of the group's logs. */
  lease: string;
  user: UserInfo;
  controllers: Controller[];
}

function startGroup(config: ServerConfig, handlers: HandlerDeps, clock: Clock, group: GroupOptions): Managed {
  const client = new LocalClient(handlers, group.user);
  const log = componentLogger(group.lease);
  const abort = new AbortController();
  const run = (signal: AbortSignal): Promise<void> =>
    runControllers(
      group.controllers,
      {
        client,
        // Informers live for one term of leadership: a new leader starts from the cache as it is.
        informers: new CacheInformerFactory(handlers),
        clock,
        options: config.controllers,
        logger: (component) => componentLogger(component),
        recorder: (component) => new EventRecorder(client, '', componentLogger(component), clock, component),
      },
      signal,
      log,
    );
  const done = config.datastoreEndpoint
    ? new LeaderElector(client, { namespace: 'kube-system', name: group.lease, clock, log }).run(
        abort.signal,
        run,
      )
    : run(abort.signal);
  return {
    stop: async () => {
      abort.abort();
      await done;
    },
  };
}

/** The controllers: those given (working on the stores directly) and the framework's (registry.ts). */
export function startControllerManager(
  config: ServerConfig,
  handlers: HandlerDeps,
  clock: Clock,
  storeControllers: Controller[],
): Managed {
  return startGroup(config, handlers, clock, {
    lease: 'kube-controller-manager',
    user: { username: 'system:kube-controller-manager', groups: ['system:authenticated'] },
    controllers: [...storeControllers, ...allControllers()].filter((c) =>
      controllerEnabled(config.enabledControllers, c.name),
    ),
  });
}

/** The scheduler (`--controllers '*,-scheduler'` turns it off), with its profiles. */
export async function startScheduler(
  config: ServerConfig,
  handlers: HandlerDeps,
  clock: Clock,
): Promise<Managed> {
  if (!controllerEnabled(config.enabledControllers, 'scheduler')) return { stop: async () => undefined };
  const { Scheduler } = await import('../scheduler/scheduler.js');
  const { defaultSchedulerConfig, loadSchedulerConfig } = await import('../scheduler/config.js');
  const sc = config.schedulerConfigFile
    ? await loadSchedulerConfig(config.schedulerConfigFile)
    : defaultSchedulerConfig();
  const scheduler = new Scheduler({
    profiles: sc.profiles,
    percentageOfNodesToScore: sc.percentageOfNodesToScore,
    queue: { initialBackoffMs: sc.podInitialBackoffMs, maxBackoffMs: sc.podMaxBackoffMs },
  });
  return startGroup(config, handlers, clock, {
    lease: 'kube-scheduler',
    user: { username: 'system:kube-scheduler', groups: ['system:authenticated'] },
    controllers: [scheduler],
  });
}
