/** Schema definitions for coordination.k8s.io/v1: Lease, used for leader election and heartbeats. */
import { list, obj, p } from '../schema/dsl.js';
import type { Definition } from '../schema/types.js';

const COORD = 'io.k8s.api.coordination.v1.';
const gvk = (kind: string) => ({ group: 'coordination.k8s.io', version: 'v1', kind });

/** Every coordination.k8s.io/v1 definition. */
export const coordinationV1Definitions: Definition[] = [
  obj(
    COORD + 'Lease',
    'A time-limited claim that one holder makes on a named lock, such as a leader election.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      spec: p.ref(COORD + 'LeaseSpec', 'The holder and timing of the lease.'),
    },
    { gvk: [gvk('Lease')] },
  ),
  list(COORD + 'Lease', gvk('LeaseList')),
  obj(COORD + 'LeaseSpec', 'Who holds a lease and for how long.', {
    holderIdentity: p.string('The identity of the current holder.'),
    leaseDurationSeconds: p.int32(
      'How long, after renewTime, candidates wait before they may take the lease over.',
    ),
    acquireTime: p.microTime('When the current holder acquired the lease.'),
    renewTime: p.microTime('When the current holder last renewed the lease.'),
    leaseTransitions: p.int32('How many times the lease has changed holders.'),
    strategy: p.string(
      'How a holder is picked under coordinated leader election, such as OldestEmulationVersion.',
    ),
    preferredHolder: p.string(
      'A candidate the coordinator would like to hold the lease next; the holder should give it up.',
    ),
  }),
];
