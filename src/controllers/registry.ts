/**
 * The controllers `k8ts server` runs (under leader election) through the controller framework.
 * Each entry is upstream's controller name; `--controllers` may turn one off.
 */
import { CronJobController } from './cronjob/controller.js';
import { daemonSetController } from './daemonset/controller.js';
import { DeploymentController } from './deployment/controller.js';
import { DisruptionController } from './disruption/disruption.js';
import { DnsEndpointsController } from './dnsendpoints/controller.js';
import { EndpointsController } from './endpoints/controller.js';
import { EndpointSliceController } from './endpointslice/controller.js';
import { EndpointSliceMirroringController } from './endpointslice/mirroring.js';
import { IngressStatusController } from './ingressstatus/ingressstatus.js';
import type { Controller } from './framework/types.js';
import { JobController } from './job/controller.js';
import { NodeLifecycleController } from './nodelifecycle/lifecycle.js';
import { TaintEvictionController } from './nodelifecycle/taint-eviction.js';
import { PodGcController } from './podgc/podgc.js';
import { ReplicaSetController } from './replicaset/controller.js';
import { ResourceQuotaController } from './resourcequota/resourcequota.js';
import { ServiceLbController } from './servicelb/controller.js';
import { statefulSetController } from './statefulset/controller.js';
import { TtlAfterFinishedController } from './ttlafterfinished/controller.js';

/** Every controller of the framework, in start order. */
export function allControllers(): Controller[] {
  return [
    new ReplicaSetController(),
    new DeploymentController(),
    statefulSetController(),
    daemonSetController(),
    new JobController(),
    new CronJobController(),
    new TtlAfterFinishedController(),
    new NodeLifecycleController(),
    new TaintEvictionController(),
    new PodGcController(),
    new ResourceQuotaController(),
    new DisruptionController(),
    new EndpointSliceController(),
    new EndpointsController(),
    new EndpointSliceMirroringController(),
    new DnsEndpointsController(),
    new ServiceLbController(),
    new IngressStatusController(),
  ];
}
