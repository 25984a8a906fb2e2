/**
 * RollingUpdate of a DaemonSet. Without surge: delete old pods while fewer than maxUnavailable daemon
 * pods are unavailable (old pods that are unavailable anyway go first) and let the create pass put
 * new ones in their place. With maxSurge: start a new pod beside an old one on up to maxSurge nodes
 * and delete the old one once the new one is available.
 */
import { isPodAvailable } from '../framework/pods.js';
import { nodeShouldRunDaemonPod, type Ds, type DsNode, type DsPod } from './eligibility.js';
import { isPodUpdated, templateGeneration } from './pods.js';

/** An int-or-percent scaled against `total`, rounding up (as upstream does for DaemonSets). */
export function scaledValue(v: number | string | undefined, total: number): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (m) return Math.ceil((Number(m[1]) * total) / 100);
  const n = Number(v);
  return Number.isInteger(n) ? n : 0;
}

/** maxSurge (0 unless RollingUpdate with maxSurge set). */
export function surgeCount(ds: Ds, total: number): number {
  const s = ds.spec?.updateStrategy;
  if ((s?.type ?? 'RollingUpdate') !== 'RollingUpdate' || !s?.rollingUpdate) return 0;
  return scaledValue(s.rollingUpdate.maxSurge, total);
}

/** maxUnavailable (0 unless RollingUpdate). */
export function unavailableCount(ds: Ds, total: number): number {
  const s = ds.spec?.updateStrategy;
  if ((s?.type ?? 'RollingUpdate') !== 'RollingUpdate' || !s?.rollingUpdate) return 0;
  return scaledValue(s.rollingUpdate.maxUnavailable, total);
}

/** True when the DaemonSet may run a second (new) pod on a node during an update. */
export function allowsSurge(ds: Ds): boolean {
  return surgeCount(ds, 1) !== 0;
}

/** The new and the old pod of a node, or undefined when it has more than one of either. */
export function updatedPodsOnNode(
  ds: Ds,
  pods: readonly DsPod[],
  hash: string,
): { newPod?: DsPod; oldPod?: DsPod } | undefined {
  const gen = templateGeneration(ds);
  let newPod: DsPod | undefined;
  let oldPod: DsPod | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash, gen)) {
      if (newPod) return undefined;
      newPod = pod;
    } else {
      if (oldPod) return undefined;
      oldPod = pod;
    }
  }
  return { newPod, oldPod };
}

/** What a rolling-update pass wants done. */
export interface RollingPlan {
  deletePods: DsPod[];
  createOnNodes: string[];
}

/** Plans one rolling-update pass. `nodeToPods` is the map of the create/delete pass (it is extended). */
export function planRollingUpdate(
  ds: Ds,
  nodes: readonly DsNode[],
  nodeToPods: Map<string, DsPod[]>,
  hash: string,
  now: Date,
): RollingPlan {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const available = (p: DsPod): boolean => isPodAvailable(p, minReady, now);
  const byName = new Map(nodes.map((n) => [n.metadata.name ?? '', n]));
  let desired = 0;
  for (const node of nodes) {
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    desired++;
    const name = node.metadata.name ?? '';
    if (!nodeToPods.has(name)) nodeToPods.set(name, []);
  }
  const maxSurge = surgeCount(ds, desired);
  let maxUnavailable = unavailableCount(ds, desired);
  if (desired > 0 && maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;

  if (maxSurge === 0) {
    let numUnavailable = 0;
    const replace: DsPod[] = [];
    const candidates: DsPod[] = [];
    for (const pods of nodeToPods.values()) {
      const found = updatedPodsOnNode(ds, pods, hash);
      if (!found) {
        numUnavailable++;
        continue;
      }
      const { newPod, oldPod } = found;
      if ((!oldPod && !newPod) || (oldPod && newPod)) numUnavailable++;
      else if (newPod) {
        if (!available(newPod)) numUnavailable++;
      } else if (oldPod) {
        if (!available(oldPod)) {
          replace.push(oldPod);
          numUnavailable++;
        } else if (numUnavailable < maxUnavailable) {
          candidates.push(oldPod);
        }
      }
    }
    const remaining = Math.min(Math.max(maxUnavailable - numUnavailable, 0), candidates.length);
    return { deletePods: [...replace, ...candidates.slice(0, remaining)], createOnNodes: [] };
  }

  const deletePods: DsPod[] = [];
  const shouldNotRun: DsPod[] = [];
  const candidates: string[] = [];
  const allowed: string[] = [];
  let numSurge = 0;
  let numAvailable = 0;
  for (const [nodeName, pods] of nodeToPods) {
    const found = updatedPodsOnNode(ds, pods, hash);
    if (!found) {
      numSurge++;
      continue;
    }
    const { newPod, oldPod } = found;
    if (oldPod) {
      if (available(oldPod)) numAvailable++;
    } else if (newPod && available(newPod)) numAvailable++;
    if (!oldPod) continue;
    const node = byName.get(nodeName);
    const shouldRun = node !== undefined && nodeShouldRunDaemonPod(node, ds).shouldRun;
    if (!newPod) {
      if (!available(oldPod)) {
        if (!shouldRun) deletePods.push(oldPod);
        else allowed.push(nodeName);
      } else if (!shouldRun) {
        shouldNotRun.push(oldPod);
      } else if (numSurge < maxSurge) {
        candidates.push(nodeName);
      }
      continue;
    }
    if (!available(newPod)) {
      numSurge++;
      continue;
    }
    deletePods.push(oldPod);
  }
  const deletable = Math.min(numAvailable - desired, shouldNotRun.length);
  if (deletable > 0) deletePods.push(...shouldNotRun.slice(0, deletable));
  const remaining = Math.min(Math.max(maxSurge - numSurge, 0), candidates.length);
  return { deletePods, createOnNodes: [...allowed, ...candidates.slice(0, remaining)] };
}
