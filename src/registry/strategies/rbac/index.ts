/**
 * Strategies for rbac.authorization.k8s.io/v1, keyed by plural. Names are path segments (so
 * `system:controller:x` is valid). The escalation checks need the authorizer and run before storing:
 * see ./escalation.ts (authorizeRbacWrite).
 */
import { defaultBinding } from '../../../api/rbac/defaults.js';
import {
  validateBindingUpdate,
  validateClusterRole,
  validateClusterRoleBinding,
  validateRole,
  validateRoleBinding,
} from '../../../api/rbac/validation.js';
import type { Strategy } from '../../strategy.js';

export { authorizeRbacWrite } from './escalation.js';

const roles: Strategy = {
  nameValidation: 'path-segment',
  validate: (obj) => validateRole(obj),
  validateUpdate: (obj) => validateRole(obj),
};

const clusterRoles: Strategy = {
  nameValidation: 'path-segment',
  validate: (obj) => validateClusterRole(obj),
  validateUpdate: (obj) => validateClusterRole(obj),
};

const roleBindings: Strategy = {
  nameValidation: 'path-segment',
  defaults: defaultBinding,
  validate: (obj) => validateRoleBinding(obj),
  validateUpdate: (obj, old) => [...validateRoleBinding(obj), ...validateBindingUpdate(obj, old)],
};

const clusterRoleBindings: Strategy = {
  nameValidation: 'path-segment',
  defaults: defaultBinding,
  validate: (obj) => validateClusterRoleBinding(obj),
  validateUpdate: (obj, old) => [...validateClusterRoleBinding(obj), ...validateBindingUpdate(obj, old)],
};

/** The RBAC strategies by plural resource name. */
export const rbacStrategies: Record<string, Strategy> = {
  roles,
  clusterroles: clusterRoles,
  rolebindings: roleBindings,
  clusterrolebindings: clusterRoleBindings,
};
