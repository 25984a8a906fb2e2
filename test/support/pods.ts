/**
 * Small pod manifests for the agent tier, all on the busybox test image (`k8ts.local/busybox:1`,
 * present on every test node through its airgap dir) and bound to a node by `spec.nodeName` (there is
 * no scheduler yet).
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';

/** The busybox test image every test node has. */
export const BUSYBOX = 'k8ts.local/busybox:1';

/** A container running `sh -c SCRIPT` on busybox. */
export function shContainer(name: string, script: string, extra: Partial<Container> = {}): Container {
  return { name, image: BUSYBOX, command: ['sh', '-c', script], ...extra };
}

/**
 * A shell loop that stays up and exits at once on SIGTERM (sh as PID 1 would otherwise ignore it and
 * make every deletion wait for the grace period).
 */
export const IDLE = 'trap "exit 0" TERM; while true; do sleep 1 & wait $!; done';

/** A pod on `nodeName` with the given containers; `spec` merges over the defaults. */
export function podOn(
  nodeName: string,
  ns: string,
  name: string,
  containers: Container[],
  spec: Partial<NonNullable<Pod['spec']>> = {},
  labels: Record<string, string> = {},
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app: name, ...labels } },
    spec: { nodeName, terminationGracePeriodSeconds: 5, containers, ...spec },
  };
}

/** A pod whose single container `app` idles (see {@link IDLE}). */
export function idlePod(nodeName: string, ns: string, name: string, extra: Partial<Container> = {}): Pod {
  return podOn(nodeName, ns, name, [shContainer('app', IDLE, extra)]);
}
