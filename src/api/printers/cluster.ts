/**
 * Cluster plumbing kinds: RBAC bindings, StorageClasses, PodDisruptionBudgets, PriorityClasses and
 * Leases.
 */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { ClusterRoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { KubeObject } from '../meta.js';
import { AGE, NAME, ageOf, column, nameOf, printer, view, wide } from './columns.js';
import type { Cell } from './types.js';

/** Users, groups and service accounts (`namespace/name`) of a binding's subjects. */
export function subjectCells(subjects: readonly Subject[] | undefined): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const accounts: string[] = [];
  for (const s of subjects ?? []) {
    const name = s.name ?? '';
    if (s.kind === 'ServiceAccount') accounts.push(`${s.namespace ?? ''}/${name}`);
    else if (s.kind === 'User') users.push(name);
    else if (s.kind === 'Group') groups.push(name);
  }
  return [users.join(', '), groups.join(', '), accounts.join(', ')];
}

function bindingCells(obj: KubeObject, now: Date): Cell[] {
  // RoleBinding and ClusterRoleBinding have the same shape.
  const b = view<ClusterRoleBinding>(obj);
  return [
    nameOf(obj),
    `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`,
    ageOf(obj, now),
    ...subjectCells(b.subjects),
  ];
}

function bindingColumns(what: string): ReturnType<typeof column>[] {
  return [
    NAME,
    column('Role', 'string', 'The role granted, as Kind/name.'),
    AGE,
    wide('Users', 'string', `Users the ${what} grants the role to.`),
    wide('Groups', 'string', `Groups the ${what} grants the role to.`),
    wide('ServiceAccounts', 'string', `Service accounts the ${what} grants the role to.`),
  ];
}

/** rbac.authorization.k8s.io/v1 RoleBinding. */
export const roleBindingPrinter = printer(bindingColumns('role binding'), bindingCells);
/** rbac.authorization.k8s.io/v1 ClusterRoleBinding. */
export const clusterRoleBindingPrinter = printer(bindingColumns('cluster role binding'), bindingCells);

const DEFAULT_CLASS_ANNOTATIONS = [
  'storageclass.kubernetes.io/is-default-class',
  'storageclass.beta.kubernetes.io/is-default-class',
];

/** storage.k8s.io/v1 StorageClass: the default class is marked `(default)` after its name. */
export const storageClassPrinter = printer(
  [
    NAME,
    column('Provisioner', 'string', 'The volume plugin or driver that provisions volumes.'),
    column('ReclaimPolicy', 'string', 'What happens to provisioned volumes when released.'),
    column('VolumeBindingMode', 'string', 'When volumes are bound and provisioned.'),
    column('AllowVolumeExpansion', 'string', 'Whether claims of the class may grow.'),
    AGE,
  ],
  (obj, now) => {
    const sc = view<StorageClass>(obj);
    const annotations = obj.metadata?.annotations ?? {};
    const isDefault = DEFAULT_CLASS_ANNOTATIONS.some((a) => annotations[a] === 'true');
    return [
      isDefault ? `${nameOf(obj)} (default)` : nameOf(obj),
      sc.provisioner ?? '',
      sc.reclaimPolicy ?? 'Delete',
      sc.volumeBindingMode ?? 'Immediate',
      sc.allowVolumeExpansion ?? false,
      ageOf(obj, now),
    ];
  },
);

function intOrString(value: number | string | undefined | null): string {
  return value === undefined || value === null ? 'N/A' : String(value);
}

/** policy/v1 PodDisruptionBudget. */
export const podDisruptionBudgetPrinter = printer(
  [
    NAME,
    column('Min Available', 'string', 'Pods that must stay available, as a number or percentage.'),
    column('Max Unavailable', 'string', 'Pods that may be unavailable, as a number or percentage.'),
    column('Allowed Disruptions', 'integer', 'Pods that may be evicted right now.'),
    AGE,
  ],
  (obj, now) => {
    const pdb = view<PodDisruptionBudget>(obj);
    return [
      nameOf(obj),
      intOrString(pdb.spec?.minAvailable),
      intOrString(pdb.spec?.maxUnavailable),
      pdb.status?.disruptionsAllowed ?? 0,
      ageOf(obj, now),
    ];
  },
);

/** scheduling.k8s.io/v1 PriorityClass (PREEMPTIONPOLICY shows by default, after AGE). */
export const priorityClassPrinter = printer(
  [
    NAME,
    column('Value', 'integer', 'The priority pods of the class get.'),
    column('Global-Default', 'boolean', 'Whether pods without a class get this one.'),
    AGE,
    column('PreemptionPolicy', 'string', 'Whether pods of the class may preempt others.'),
  ],
  (obj, now) => {
    const pc = view<PriorityClass>(obj);
    return [
      nameOf(obj),
      pc.value ?? 0,
      pc.globalDefault ?? false,
      ageOf(obj, now),
      pc.preemptionPolicy ?? '',
    ];
  },
);

/** coordination.k8s.io/v1 Lease: HOLDER. */
export const leasePrinter = printer(
  [NAME, column('Holder', 'string', 'The identity holding the lease.'), AGE],
  (obj, now) => [nameOf(obj), view<Lease>(obj).spec?.holderIdentity ?? '', ageOf(obj, now)],
);
