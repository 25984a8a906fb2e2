/**
 * Test helpers for the group schema modules (everything outside meta/v1 and core/v1): one registry
 * holding all their definitions, and a strict field lookup.
 */
import { DefinitionRegistry } from '../../schema/registry.js';
import type { Definition, Property } from '../../schema/types.js';
import { appsV1Definitions } from '../apps-v1.js';
import { authenticationV1Definitions } from '../authentication-v1.js';
import { authorizationV1Definitions } from '../authorization-v1.js';
import { autoscalingDefinitions } from '../autoscaling.js';
import { batchV1Definitions } from '../batch-v1.js';
import { coordinationV1Definitions } from '../coordination-v1.js';
import { discoveryV1Definitions } from '../discovery-v1.js';
import { eventsV1Definitions } from '../events-v1.js';
import { networkingV1Definitions } from '../networking-v1.js';
import { policyV1Definitions } from '../policy-v1.js';
import { rbacV1Definitions } from '../rbac-v1.js';
import { schedulingV1Definitions } from '../scheduling-v1.js';
import { storageV1Definitions } from '../storage-v1.js';

/** Each group module's definitions, by module name. */
export const groupModules: Readonly<Record<string, readonly Definition[]>> = {
  'apps-v1': appsV1Definitions,
  'batch-v1': batchV1Definitions,
  autoscaling: autoscalingDefinitions,
  'networking-v1': networkingV1Definitions,
  'discovery-v1': discoveryV1Definitions,
  'coordination-v1': coordinationV1Definitions,
  'events-v1': eventsV1Definitions,
  'rbac-v1': rbacV1Definitions,
  'storage-v1': storageV1Definitions,
  'policy-v1': policyV1Definitions,
  'scheduling-v1': schedulingV1Definitions,
  'authentication-v1': authenticationV1Definitions,
  'authorization-v1': authorizationV1Definitions,
};

/** A registry of every group definition (it throws if a name is defined twice). */
export function groupRegistry(): DefinitionRegistry {
  return new DefinitionRegistry().add(...Object.values(groupModules).flat());
}

/** The definition with this name; throws when there is none. */
export function def(registry: DefinitionRegistry, name: string): Definition {
  const d = registry.get(name);
  if (!d) throw new Error(`no definition ${name}`);
  return d;
}

/** The property `field` of definition `name`; throws when either is missing. */
export function field(registry: DefinitionRegistry, name: string, fieldName: string): Property {
  const prop = def(registry, name).properties?.[fieldName];
  if (!prop) throw new Error(`${name} has no field ${fieldName}`);
  return prop;
}

/** The sorted field names of definition `name`. */
export function fieldNames(registry: DefinitionRegistry, name: string): string[] {
  return Object.keys(def(registry, name).properties ?? {}).sort();
}
