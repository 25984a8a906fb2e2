/**
 * Which nodes a DaemonSet's pod belongs on: the template's nodeName, nodeSelector and required node
 * affinity must match the node, and its tolerations (plus those every daemon pod gets) must tolerate
 * the node's NoSchedule and NoExecute taints. A pod already there may stay while only NoSchedule
 * taints are untolerated.
 */
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type {
  Affinity,
  Node,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Pod,
  PodSpec,
  Taint,
  Toleration,
} from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../client/types.js';

/** A DaemonSet, a Node and a Pod as the client returns them. */
export type Ds = DaemonSet & ApiObject;
export type DsNode = Node & ApiObject;
export type DsPod = Pod & ApiObject;

/** The field key of node affinity terms that pins a pod to a node by name. */
export const NODE_NAME_FIELD = 'metadata.name';

/** True when `toleration` tolerates `taint` (an empty key with Exists tolerates every taint). */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? 'Equal') {
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** The first taint passing `filter` that no toleration tolerates. */
export function untoleratedTaint(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  filter: (t: Taint) => boolean,
): Taint | undefined {
  return (taints ?? []).find((t) => filter(t) && !(tolerations ?? []).some((tol) => tolerates(tol, t)));
}

function requirementMatches(req: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      if (!/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0] ?? '')) return false;
      const a = BigInt(value);
      const b = BigInt(values[0] ?? '0');
      return req.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** True when a node selector term matches the node (a term with no requirements matches nothing). */
export function termMatches(term: NodeSelectorTerm, node: DsNode): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const e of exprs) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    if (!requirementMatches(e, has ? labels[e.key] : undefined)) return false;
  }
  for (const f of fields) {
    if (f.key !== NODE_NAME_FIELD || (f.operator !== 'In' && f.operator !== 'NotIn')) return false;
    if (!requirementMatches(f, node.metadata.name)) return false;
  }
  return true;
}

/** True when the pod spec's nodeSelector and required node affinity both match the node. */
export function requiredAffinityMatches(spec: PodSpec | undefined, node: DsNode): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((t) => termMatches(t, node));
}

/** The tolerations every daemon pod gets on top of its template's (upstream's list). */
export function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const list: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (hostNetwork)
    list.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  return list;
}

function sameToleration(a: Toleration, b: Toleration): boolean {
  return (
    (a.key ?? '') === (b.key ?? '') &&
    (a.operator ?? '') === (b.operator ?? '') &&
    (a.value ?? '') === (b.value ?? '') &&
    (a.effect ?? '') === (b.effect ?? '')
  );
}

/** Adds the daemon tolerations to `spec`, replacing a toleration of the same key, operator, value and effect. */
export function addDaemonTolerations(spec: PodSpec): void {
  const list = [...(spec.tolerations ?? [])];
  for (const tol of daemonTolerations(spec.hostNetwork === true)) {
    const i = list.findIndex((t) => sameToleration(t, tol));
    if (i >= 0) list[i] = tol;
    else list.push(tol);
  }
  spec.tolerations = list;
}

/** Whether a daemon pod should be started on the node, and whether one there may keep running. */
export interface NodeFit {
  shouldRun: boolean;
  shouldContinueRunning: boolean;
}

/** Upstream's NodeShouldRunDaemonPod. */
export function nodeShouldRunDaemonPod(node: DsNode, ds: Ds): NodeFit {
  const spec = ds.spec?.template?.spec;
  if (spec?.nodeName && spec.nodeName !== node.metadata.name)
    return { shouldRun: false, shouldContinueRunning: false };
  if (!requiredAffinityMatches(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = [...(spec?.tolerations ?? [])];
  const withDaemon: PodSpec = { containers: [], tolerations, hostNetwork: spec?.hostNetwork ?? false };
  addDaemonTolerations(withDaemon);
  const taints = node.spec?.taints;
  const blocking = untoleratedTaint(
    taints,
    withDaemon.tolerations,
    (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute',
  );
  if (!blocking) return { shouldRun: true, shouldContinueRunning: true };
  const evicting = untoleratedTaint(taints, withDaemon.tolerations, (t) => t.effect === 'NoExecute');
  return { shouldRun: false, shouldContinueRunning: evicting === undefined };
}

/**
 * The affinity of a daemon pod for `nodeName`: its required node affinity replaced by one term
 * selecting the node by name (the scheduler then binds it there); preferred terms and pod
 * (anti-)affinity are kept.
 */
export function pinToNode(affinity: Affinity | undefined, nodeName: string): Affinity {
  const term: NodeSelectorTerm = {
    matchFields: [{ key: NODE_NAME_FIELD, operator: 'In', values: [nodeName] }],
  };
  const out: Affinity = structuredClone(affinity ?? {});
  out.nodeAffinity = {
    ...(out.nodeAffinity ?? {}),
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] },
  };
  return out;
}

/** The node a daemon pod is for: spec.nodeName, or the node its affinity pins it to. */
export function targetNodeName(pod: DsPod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  for (const term of terms ?? []) {
    for (const f of term.matchFields ?? []) {
      if (f.key === NODE_NAME_FIELD && f.operator === 'In') {
        return f.values?.length === 1 ? f.values[0] : undefined;
      }
    }
  }
  return undefined;
}
