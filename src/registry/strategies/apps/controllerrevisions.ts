/**
 * ControllerRevision strategy: no status, data immutable.
 */
import {
  validateControllerRevision,
  validateControllerRevisionUpdate,
} from '../../../api/apps/validation/controllerrevision.js';
import type { Strategy } from '../../strategy.js';

export const controllerRevisionStrategy: Strategy = {
  validate: (obj) => validateControllerRevision(obj),
  validateUpdate: (obj, old) => validateControllerRevisionUpdate(obj, old),
};
