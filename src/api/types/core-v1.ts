/**
 * Schema definitions of the core group (`io.k8s.api.core.v1.*`), split by topic across the
 * core-v1-*.ts modules and gathered here.
 */
import type { Definition } from '../schema/types.js';
import { coreV1ConfigDefinitions } from './core-v1-config.js';
import { coreV1ContainerDefinitions } from './core-v1-container.js';
import { coreV1NodeDefinitions } from './core-v1-node.js';
import { coreV1PodDefinitions } from './core-v1-pod.js';
import { coreV1ServiceDefinitions } from './core-v1-service.js';
import { coreV1StorageDefinitions } from './core-v1-storage.js';
import { coreV1VolumeDefinitions } from './core-v1-volume.js';

/** Every core/v1 definition. */
export const coreV1Definitions: Definition[] = [
  ...coreV1PodDefinitions,
  ...coreV1ContainerDefinitions,
  ...coreV1VolumeDefinitions,
  ...coreV1ServiceDefinitions,
  ...coreV1NodeDefinitions,
  ...coreV1StorageDefinitions,
  ...coreV1ConfigDefinitions,
];
