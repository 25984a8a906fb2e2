/**
 * A Deployment's ReplicaSets: claiming them (adopting matching orphans, releasing the ones that no
 * longer match), finding or creating the new one (the one whose template is the Deployment's, named
 * `<deployment>-<pod-template-hash>`), and keeping the revision annotations and the
 * FoundNewReplicaSet / NewReplicaSetCreated conditions up to date.
 */
import { ApiError } from '../../api/errors.js';
import { fromLabelSelectorObject } from '../../api/selectors/labels.js';
import { DEPLOYMENTS, REPLICASETS } from '../../client/resources.js';
import { claimObjects, recheckOwner } from '../framework/claim.js';
import { BY_CONTROLLER, ownedAndOrphans } from '../framework/indexes.js';
import { controllerOf, controllerRef } from '../framework/pods.js';
import { errorMessage } from '../replicaset/status.js';
import { namespaceTerminating } from '../replicaset/sync.js';
import {
  getCondition,
  hasProgressDeadline,
  newCondition,
  PROGRESSING,
  Reasons,
  setCondition,
} from './conditions.js';
import { event, writeStatus, type DeploymentDeps, type PodObject } from './context.js';
import {
  equalIgnoreHash,
  findNewReplicaSet,
  maxRevision,
  maxSurge,
  replicasOf,
  setNewReplicaSetAnnotations,
  specReplicas,
  templateHash,
  prunedEqual,
  POD_TEMPLATE_HASH,
  REVISION,
  type DeploymentObject,
  type ReplicaSetObject,
} from './util.js';

/** The ReplicaSets the Deployment owns after adopting and releasing. */
export async function claimReplicaSets(
  deps: DeploymentDeps,
  d: DeploymentObject,
): Promise<ReplicaSetObject[]> {
  const ns = d.metadata.namespace ?? '';
  const selector = fromLabelSelectorObject(d.spec?.selector);
  const candidates = ownedAndOrphans(deps.replicaSets, d.metadata.uid ?? '', ns);
  const dClient = deps.client.resource<DeploymentObject>(DEPLOYMENTS, ns);
  return claimObjects(
    {
      owner: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: d.metadata },
      client: deps.client.resource<ReplicaSetObject>(REPLICASETS, ns),
      matches: (rs) => selector.matches(rs.metadata.labels),
      canAdopt: recheckOwner(() => dClient.get(d.metadata.name ?? ''), d),
    },
    candidates,
  );
}

/** The pods of each ReplicaSet, by ReplicaSet uid. */
export function podsByReplicaSet(
  deps: DeploymentDeps,
  rss: readonly ReplicaSetObject[],
): Map<string, PodObject[]> {
  const out = new Map<string, PodObject[]>();
  for (const rs of rss) {
    const uid = rs.metadata.uid ?? '';
    out.set(uid, deps.pods.byIndex(BY_CONTROLLER, uid));
  }
  return out;
}

/** Sets the Deployment's revision annotation; true when it changed. */
function setDeploymentRevision(d: DeploymentObject, revision: string): boolean {
  const ann = (d.metadata.annotations ??= {});
  if (ann[REVISION] === revision) return false;
  ann[REVISION] = revision;
  return true;
}

/**
 * How many replicas the new ReplicaSet may have now: all of them for Recreate; for a rolling update
 * as many more as maxSurge leaves room for.
 */
export function newReplicaSetReplicas(
  d: DeploymentObject,
  all: readonly (ReplicaSetObject | undefined)[],
  newRs: ReplicaSetObject,
): number {
  if ((d.spec?.strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return replicasOf(d);
  const current = specReplicas(all);
  const maxTotal = replicasOf(d) + maxSurge(d);
  if (current >= maxTotal) return replicasOf(newRs);
  const up = Math.min(maxTotal - current, replicasOf(d) - replicasOf(newRs));
  return replicasOf(newRs) + up;
}

/** The new ReplicaSet and the old ones. */
export interface ReplicaSetsOfDeployment {
  newRs: ReplicaSetObject | undefined;
  oldRss: ReplicaSetObject[];
}

/**
 * Splits `rss` into the new ReplicaSet and the old ones, bringing the new one's annotations and the
 * Deployment's revision up to date; creates the new one when `create` and it does not exist.
 */
export async function replicaSetsAndSyncRevision(
  deps: DeploymentDeps,
  d: DeploymentObject,
  rss: readonly ReplicaSetObject[],
  create: boolean,
): Promise<ReplicaSetsOfDeployment> {
  const found = findNewReplicaSet(d, rss);
  const oldRss = rss.filter((rs) => rs !== found);
  const newRs = await getNewReplicaSet(deps, d, found, oldRss, create);
  return { newRs, oldRss };
}

async function getNewReplicaSet(
  deps: DeploymentDeps,
  d: DeploymentObject,
  existing: ReplicaSetObject | undefined,
  oldRss: ReplicaSetObject[],
  create: boolean,
): Promise<ReplicaSetObject | undefined> {
  const newRevision = maxRevision(oldRss) + 1;
  const ns = d.metadata.namespace ?? '';
  const rsClient = deps.client.resource<ReplicaSetObject>(REPLICASETS, ns);
  const now = deps.clock.now();
  if (existing) {
    const copy = structuredClone(existing);
    const annotationsChanged = setNewReplicaSetAnnotations(d, copy, newRevision, true);
    const minReady = d.spec?.minReadySeconds ?? 0;
    if (annotationsChanged || (copy.spec?.minReadySeconds ?? 0) !== minReady) {
      copy.spec = { ...(copy.spec ?? { selector: {} }), minReadySeconds: minReady };
      return rsClient.update(copy);
    }
    let needsUpdate = setDeploymentRevision(d, copy.metadata.annotations?.[REVISION] ?? '');
    d.status ??= {};
    if (hasProgressDeadline(d) && !getCondition(d.status, PROGRESSING)) {
      const msg = `Found new replica set "${copy.metadata.name ?? ''}"`;
      setCondition(d.status, newCondition(PROGRESSING, 'True', Reasons.foundNewReplicaSet, msg, now));
      needsUpdate = true;
    }
    if (needsUpdate) await writeStatus(deps, d);
    return copy;
  }
  if (!create) return undefined;

  const hash = templateHash(d.spec?.template, d.status?.collisionCount);
  const template = structuredClone(d.spec?.template ?? {});
  template.metadata = {
    ...(template.metadata ?? {}),
    labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash },
  };
  const selector = structuredClone(d.spec?.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
  const name = `${d.metadata.name ?? ''}-${hash}`;
  const fresh: ReplicaSetObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: ns,
      ownerReferences: [controllerRef({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: d.metadata })],
      labels: { ...(template.metadata.labels ?? {}) },
    },
    spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
  };
  const replicas = newReplicaSetReplicas(d, [...oldRss, fresh], fresh);
  fresh.spec = { ...(fresh.spec ?? { selector }), replicas };
  setNewReplicaSetAnnotations(d, fresh, newRevision, false);

  let created: ReplicaSetObject;
  let alreadyExists = false;
  try {
    created = await rsClient.create(fresh);
  } catch (err) {
    if (err instanceof ApiError && err.reason === 'AlreadyExists') {
      const rs = deps.replicaSets.get(`${ns}/${name}`) ?? (await rsClient.get(name));
      if (controllerOf(rs)?.uid === d.metadata.uid && equalIgnoreHash(d.spec?.template, rs.spec?.template)) {
        created = rs;
        alreadyExists = true;
      } else {
        // A hash collision: the next try uses another hash.
        d.status = { ...(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 };
        try {
          await writeStatus(deps, d);
          deps.log.info(
            { deployment: `${ns}/${d.metadata.name ?? ''}`, collisionCount: d.status.collisionCount },
            'found a hash collision',
          );
        } catch (writeErr) {
          deps.log.warn({ err: writeErr }, 'could not record a hash collision');
        }
        throw err;
      }
    } else {
      if (namespaceTerminating(err)) throw err;
      const msg = `Failed to create new replica set "${name}": ${errorMessage(err)}`;
      if (hasProgressDeadline(d)) {
        d.status ??= {};
        const before = structuredClone(d.status);
        setCondition(d.status, newCondition(PROGRESSING, 'False', Reasons.failedReplicaSetCreate, msg, now));
        // An unchanged status is not written again: each write would requeue the Deployment at once.
        if (!prunedEqual(before, d.status))
          await writeStatus(deps, d).catch((writeErr: unknown) =>
            deps.log.warn({ err: writeErr }, 'could not update status'),
          );
      }
      event(deps, d, 'Warning', Reasons.failedReplicaSetCreate, msg);
      throw err;
    }
  }
  if (!alreadyExists && replicas > 0)
    event(deps, d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${name} from 0 to ${replicas}`);
  let needsUpdate = setDeploymentRevision(d, String(newRevision));
  if (!alreadyExists && hasProgressDeadline(d)) {
    d.status ??= {};
    const msg = `Created new replica set "${name}"`;
    setCondition(d.status, newCondition(PROGRESSING, 'True', Reasons.newReplicaSet, msg, now));
    needsUpdate = true;
  }
  if (needsUpdate) await writeStatus(deps, d);
  return created;
}
