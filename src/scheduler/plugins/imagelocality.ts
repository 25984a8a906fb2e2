/**
 * ImageLocality: nodes that already have the pod's images score higher, in proportion to the
 * images' sizes and scaled down for images that nearly every node has (weight 1 by default).
 */
import { MAX_NODE_SCORE, type CycleState, type ScorePlugin, type ClusterView } from '../framework/types.js';
import type { NodeInfo } from '../nodeinfo.js';
import type { PodInfo } from '../podinfo.js';
import { PLUGIN } from './names.js';

const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

export class ImageLocality implements ScorePlugin {
  readonly name = PLUGIN.ImageLocality;

  score(_state: CycleState, pod: PodInfo, node: NodeInfo, view: ClusterView): number {
    // Below the minimum threshold every node scores 0: a node without images cannot do better.
    if (pod.images.length === 0 || node.images.size === 0) return 0;
    const total = view.nodes().length;
    let sum = 0;
    if (node.images.size > 0 && total > 0)
      for (const image of pod.images) {
        const st = node.images.get(image);
        if (st) sum += Math.trunc(st.size * (st.numNodes.count / total));
      }
    const numContainers =
      (pod.pod.spec?.initContainers?.length ?? 0) + (pod.pod.spec?.containers.length ?? 0);
    const max = MAX_CONTAINER_THRESHOLD * numContainers;
    if (sum < MIN_THRESHOLD) sum = MIN_THRESHOLD;
    else if (sum > max) sum = max;
    return Math.trunc((MAX_NODE_SCORE * (sum - MIN_THRESHOLD)) / (max - MIN_THRESHOLD));
  }
}
