/**
 * apps/v1 workloads: Deployments, ReplicaSets, StatefulSets and DaemonSets (replica counts, and with
 * `-o wide` containers, images and selector), and ControllerRevisions.
 */
import type {
  ControllerRevision,
  DaemonSet,
  Deployment,
  ReplicaSet,
  StatefulSet,
} from 'kubernetes-types/apps/v1.js';
import { parseApiVersion } from '../meta.js';
import {
  AGE,
  CONTAINERS,
  IMAGES,
  NAME,
  ageOf,
  column,
  containerCells,
  nameOf,
  printer,
  view,
  wide,
} from './columns.js';
import { formatLabelSelector, formatLabels, selectorString } from './selectors.js';

const SELECTOR = wide('Selector', 'string', 'Label selector of the pods the workload manages.');

/** spec.replicas, defaulting to 1 as the API does when it is left out. */
function desired(replicas: number | undefined): number {
  return replicas ?? 1;
}

/** apps/v1 Deployment: READY `ready/desired`, UP-TO-DATE, AVAILABLE. */
export const deploymentPrinter = printer(
  [
    NAME,
    column('Ready', 'string', 'Ready pods out of the desired number.'),
    column('Up-to-date', 'string', 'Pods that run the latest pod template.'),
    column('Available', 'string', 'Pods that have been ready for at least minReadySeconds.'),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  (obj, now) => {
    const d = view<Deployment>(obj);
    const [names, images] = containerCells(d.spec?.template?.spec?.containers);
    return [
      nameOf(obj),
      `${d.status?.readyReplicas ?? 0}/${desired(d.spec?.replicas)}`,
      d.status?.updatedReplicas ?? 0,
      d.status?.availableReplicas ?? 0,
      ageOf(obj, now),
      names,
      images,
      selectorString(d.spec?.selector) ?? '<invalid>',
    ];
  },
);

/** apps/v1 ReplicaSet: DESIRED, CURRENT, READY. */
export const replicaSetPrinter = printer(
  [
    NAME,
    column('Desired', 'integer', 'Number of pods the replica set should run.'),
    column('Current', 'integer', 'Number of pods the replica set runs now.'),
    column('Ready', 'integer', 'Number of its pods that are ready.'),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  (obj, now) => {
    const rs = view<ReplicaSet>(obj);
    const [names, images] = containerCells(rs.spec?.template?.spec?.containers);
    return [
      nameOf(obj),
      desired(rs.spec?.replicas),
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      ageOf(obj, now),
      names,
      images,
      formatLabelSelector(rs.spec?.selector),
    ];
  },
);

/** apps/v1 StatefulSet: READY `ready/desired`. */
export const statefulSetPrinter = printer(
  [NAME, column('Ready', 'string', 'Ready pods out of the desired number.'), AGE, CONTAINERS, IMAGES],
  (obj, now) => {
    const s = view<StatefulSet>(obj);
    const [names, images] = containerCells(s.spec?.template?.spec?.containers);
    return [
      nameOf(obj),
      `${s.status?.readyReplicas ?? 0}/${desired(s.spec?.replicas)}`,
      ageOf(obj, now),
      names,
      images,
    ];
  },
);

/** apps/v1 DaemonSet: DESIRED, CURRENT, READY, UP-TO-DATE, AVAILABLE, NODE SELECTOR. */
export const daemonSetPrinter = printer(
  [
    NAME,
    column('Desired', 'integer', 'Number of nodes that should run the daemon pod.'),
    column('Current', 'integer', 'Number of nodes that run the daemon pod.'),
    column('Ready', 'integer', 'Number of nodes whose daemon pod is ready.'),
    column('Up-to-date', 'integer', 'Number of nodes that run the latest pod template.'),
    column('Available', 'integer', 'Number of nodes whose daemon pod is available.'),
    column('Node Selector', 'string', 'Node labels the daemon pods are limited to.'),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  (obj, now) => {
    const ds = view<DaemonSet>(obj);
    const st = ds.status;
    const [names, images] = containerCells(ds.spec?.template?.spec?.containers);
    return [
      nameOf(obj),
      st?.desiredNumberScheduled ?? 0,
      st?.currentNumberScheduled ?? 0,
      st?.numberReady ?? 0,
      st?.updatedNumberScheduled ?? 0,
      st?.numberAvailable ?? 0,
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      ageOf(obj, now),
      names,
      images,
      formatLabelSelector(ds.spec?.selector),
    ];
  },
);

/** The controlling owner as `kind.group/name` in lower case (`statefulset.apps/web`), or `<none>`. */
function controllerOf(cr: ControllerRevision): string {
  const ref = (cr.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
  if (!ref) return '<none>';
  const group = ref.apiVersion ? (parseApiVersion(ref.apiVersion)?.group ?? '') : '';
  const name = ref.name ?? '';
  const kindName = ref.kind ?? '';
  if (kindName === '' && group === '') return name;
  const kind = group === '' ? kindName : `${kindName}.${group}`;
  return `${kind.toLowerCase()}/${name}`;
}

/** apps/v1 ControllerRevision: CONTROLLER and REVISION. */
export const controllerRevisionPrinter = printer(
  [
    NAME,
    column('Controller', 'string', 'The object that owns the revision.'),
    column('Revision', 'string', 'The revision number.'),
    AGE,
  ],
  (obj, now) => {
    const cr = view<ControllerRevision>(obj);
    return [nameOf(obj), controllerOf(cr), cr.revision ?? 0, ageOf(obj, now)];
  },
);
