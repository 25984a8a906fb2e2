/**
 * Every protobuf field-number table, merged: definition name → property → field spec. Covers every
 * definition reachable from a served kind (and the List kinds); fields.test.ts keeps it in step with
 * the definitions.
 */
import { appsV1Fields } from './apps-v1.js';
import { authenticationV1Fields } from './authentication-v1.js';
import { authorizationV1Fields } from './authorization-v1.js';
import { autoscalingV1Fields } from './autoscaling-v1.js';
import { autoscalingV2Fields } from './autoscaling-v2.js';
import { batchV1Fields } from './batch-v1.js';
import { coordinationV1Fields } from './coordination-v1.js';
import { coreV1PodFields } from './core-v1-pod.js';
import { coreV1VolumeFields } from './core-v1-volume.js';
import { coreV1Fields } from './core-v1.js';
import { discoveryV1Fields } from './discovery-v1.js';
import { eventsV1Fields } from './events-v1.js';
import { metaV1Fields } from './meta-v1.js';
import { networkingV1Fields } from './networking-v1.js';
import { policyV1Fields } from './policy-v1.js';
import { rbacV1Fields } from './rbac-v1.js';
import { schedulingV1Fields } from './scheduling-v1.js';
import { storageV1Fields } from './storage-v1.js';
import type { FieldTable } from './types.js';

export type { FieldSpec, FieldTable, InlineField, KeptField, TypeMetaField } from './types.js';

/** All tables in one. */
export const protobufFields: FieldTable = {
  ...metaV1Fields,
  ...coreV1Fields,
  ...coreV1PodFields,
  ...coreV1VolumeFields,
  ...appsV1Fields,
  ...batchV1Fields,
  ...autoscalingV1Fields,
  ...autoscalingV2Fields,
  ...networkingV1Fields,
  ...discoveryV1Fields,
  ...coordinationV1Fields,
  ...eventsV1Fields,
  ...rbacV1Fields,
  ...storageV1Fields,
  ...policyV1Fields,
  ...schedulingV1Fields,
  ...authenticationV1Fields,
  ...authorizationV1Fields,
};
