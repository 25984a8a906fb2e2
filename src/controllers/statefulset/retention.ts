/**
 * persistentVolumeClaimRetentionPolicy: which owner references a pod's claims should carry so that
 * the garbage collector deletes them when the set is deleted (whenDeleted: Delete → the set owns the
 * claim) or when the pod is scaled away (whenScaled: Delete → the condemned pod owns it).
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { inOrdinalRange, type Claim, type Sts, type StsPod } from './identity.js';

/** whenDeleted / whenScaled, each Retain unless set to Delete. */
export function retentionPolicy(set: Sts): { deleteWithSet: boolean; deleteWhenScaled: boolean } {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy;
  return { deleteWithSet: p?.whenDeleted === 'Delete', deleteWhenScaled: p?.whenScaled === 'Delete' };
}

function hasRef(claim: Claim, uid: string | undefined): boolean {
  return uid !== undefined && (claim.metadata.ownerReferences ?? []).some((r) => r.uid === uid);
}

/** The owner references `claim` should have for `pod` of `set` (set ref, pod ref) under the policy. */
function wanted(set: Sts, pod: StsPod): { setRef: boolean; podRef: boolean } {
  const { deleteWithSet, deleteWhenScaled } = retentionPolicy(set);
  const scaledDown = !inOrdinalRange(pod, set);
  if (deleteWhenScaled && scaledDown) return { setRef: false, podRef: true };
  return { setRef: deleteWithSet, podRef: false };
}

/** True when the claim's owner references already fit the policy. */
export function claimOwnersMatch(claim: Claim, set: Sts, pod: StsPod): boolean {
  const w = wanted(set, pod);
  return hasRef(claim, set.metadata.uid) === w.setRef && hasRef(claim, pod.metadata.uid) === w.podRef;
}

/** A controller reference on the claim to something other than the set or the pod. */
export function hasUnexpectedController(claim: Claim, set: Sts, pod: StsPod): boolean {
  return (claim.metadata.ownerReferences ?? []).some(
    (r) => r.controller === true && r.uid !== set.metadata.uid && r.uid !== pod.metadata.uid,
  );
}

/**
 * The claim's owner references rewritten to fit the policy, or undefined when nothing changes. A pod
 * without a uid (not created yet) cannot be referenced; its reference is left for a later sync.
 */
export function claimOwnersFor(claim: Claim, set: Sts, pod: StsPod): OwnerReference[] | undefined {
  const w = wanted(set, pod);
  let refs = [...(claim.metadata.ownerReferences ?? [])];
  let changed = false;
  const ensure = (uid: string | undefined, want: boolean, ref: () => OwnerReference): void => {
    if (!uid) return;
    const has = refs.some((r) => r.uid === uid);
    if (has && !want) {
      refs = refs.filter((r) => r.uid !== uid);
      changed = true;
    } else if (!has && want) {
      refs.push(ref());
      changed = true;
    }
  };
  ensure(set.metadata.uid, w.setRef, () => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    name: set.metadata.name ?? '',
    uid: set.metadata.uid ?? '',
  }));
  ensure(pod.metadata.uid, w.podRef, () => ({
    apiVersion: 'v1',
    kind: 'Pod',
    name: pod.metadata.name ?? '',
    uid: pod.metadata.uid ?? '',
  }));
  return changed ? refs : undefined;
}

/**
 * True when the claim still belongs to an earlier pod of the same name (a reference to a Pod named
 * like this one with another uid): with whenScaled Delete it is about to be garbage collected, so
 * the new pod must wait rather than mount it.
 */
export function claimIsStale(claim: Claim, pod: StsPod): boolean {
  return (claim.metadata.ownerReferences ?? []).some(
    (r) => r.kind === 'Pod' && r.name === pod.metadata.name && r.uid !== pod.metadata.uid,
  );
}
