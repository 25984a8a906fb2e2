/**
 * Starts the scheduler inside `k8ts server`: the profiles (built-in, or from --scheduler-config),
 * a client of its own as `system:kube-scheduler`, shared informers, and the scheduler run with the
 * controller framework's restart-on-failure. `--controllers '*,-scheduler'` turns it off.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ensureClusterPki } from '../pki/cluster.js';
import { userKubeconfig } from '../pki/cluster.js';
import { componentLogger } from '../util/log.js';
import type { Clock } from '../util/time.js';
import type { ServerConfig } from './config.js';

/** Whether `--controllers` leaves the scheduler on. */
export function schedulerEnabled(enabled: readonly string[]): boolean {
  return !enabled.includes('-scheduler') && (enabled.includes('*') || enabled.includes('scheduler'));
}

/** Starts the scheduler; resolves once it runs (its informers sync in the background). */
export async function startScheduler(
  config: ServerConfig,
  pki: Awaited<ReturnType<typeof ensureClusterPki>>,
  port: number,
  clock: Clock,
): Promise<{ stop(): Promise<void> }> {
  if (!schedulerEnabled(config.enabledControllers)) return { stop: async () => undefined };
  const { clientFromKubeconfig } = await import('../client/http.js');
  const { EventRecorder } = await import('../client/events.js');
  const { ClientInformerFactory } = await import('../controllers/framework/informers.js');
  const { runControllers } = await import('../controllers/framework/manager.js');
  const { Scheduler } = await import('../scheduler/scheduler.js');
  const { defaultProfiles } = await import('../scheduler/profile.js');
  const scheduler = new Scheduler({ profiles: defaultProfiles() });

  const kubeconfigPath = join(config.dataDir, 'server', 'scheduler.kubeconfig');
  await mkdir(join(config.dataDir, 'server'), { recursive: true, mode: 0o700 });
  await writeFile(
    kubeconfigPath,
    await userKubeconfig(pki, { name: 'system:kube-scheduler', groups: ['system:masters'], port }),
    { mode: 0o600 },
  );
  const client = clientFromKubeconfig(kubeconfigPath, { component: 'kube-scheduler' });
  const log = componentLogger('scheduler');
  const abort = new AbortController();
  const done = runControllers(
    [scheduler],
    {
      client,
      informers: new ClientInformerFactory(client, log),
      clock,
      options: config.controllers,
      logger: (component) => componentLogger(component),
      recorder: (component) => new EventRecorder(client, '', componentLogger(component), clock, component),
    },
    abort.signal,
    log,
  );
  return {
    stop: async () => {
      abort.abort();
      await done;
      client.close();
    },
  };
}
