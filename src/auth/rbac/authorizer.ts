/**
 * The RBAC authorizer: allows a request when a rule the user holds (through a ClusterRoleBinding, or
 * a RoleBinding in the request's namespace) matches it. Members of system:masters are always allowed,
 * as upstream's privileged-group authorizer in front of RBAC. Otherwise it has no opinion, which the
 * server treats as a denial.
 */
import type {
  AuthorizationAttributes,
  AuthorizationResult,
  Authorizer,
  NonResourceRule,
  ResourceRule,
} from '../types.js';
import { SYSTEM_MASTERS } from '../users.js';
import { visitRulesFor, resolveRules } from './resolver.js';
import { ruleAllows } from './rules.js';
import type { RbacSource } from './types.js';

export interface RbacAuthorizerOptions {
  /** Groups allowed everything without consulting RBAC; default ["system:masters"]. */
  privilegedGroups?: string[];
}

/** An RBAC authorizer reading from `source`. */
export function rbacAuthorizer(source: RbacSource, opts: RbacAuthorizerOptions = {}): Authorizer {
  const privileged = opts.privilegedGroups ?? [SYSTEM_MASTERS];
  return {
    authorize(attrs: AuthorizationAttributes): Promise<AuthorizationResult> {
      if (attrs.user.groups.some((g) => privileged.includes(g))) {
        return Promise.resolve({ decision: 'allow', reason: '' });
      }
      let allowedBy: string | undefined;
      const errors: string[] = [];
      visitRulesFor(source, attrs.user, attrs.namespace, (rule, from, error) => {
        if (error) errors.push(error);
        if (rule && ruleAllows(attrs, rule)) {
          allowedBy = from;
          return false;
        }
        return true;
      });
      if (allowedBy !== undefined)
        return Promise.resolve({ decision: 'allow', reason: `RBAC: allowed by ${allowedBy}` });
      const reason =
        errors.length === 0 ? '' : `RBAC: ${errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`}`;
      return Promise.resolve({ decision: 'noOpinion', reason });
    },

    rulesFor(user, namespace) {
      const { rules, errors } = resolveRules(source, user, namespace);
      const resourceRules: ResourceRule[] = [];
      const nonResourceRules: NonResourceRule[] = [];
      for (const rule of rules) {
        if ((rule.resources ?? []).length > 0) {
          resourceRules.push({
            verbs: rule.verbs ?? [],
            apiGroups: rule.apiGroups ?? [],
            resources: rule.resources ?? [],
            resourceNames: rule.resourceNames ?? [],
          });
        }
        if ((rule.nonResourceURLs ?? []).length > 0) {
          nonResourceRules.push({ verbs: rule.verbs ?? [], nonResourceURLs: rule.nonResourceURLs ?? [] });
        }
      }
      const result: Awaited<ReturnType<Authorizer['rulesFor']>> = {
        resourceRules,
        nonResourceRules,
        incomplete: false,
      };
      if (errors.length > 0)
        result.evaluationError = errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
      return Promise.resolve(result);
    },
  };
}
