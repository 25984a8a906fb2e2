/**
 * The strategies of every non-core group this server stores, keyed by `group/plural` of the stored
 * resource. autoscaling/v1 HorizontalPodAutoscalers and events.k8s.io/v1 Events are converted
 * (src/api/conversion.ts) and stored as autoscaling/v2 and core/v1; their strategies are the
 * stored resource's.
 */
import type { Strategy } from '../strategy.js';
import { controllerRevisionStrategy } from './apps/controllerrevisions.js';
import { daemonSetStrategy } from './apps/daemonsets.js';
import { deploymentStrategy } from './apps/deployments.js';
import { replicaSetStrategy } from './apps/replicasets.js';
import { statefulSetStrategy } from './apps/statefulsets.js';
import { horizontalPodAutoscalerStrategy } from './autoscaling/horizontalpodautoscalers.js';
import { cronJobStrategy } from './batch/cronjobs.js';
import { jobStrategy } from './batch/jobs.js';
import { leaseStrategy } from './coordination/leases.js';
import { endpointSliceStrategy } from './discovery/endpointslices.js';
import { ingressClassStrategy } from './networking/ingressclasses.js';
import { ingressStrategy } from './networking/ingresses.js';
import { networkPolicyStrategy } from './networking/networkpolicies.js';
import { podDisruptionBudgetStrategy } from './policy/poddisruptionbudgets.js';
import { priorityClassStrategy } from './scheduling/priorityclasses.js';
import { storageClassStrategy } from './storage/storageclasses.js';

export const groupStrategies: Record<string, Strategy> = {
  'apps/deployments': deploymentStrategy,
  'apps/replicasets': replicaSetStrategy,
  'apps/statefulsets': statefulSetStrategy,
  'apps/daemonsets': daemonSetStrategy,
  'apps/controllerrevisions': controllerRevisionStrategy,
  'batch/jobs': jobStrategy,
  'batch/cronjobs': cronJobStrategy,
  'autoscaling/horizontalpodautoscalers': horizontalPodAutoscalerStrategy,
  'networking.k8s.io/ingresses': ingressStrategy,
  'networking.k8s.io/ingressclasses': ingressClassStrategy,
  'networking.k8s.io/networkpolicies': networkPolicyStrategy,
  'discovery.k8s.io/endpointslices': endpointSliceStrategy,
  'coordination.k8s.io/leases': leaseStrategy,
  'storage.k8s.io/storageclasses': storageClassStrategy,
  'policy/poddisruptionbudgets': podDisruptionBudgetStrategy,
  'scheduling.k8s.io/priorityclasses': priorityClassStrategy,
};
