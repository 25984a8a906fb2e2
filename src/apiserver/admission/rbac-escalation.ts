/**
 * RBAC escalation prevention as an admission step: nobody creates or changes a Role, ClusterRole
 * or binding that grants what they do not hold themselves (unless they may `escalate` or `bind`).
 */
import type { RbacSource } from '../../auth/rbac/types.js';
import type { Authorizer } from '../../auth/types.js';
import { authorizeRbacWrite } from '../../registry/strategies/rbac/index.js';
import type { AdmissionPlugin } from './types.js';

export function rbacEscalation(authorizer: Authorizer, source: RbacSource): AdmissionPlugin {
  return {
    name: 'RBACEscalation',
    async validate(a) {
      if (a.resource.group !== 'rbac.authorization.k8s.io' || !a.object) return;
      if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return;
      const err = await authorizeRbacWrite(a.user, a.object, a.namespace, authorizer, source, a.oldObject);
      if (err) throw err;
    },
  };
}
