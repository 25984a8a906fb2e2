/**
 * The pod worker's view of probes and lifecycle hooks: started containers are handed to the probe
 * manager, postStart and preStop hooks run through the hook handlers, with upstream's events.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { runHook, hookFailureEvent } from '../probes/hooks.js';
import type { ProbeManager } from '../probes/manager.js';
import type { ExecInContainer } from '../probes/types.js';
import type { ContainerLifecycle, PodEventSink } from './pod-sync.js';

const fieldPath = (pod: Pod, name: string): string =>
  `spec.${(pod.spec?.initContainers ?? []).some((c) => c.name === name) ? 'initContainers' : 'containers'}{${name}}`;

export function containerLifecycle(opts: {
  probes: ProbeManager;
  exec: ExecInContainer;
  event: PodEventSink;
}): ContainerLifecycle {
  const { probes, exec, event } = opts;
  return {
    started(pod: Pod, container: Container, containerId: string, podIP: string, startedAt?: Date) {
      probes.add({ pod, container, containerId, podIP, ...(startedAt ? { startedAt } : {}) });
    },
    async postStart(pod, container, containerId, podIP) {
      const handler = container.lifecycle?.postStart;
      if (!handler) return undefined;
      const out = await runHook(handler, { pod, container, containerId, podIP }, exec);
      if (out.warning)
        event(pod, fieldPath(pod, container.name), 'Warning', out.warning.reason, out.warning.message);
      return out.error === undefined ? undefined : hookFailureEvent('postStart', out.error).message;
    },
    async preStop(pod, container, containerId, podIP, graceSeconds) {
      const handler = container.lifecycle?.preStop;
      if (!handler) return;
      const ctl = new AbortController();
      const timer = setTimeout(() => ctl.abort(), graceSeconds * 1000).unref();
      try {
        const out = await runHook(handler, { pod, container, containerId, podIP }, exec, {
          signal: ctl.signal,
        });
        if (out.warning)
          event(pod, fieldPath(pod, container.name), 'Warning', out.warning.reason, out.warning.message);
        if (out.error !== undefined) {
          const e = hookFailureEvent('preStop', out.error);
          event(pod, fieldPath(pod, container.name), 'Warning', e.reason, e.message);
        }
      } finally {
        clearTimeout(timer);
      }
    },
    forget(podUid, container) {
      probes.remove(podUid, container);
    },
  };
}
