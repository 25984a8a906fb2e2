/**
 * Nodes: STATUS (`Ready`, `NotReady`, `Unknown`, plus `,SchedulingDisabled` when cordoned), ROLES
 * from the role labels, VERSION; with `-o wide` the addresses and what the node runs.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../meta.js';
import { AGE, NAME, ageOf, column, nameOf, printer, view, wide } from '../columns.js';
import { compareStrings } from '../selectors.js';
import type { Cell } from '../types.js';

const ROLE_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

const columns = [
  NAME,
  column('Status', 'string', 'Whether the node is ready, and whether it accepts new pods.'),
  column('Roles', 'string', 'Roles of the node, from its node-role labels.'),
  AGE,
  column('Version', 'string', 'Kubelet version the node reports.'),
  wide('Internal-IP', 'string', 'The first internal address of the node.'),
  wide('External-IP', 'string', 'The first external address of the node.'),
  wide('OS-Image', 'string', 'Operating system image the node reports.'),
  wide('Kernel-Version', 'string', 'Kernel version the node reports.'),
  wide('Container-Runtime', 'string', 'Container runtime name and version the node reports.'),
];

/** `Ready`, `NotReady` or `Unknown`, with `SchedulingDisabled` appended for unschedulable nodes. */
export function nodeStatus(node: Node): string {
  const parts: string[] = [];
  // The last Ready condition wins, as in a map keyed by condition type.
  const ready = (node.status?.conditions ?? []).filter((c) => c.type === 'Ready').at(-1);
  if (ready) parts.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  else parts.push('Unknown');
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

/** Roles from `node-role.kubernetes.io/<role>` keys and the `kubernetes.io/role` value, sorted. */
export function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata?.labels ?? {})) {
    if (key.startsWith(ROLE_PREFIX)) {
      const role = key.slice(ROLE_PREFIX.length);
      if (role !== '') roles.add(role);
    } else if (key === ROLE_LABEL && value !== '') {
      roles.add(value);
    }
  }
  return roles.size === 0 ? '<none>' : [...roles].sort(compareStrings).join(',');
}

function address(node: Node, type: string): string {
  const found = (node.status?.addresses ?? []).find((a) => a.type === type);
  return found ? (found.address ?? '') : '<none>';
}

function nodeCells(obj: KubeObject, now: Date): Cell[] {
  const node = view<Node>(obj);
  const info = node.status?.nodeInfo;
  return [
    nameOf(obj),
    nodeStatus(node),
    nodeRoles(node),
    ageOf(obj, now),
    info?.kubeletVersion ?? '',
    address(node, 'InternalIP'),
    address(node, 'ExternalIP'),
    info?.osImage || '<unknown>',
    info?.kernelVersion || '<unknown>',
    info?.containerRuntimeVersion || '<unknown>',
  ];
}

/** core/v1 Node. */
export const nodePrinter = printer(columns, nodeCells);
