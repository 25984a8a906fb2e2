/** Schema definitions for scheduling.k8s.io/v1: PriorityClass, which names a pod priority. */
import { list, obj, p } from '../schema/dsl.js';
import type { Definition } from '../schema/types.js';

const SCHED = 'io.k8s.api.scheduling.v1.';
const gvk = (kind: string) => ({ group: 'scheduling.k8s.io', version: 'v1', kind });

/** Every scheduling.k8s.io/v1 definition. */
export const schedulingV1Definitions: Definition[] = [
  obj(
    SCHED + 'PriorityClass',
    'Maps a name to an integer pod priority; pods refer to it through priorityClassName.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      value: p.int32('The priority of pods in this class; higher schedules first.'),
      globalDefault: p.bool(
        'If true, pods without a priorityClassName get this class; at most one may be set.',
      ),
      description: p.string('When and why to use this class.'),
      preemptionPolicy: p.enum(
        ['Never', 'PreemptLowerPriority'],
        'Whether pods of this class may evict lower-priority pods: PreemptLowerPriority (the default) or Never.',
      ),
    },
    { required: ['value'], gvk: [gvk('PriorityClass')] },
  ),
  list(SCHED + 'PriorityClass', gvk('PriorityClassList')),
];
