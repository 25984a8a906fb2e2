/**
 * Helpers of the Deployment controller's unit tests: a harness running both workload controllers,
 * Deployment objects, edits through the (server-like) fake client, and readers of what was stored.
 */
import type { Deployment, DeploymentCondition, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { DEPLOYMENTS, REPLICASETS } from '../../client/resources.js';
import type { ApiObject } from '../../client/types.js';
import { ReplicaSetController } from '../replicaset/controller.js';
import { harness, type Harness } from '../replicaset/testing/harness.js';
import { DeploymentController } from './controller.js';
import { REVISION, type DeploymentObject, type ReplicaSetObject } from './util.js';

/** A harness with the ReplicaSet and Deployment controllers running. */
export async function workloads(): Promise<Harness> {
  const h = harness();
  await h.start(
    new ReplicaSetController({ timers: h.timers }),
    new DeploymentController({ timers: h.timers }),
  );
  return h;
}

/** A Deployment `web` in `ns` running busybox:`image`. */
export function deployment(
  replicas: number,
  spec: Partial<NonNullable<Deployment['spec']>> = {},
  image = 'busybox:1',
  name = 'web',
): ApiObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'ns', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image }] },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...spec,
    },
  };
}

/** The stored Deployment. */
export function getDeployment(h: Harness, name = 'web'): DeploymentObject {
  const d = h.fake.find(DEPLOYMENTS, `ns/${name}`);
  if (!d) throw new Error(`no deployment ${name}`);
  return d as DeploymentObject;
}

/** Applies `edit` to the stored Deployment through update (generation bumps on spec changes). */
export async function editDeployment(
  h: Harness,
  edit: (d: DeploymentObject) => void,
  name = 'web',
): Promise<void> {
  const d = structuredClone(getDeployment(h, name));
  edit(d);
  await h.fake.resource<DeploymentObject>(DEPLOYMENTS, 'ns').update(d);
}

/** Sets the image of the first container. */
export function setImage(image: string): (d: DeploymentObject) => void {
  return (d) => {
    const c = d.spec?.template.spec?.containers[0];
    if (c) c.image = image;
  };
}

/** The stored ReplicaSets, oldest revision first. */
export function replicaSets(h: Harness): ReplicaSetObject[] {
  return (h.fake.stored(REPLICASETS) as ReplicaSetObject[]).sort(
    (a, b) =>
      Number(a.metadata.annotations?.[REVISION] ?? 0) - Number(b.metadata.annotations?.[REVISION] ?? 0),
  );
}

/** `name=replicas` of each ReplicaSet by image (the test's way to tell them apart). */
export function sizesByImage(h: Harness): Record<string, number> {
  const out: Record<string, number> = {};
  for (const rs of replicaSets(h)) {
    const image = (rs as ReplicaSet).spec?.template?.spec?.containers[0]?.image ?? '?';
    out[image] = rs.spec?.replicas ?? 0;
  }
  return out;
}

/** A condition of the stored Deployment. */
export function condition(h: Harness, type: string, name = 'web'): DeploymentCondition | undefined {
  return getDeployment(h, name).status?.conditions?.find((c) => c.type === type);
}
