/**
 * Test support for the service controllers: a {@link FakeClient} that names objects created with
 * generateName and keeps metadata.generation as the server does, a bench running one controller
 * over it (on the shared {@link ControllerHarness}), and builders of Services, pods and nodes.
 */
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../api/meta.js';
import type { FakeClient } from '../../../client/testing/fake-client.js';
import type { ApiObject, Client } from '../../../client/types.js';
import { ControllerHarness, interceptClient, stopAfterEach } from '../../framework/testing/harness.js';
import type { Controller } from '../../framework/types.js';

/** `fake`, except that creates honour generateName and writes keep metadata.generation. */
export function serverLikeClient(fake: FakeClient): Client {
  let n = 0;
  return interceptClient(fake, ({ ref, namespace, method, args }, next) => {
    if (method !== 'create' && method !== 'update') return next(...args);
    const copy = structuredClone(args[0]) as ApiObject;
    if (method === 'create') {
      if (!copy.metadata.name && copy.metadata.generateName)
        copy.metadata.name = `${copy.metadata.generateName}${(++n).toString(36).padStart(5, 'x')}`;
      copy.metadata.generation = 1;
    } else {
      const cur = fake
        .stored(ref)
        .find(
          (o) =>
            o.metadata.name === copy.metadata.name &&
            o.metadata.namespace === (namespace ?? copy.metadata.namespace),
        );
      copy.metadata.generation = (cur?.metadata.generation ?? 0) + 1;
    }
    return next(copy, ...args.slice(1));
  });
}

/** Where the service controllers' clock stands (it does not move in these tests). */
export const SERVICES_T0 = '2025-01-01T12:00:00Z';

/**
 * Returns `start(fake)`: runs the controller `make` builds under the manager, over a
 * {@link serverLikeClient} on `fake`, until the end of the test.
 */
export function serviceBench(make: () => Controller): (fake: FakeClient) => ControllerHarness {
  const track = stopAfterEach();
  return (fake) => {
    const h = track(new ControllerHarness({ fake, client: serverLikeClient, time: SERVICES_T0 }));
    h.runManaged([make()]);
    return h;
  };
}

/** A Service in `ns` selecting `app: <selector>` (no selector when null). */
export function service(
  name: string,
  opts: {
    selector?: Record<string, string> | null;
    spec?: Service['spec'];
    labels?: Record<string, string>;
  } = {},
  ns = 'ns',
): KubeObject {
  const selector = opts.selector === null ? undefined : (opts.selector ?? { app: name });
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: ns,
      uid: `uid-${ns}-${name}`,
      ...(opts.labels ? { labels: opts.labels } : {}),
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: '10.43.0.20',
      clusterIPs: ['10.43.0.20'],
      ipFamilies: ['IPv4'],
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
      ...(selector ? { selector } : {}),
      ...opts.spec,
    },
  };
}

/** A Running pod with an IP on `node`, Ready unless told otherwise. */
export function pod(
  name: string,
  opts: {
    labels?: Record<string, string>;
    ip?: string;
    node?: string;
    ready?: boolean;
    deleting?: boolean;
    phase?: string;
    ports?: { name: string; containerPort: number; protocol?: string }[];
    spec?: Partial<Pod['spec']>;
  } = {},
  ns = 'ns',
): KubeObject {
  const ready = opts.ready ?? true;
  const ip = opts.ip ?? '10.42.0.1';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      uid: `uid-pod-${name}`,
      labels: opts.labels ?? { app: 'web' },
      ...(opts.deleting ? { deletionTimestamp: '2025-01-01T11:00:00Z' } : {}),
    },
    spec: {
      nodeName: opts.node ?? 'n1',
      containers: [{ name: 'c', image: 'busybox', ...(opts.ports ? { ports: opts.ports } : {}) }],
      ...opts.spec,
    },
    status: {
      phase: opts.phase ?? 'Running',
      ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
}

/** A Ready node with an InternalIP. */
export function node(
  name: string,
  opts: { ip?: string; zone?: string; ready?: boolean; externalIP?: string } = {},
): KubeObject {
  const n: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, ...(opts.zone ? { labels: { 'topology.kubernetes.io/zone': opts.zone } } : {}) },
    status: {
      addresses: [
        { type: 'InternalIP', address: opts.ip ?? '192.168.0.1' },
        ...(opts.externalIP ? [{ type: 'ExternalIP', address: opts.externalIP }] : []),
        { type: 'Hostname', address: name },
      ],
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
    },
  };
  return n as KubeObject;
}
