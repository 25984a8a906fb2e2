/**
 * Every definition the server knows, in one registry: the single source for OpenAPI, structural
 * checks and patch merge semantics.
 */
import { DefinitionRegistry } from '../schema/registry.js';
import { appsV1Definitions } from './apps-v1.js';
import { authenticationV1Definitions } from './authentication-v1.js';
import { authorizationV1Definitions } from './authorization-v1.js';
import { autoscalingDefinitions } from './autoscaling.js';
import { batchV1Definitions } from './batch-v1.js';
import { coordinationV1Definitions } from './coordination-v1.js';
import { coreV1Definitions } from './core-v1.js';
import { discoveryV1Definitions } from './discovery-v1.js';
import { eventsV1Definitions } from './events-v1.js';
import { metaV1Definitions } from './meta-v1.js';
import { networkingV1Definitions } from './networking-v1.js';
import { policyV1Definitions } from './policy-v1.js';
import { rbacV1Definitions } from './rbac-v1.js';
import { schedulingV1Definitions } from './scheduling-v1.js';
import { storageV1Definitions } from './storage-v1.js';

/** The registry of all definitions, built once at startup. */
export const definitions = new DefinitionRegistry().add(
  ...metaV1Definitions,
  ...coreV1Definitions,
  ...appsV1Definitions,
  ...batchV1Definitions,
  ...autoscalingDefinitions,
  ...networkingV1Definitions,
  ...discoveryV1Definitions,
  ...coordinationV1Definitions,
  ...eventsV1Definitions,
  ...rbacV1Definitions,
  ...storageV1Definitions,
  ...policyV1Definitions,
  ...schedulingV1Definitions,
  ...authenticationV1Definitions,
  ...authorizationV1Definitions,
);
