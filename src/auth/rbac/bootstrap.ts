/**
 * The default RBAC policy every cluster starts with (upstream v1.33 bootstrap policy, the subset
 * k8ts needs): the user-facing roles cluster-admin, admin, edit and view (the last three aggregated
 * from system:aggregate-to-* roles), discovery and self-review roles, health/metrics roles, and
 * their bindings. Each object is labelled kubernetes.io/bootstrapping=rbac-defaults and annotated
 * rbac.authorization.kubernetes.io/autoupdate=true.
 */
import type { ClusterRole, ClusterRoleBinding, PolicyRule } from './types.js';
import { RBAC_GROUP } from './types.js';

export const BOOTSTRAP_LABEL = 'kubernetes.io/bootstrapping';
export const BOOTSTRAP_LABEL_VALUE = 'rbac-defaults';
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';
export const AGGREGATE_TO_ADMIN = 'rbac.authorization.k8s.io/aggregate-to-admin';
export const AGGREGATE_TO_EDIT = 'rbac.authorization.k8s.io/aggregate-to-edit';
export const AGGREGATE_TO_VIEW = 'rbac.authorization.k8s.io/aggregate-to-view';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const READ_WRITE = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const res = (verbs: string[], apiGroups: string[], resources: string[]): PolicyRule => ({
  apiGroups,
  resources,
  verbs,
});
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ nonResourceURLs, verbs });

function clusterRole(
  name: string,
  rules: PolicyRule[] | undefined,
  extra: { labels?: Record<string, string>; aggregateFrom?: string } = {},
): ClusterRole {
  const role: ClusterRole = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: {
      name,
      labels: { [BOOTSTRAP_LABEL]: BOOTSTRAP_LABEL_VALUE, ...extra.labels },
      annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
    },
  };
  if (extra.aggregateFrom) {
    role.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [extra.aggregateFrom]: 'true' } }] };
  }
  if (rules) role.rules = rules;
  return role;
}

/** The default ClusterRoles (fresh copies on every call). */
export function bootstrapClusterRoles(): ClusterRole[] {
  return [
    clusterRole('cluster-admin', [res(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
    clusterRole('admin', undefined, { aggregateFrom: AGGREGATE_TO_ADMIN }),
    clusterRole('edit', undefined, {
      aggregateFrom: AGGREGATE_TO_EDIT,
      labels: { [AGGREGATE_TO_ADMIN]: 'true' },
    }),
    clusterRole('view', undefined, {
      aggregateFrom: AGGREGATE_TO_VIEW,
      labels: { [AGGREGATE_TO_EDIT]: 'true' },
    }),
    clusterRole(
      'system:aggregate-to-admin',
      [
        res(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
        res(READ_WRITE, [RBAC_GROUP], ['rolebindings', 'roles']),
      ],
      { labels: { [AGGREGATE_TO_ADMIN]: 'true' } },
    ),
    clusterRole(
      'system:aggregate-to-edit',
      [
        res(
          READ,
          [''],
          ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'],
        ),
        res(['impersonate'], [''], ['serviceaccounts']),
        res(WRITE, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
        res(['create'], [''], ['pods/eviction']),
        res(
          WRITE,
          [''],
          [
            'configmaps',
            'events',
            'persistentvolumeclaims',
            'replicationcontrollers',
            'replicationcontrollers/scale',
            'secrets',
            'serviceaccounts',
            'services',
            'services/proxy',
          ],
        ),
        res(['create'], [''], ['serviceaccounts/token']),
        res(
          WRITE,
          ['apps'],
          [
            'daemonsets',
            'deployments',
            'deployments/rollback',
            'deployments/scale',
            'replicasets',
            'replicasets/scale',
            'statefulsets',
            'statefulsets/scale',
          ],
        ),
        res(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
        res(WRITE, ['batch'], ['cronjobs', 'jobs']),
        res(
          WRITE,
          ['extensions'],
          [
            'daemonsets',
            'deployments',
            'deployments/rollback',
            'deployments/scale',
            'ingresses',
            'networkpolicies',
            'replicasets',
            'replicasets/scale',
            'replicationcontrollers/scale',
          ],
        ),
        res(WRITE, ['policy'], ['poddisruptionbudgets']),
        res(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
        res(READ_WRITE, ['coordination.k8s.io'], ['leases']),
      ],
      { labels: { [AGGREGATE_TO_EDIT]: 'true' } },
    ),
    clusterRole(
      'system:aggregate-to-view',
      [
        res(
          READ,
          [''],
          [
            'configmaps',
            'endpoints',
            'persistentvolumeclaims',
            'persistentvolumeclaims/status',
            'pods',
            'replicationcontrollers',
            'replicationcontrollers/scale',
            'serviceaccounts',
            'services',
            'services/status',
          ],
        ),
        res(
          READ,
          [''],
          [
            'bindings',
            'events',
            'limitranges',
            'namespaces/status',
            'pods/log',
            'pods/status',
            'replicationcontrollers/status',
            'resourcequotas',
            'resourcequotas/status',
          ],
        ),
        res(READ, [''], ['namespaces']),
        res(READ, ['discovery.k8s.io'], ['endpointslices']),
        res(
          READ,
          ['apps'],
          [
            'controllerrevisions',
            'daemonsets',
            'daemonsets/status',
            'deployments',
            'deployments/scale',
            'deployments/status',
            'replicasets',
            'replicasets/scale',
            'replicasets/status',
            'statefulsets',
            'statefulsets/scale',
            'statefulsets/status',
          ],
        ),
        res(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
        res(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
        res(
          READ,
          ['extensions'],
          [
            'daemonsets',
            'daemonsets/status',
            'deployments',
            'deployments/scale',
            'deployments/status',
            'ingresses',
            'ingresses/status',
            'networkpolicies',
            'replicasets',
            'replicasets/scale',
            'replicasets/status',
            'replicationcontrollers/scale',
          ],
        ),
        res(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
        res(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
      ],
      { labels: { [AGGREGATE_TO_VIEW]: 'true' } },
    ),
    clusterRole('system:discovery', [
      urls(
        ['get'],
        [
          '/api',
          '/api/*',
          '/apis',
          '/apis/*',
          '/healthz',
          '/livez',
          '/openapi',
          '/openapi/*',
          '/readyz',
          '/version',
          '/version/',
        ],
      ),
    ]),
    clusterRole('system:basic-user', [
      res(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      res(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ]),
    clusterRole('system:public-info-viewer', [
      urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/']),
    ]),
    clusterRole('system:monitoring', [
      urls(
        ['get'],
        ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'],
      ),
    ]),
    // What a node agent needs (upstream's system:node rules). Upstream binds no one to it and uses the
    // Node authorizer instead; k8ts binds the system:nodes group until it has a node authorizer.
    clusterRole('system:node', [
      res(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      res(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews', 'subjectaccessreviews']),
      res(READ, [''], ['services']),
      res(['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], [''], ['nodes']),
      res(['patch', 'update'], [''], ['nodes/status']),
      res(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
      res(['create', 'delete', 'get', 'list', 'watch'], [''], ['pods']),
      res(['patch', 'update'], [''], ['pods/status']),
      res(['create'], [''], ['pods/eviction']),
      res(READ, [''], ['configmaps', 'secrets']),
      res(['get'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
      res(['update', 'patch'], [''], ['persistentvolumeclaims/status']),
      res(['create'], [''], ['serviceaccounts/token']),
      res(['create', 'delete', 'get', 'patch', 'update'], ['coordination.k8s.io'], ['leases']),
      res(READ, ['storage.k8s.io'], ['csidrivers', 'storageclasses']),
      // The agent's Ingress data path (src/agent/ingress).
      res(READ, ['networking.k8s.io'], ['ingresses', 'ingressclasses']),
      res(READ, ['discovery.k8s.io'], ['endpointslices']),
    ]),
    clusterRole('system:auth-delegator', [
      res(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      res(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ]),
  ];
}

function clusterRoleBinding(role: string, groups: string[]): ClusterRoleBinding {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: {
      name: role,
      labels: { [BOOTSTRAP_LABEL]: BOOTSTRAP_LABEL_VALUE },
      annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
    },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: role },
    subjects: groups.map((name) => ({ apiGroup: RBAC_GROUP, kind: 'Group', name })),
  };
}

/** The default ClusterRoleBindings (fresh copies on every call). */
export function bootstrapClusterRoleBindings(): ClusterRoleBinding[] {
  return [
    clusterRoleBinding('cluster-admin', ['system:masters']),
    clusterRoleBinding('system:basic-user', ['system:authenticated']),
    clusterRoleBinding('system:discovery', ['system:authenticated']),
    clusterRoleBinding('system:monitoring', ['system:monitoring']),
    clusterRoleBinding('system:public-info-viewer', ['system:authenticated', 'system:unauthenticated']),
    clusterRoleBinding('system:node', ['system:nodes']),
  ];
}
