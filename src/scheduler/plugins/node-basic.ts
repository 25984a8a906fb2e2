/**
 * The simple node filters: NodeUnschedulable (spec.unschedulable unless tolerated), NodeName
 * (spec.nodeName set by the user before scheduling) and NodePorts (host ports in use).
 */
import type { CycleState, FilterPlugin, PreFilterPlugin } from '../framework/types.js';
import { Status } from '../framework/status.js';
import type { NodeInfo } from '../nodeinfo.js';
import type { PodInfo } from '../podinfo.js';
import { PLUGIN } from './names.js';
import { anyTolerates } from './tolerations.js';

const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

/** Upstream's reason strings. */
export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const REASON_NODE_NAME = "node(s) didn't match the requested node name";
export const REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";

/** Rejects cordoned nodes unless the pod tolerates the unschedulable taint. */
export class NodeUnschedulable implements FilterPlugin {
  readonly name = PLUGIN.NodeUnschedulable;
  private readonly rejected = Status.unresolvable(REASON_UNSCHEDULABLE);

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined {
    if (!node.unschedulable) return undefined;
    return anyTolerates(pod.tolerations, UNSCHEDULABLE_TAINT) ? undefined : this.rejected;
  }
}

/** Only the node named in spec.nodeName (when a user set it on an unscheduled pod). */
export class NodeName implements FilterPlugin {
  readonly name = PLUGIN.NodeName;
  private readonly rejected = Status.unresolvable(REASON_NODE_NAME);

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined {
    const want = pod.pod.spec?.nodeName;
    return !want || want === node.name ? undefined : this.rejected;
  }
}

/** Host ports: no other pod on the node may hold the same protocol/port (and address). */
export class NodePorts implements PreFilterPlugin, FilterPlugin {
  readonly name = PLUGIN.NodePorts;
  private readonly rejected = Status.unschedulable(REASON_NODE_PORTS);

  preFilter(state: CycleState, pod: PodInfo): Status | undefined {
    if (pod.hostPorts.length === 0) state.skipFilter.add(this.name);
    return undefined;
  }

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined {
    for (const hp of pod.hostPorts) if (node.portConflict(hp)) return this.rejected;
    return undefined;
  }
}
