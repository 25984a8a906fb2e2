/**
 * The table printer of each kind, for `as=Table` responses: upstream's columns and cells, so
 * `kubectl get` prints what it prints against any cluster.
 */
import {
  controllerRevisionPrinter,
  daemonSetPrinter,
  deploymentPrinter,
  replicaSetPrinter,
  statefulSetPrinter,
} from './apps.js';
import { horizontalPodAutoscalerPrinter } from './autoscaling.js';
import { cronJobPrinter, jobPrinter } from './batch.js';
import {
  clusterRoleBindingPrinter,
  leasePrinter,
  podDisruptionBudgetPrinter,
  priorityClassPrinter,
  roleBindingPrinter,
  storageClassPrinter,
} from './cluster.js';
import { configMapPrinter, namespacePrinter, secretPrinter, serviceAccountPrinter } from './core/config.js';
import { eventPrinter } from './core/event.js';
import { nodePrinter } from './core/node.js';
import { podPrinter } from './core/pod.js';
import { resourceQuotaPrinter } from './core/quota.js';
import { endpointsPrinter, servicePrinter } from './core/service.js';
import { persistentVolumeClaimPrinter, persistentVolumePrinter } from './core/volume.js';
import { defaultPrinter } from './default.js';
import {
  endpointSlicePrinter,
  ingressClassPrinter,
  ingressPrinter,
  networkPolicyPrinter,
} from './networking.js';
import type { TablePrinter } from './types.js';

export type { Cell, ColumnDefinition, TablePrinter } from './types.js';
export { defaultPrinter } from './default.js';
export { podRowConditions, type RowCondition } from './core/pod.js';
export { humanDuration } from './duration.js';

const RBAC = 'rbac.authorization.k8s.io';

/** Printers by `group/Kind` (core group: empty). Kinds left out use the default printer. */
const PRINTERS: ReadonlyMap<string, TablePrinter> = new Map<string, TablePrinter>([
  ['/Namespace', namespacePrinter],
  ['/Pod', podPrinter],
  ['/Service', servicePrinter],
  ['/Endpoints', endpointsPrinter],
  ['/ConfigMap', configMapPrinter],
  ['/Secret', secretPrinter],
  ['/ServiceAccount', serviceAccountPrinter],
  ['/Node', nodePrinter],
  ['/Event', eventPrinter],
  ['/PersistentVolume', persistentVolumePrinter],
  ['/PersistentVolumeClaim', persistentVolumeClaimPrinter],
  // Upstream has no LimitRange, Role or ClusterRole printer: NAME and CREATED AT.
  ['/LimitRange', defaultPrinter],
  ['/ResourceQuota', resourceQuotaPrinter],
  ['apps/Deployment', deploymentPrinter],
  ['apps/ReplicaSet', replicaSetPrinter],
  ['apps/StatefulSet', statefulSetPrinter],
  ['apps/DaemonSet', daemonSetPrinter],
  ['apps/ControllerRevision', controllerRevisionPrinter],
  ['batch/Job', jobPrinter],
  ['batch/CronJob', cronJobPrinter],
  ['autoscaling/HorizontalPodAutoscaler', horizontalPodAutoscalerPrinter],
  ['networking.k8s.io/Ingress', ingressPrinter],
  ['networking.k8s.io/IngressClass', ingressClassPrinter],
  ['networking.k8s.io/NetworkPolicy', networkPolicyPrinter],
  ['discovery.k8s.io/EndpointSlice', endpointSlicePrinter],
  ['coordination.k8s.io/Lease', leasePrinter],
  ['events.k8s.io/Event', eventPrinter],
  [`${RBAC}/Role`, defaultPrinter],
  [`${RBAC}/ClusterRole`, defaultPrinter],
  [`${RBAC}/RoleBinding`, roleBindingPrinter],
  [`${RBAC}/ClusterRoleBinding`, clusterRoleBindingPrinter],
  ['storage.k8s.io/StorageClass', storageClassPrinter],
  ['policy/PodDisruptionBudget', podDisruptionBudgetPrinter],
  ['scheduling.k8s.io/PriorityClass', priorityClassPrinter],
]);

/** The printer for a kind (`group` empty for core), or the default NAME / CREATED AT printer. */
export function printerFor(group: string, kind: string): TablePrinter {
  return PRINTERS.get(`${group}/${kind}`) ?? defaultPrinter;
}
