/**
 * Deployment strategy: defaults, status kept apart (with its /status subresource), generation
 * bumped when the spec or the annotations change (annotations are copied to ReplicaSets).
 */
import { defaultDeployment } from '../../../api/apps/defaults.js';
import {
  validateDeployment,
  validateDeploymentStatusUpdate,
  validateDeploymentUpdate,
} from '../../../api/apps/validation/deployment.js';
import type { KubeObject } from '../../../api/meta.js';
import { clone, semanticEqual } from '../../../api/validation/equality.js';
import type { Strategy } from '../../strategy.js';
import { bumpGeneration, keepOldSpec, keepOldStatus, resetStatusOnCreate } from '../groups-helpers.js';

/** apps/v1 has no rollbackTo; the decoder of older versions kept it, we drop it as unknown. */
function dropRemovedFields(obj: KubeObject): void {
  const spec = obj['spec'];
  if (typeof spec === 'object' && spec !== null) delete (spec as Record<string, unknown>)['rollbackTo'];
}

export const deploymentStrategy: Strategy = {
  generation: true,
  defaults: defaultDeployment,
  prepareForCreate(obj) {
    dropRemovedFields(obj);
    resetStatusOnCreate(obj);
  },
  prepareForUpdate(obj, old) {
    dropRemovedFields(obj);
    keepOldStatus(obj, old);
    const changed =
      !semanticEqual(obj['spec'], old['spec']) ||
      !semanticEqual(obj.metadata?.annotations, old.metadata?.annotations);
    bumpGeneration(obj, old, changed);
  },
  validate: (obj) => validateDeployment(obj),
  validateUpdate: (obj, old) => validateDeploymentUpdate(obj, old),
  status: {
    prepareForUpdate(obj, old) {
      keepOldSpec(obj, old);
      if (!obj.metadata) obj.metadata = {};
      const labels = old.metadata?.labels;
      if (labels === undefined) delete obj.metadata.labels;
      else obj.metadata.labels = clone(labels);
    },
    validateUpdate: (obj, old) => validateDeploymentStatusUpdate(obj, old),
  },
};
