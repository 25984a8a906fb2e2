/**
 * One Deployment sync, as upstream's syncDeployment: claim the ReplicaSets; a Deployment being
 * deleted only gets its status; paused and scaling events only scale; otherwise one step of the
 * strategy's rollout.
 */
import { fromLabelSelectorObject } from '../../api/selectors/labels.js';
import { writeStatus, event, type DeploymentDeps } from './context.js';
import { checkPausedConditions } from './progress.js';
import { rolloutRecreate } from './recreate.js';
import { claimReplicaSets, replicaSetsAndSyncRevision } from './replicasets.js';
import { rolloutRolling } from './rolling.js';
import { isScalingEvent, syncDeploymentStatus, syncScaling } from './scale.js';

/** Reconciles the Deployment `namespace/name`. Rejects to be retried with backoff. */
export async function syncDeployment(deps: DeploymentDeps, key: string): Promise<void> {
  const cached = deps.deployments.get(key);
  if (!cached) return;
  const d = structuredClone(cached);
  let selector;
  try {
    selector = fromLabelSelectorObject(d.spec?.selector ?? {});
  } catch (err) {
    deps.log.warn({ err, deployment: key }, 'invalid selector; not syncing');
    return;
  }
  if (selector.isEmpty()) {
    event(
      deps,
      d,
      'Warning',
      'SelectingAll',
      'This deployment is selecting all pods. A non-empty selector is required.',
    );
    if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
      d.status = { ...(d.status ?? {}), observedGeneration: d.metadata.generation ?? 0 };
      await writeStatus(deps, d);
    }
    return;
  }
  const rss = await claimReplicaSets(deps, d);
  if (d.metadata.deletionTimestamp) {
    const { newRs, oldRss } = await replicaSetsAndSyncRevision(deps, d, rss, false);
    return syncDeploymentStatus(deps, [...oldRss, newRs], newRs, d);
  }
  await checkPausedConditions(deps, d);
  if (d.spec?.paused) return syncScaling(deps, d, rss);
  if (await isScalingEvent(deps, d, rss)) return syncScaling(deps, d, rss);
  const strategy = d.spec?.strategy?.type ?? 'RollingUpdate';
  if (strategy === 'Recreate') return rolloutRecreate(deps, d, rss);
  if (strategy === 'RollingUpdate') return rolloutRolling(deps, d, rss);
  deps.log.warn({ deployment: key, strategy }, 'unexpected deployment strategy type');
}
