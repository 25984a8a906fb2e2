/**
 * The controllers `k8ts server` runs (under leader election) through the controller framework.
 * Each entry is upstream's controller name; `--controllers` may turn one off.
 */
import type { Controller } from './framework/types.js';
import { ResourceQuotaController } from './resourcequota/resourcequota.js';
import { DisruptionController } from './disruption/disruption.js';

/** Every controller of the framework, in start order. */
export function allControllers(): Controller[] {
  return [new ResourceQuotaController(), new DisruptionController()];
}
