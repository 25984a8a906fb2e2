/**
 * In-memory clusters for plugin and framework tests: a {@link SchedulerCache} filled with nodes and
 * bound pods, and one scheduling cycle of a profile against it, with the FitError message
 * (PostFilter included) when no node fits.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { SchedulerCache } from '../cache.js';
import { FitError } from '../framework/status.js';
import { CycleState, type PdbInfo, type PostFilterContext } from '../framework/types.js';
import type { Framework } from '../framework/framework.js';
import { PodInfo } from '../podinfo.js';
import { buildFramework, defaultProfiles, type ProfileConfig } from '../profile.js';

/** A cache holding `nodes`, and `pods` bound where their spec.nodeName says. */
export function clusterOf(
  nodes: Node[],
  pods: Pod[] = [],
  namespaces: Record<string, Record<string, string>> = {},
): SchedulerCache {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.addOrUpdateNode(n);
  for (const p of pods) cache.addOrUpdateBoundPod(new PodInfo(p), p.spec?.nodeName ?? '');
  for (const [ns, labels] of Object.entries(namespaces)) cache.setNamespace(ns, labels);
  return cache;
}

/** A bound copy of `pod` on `node`. */
export function on(node: string, pod: Pod): Pod {
  return { ...pod, spec: { ...(pod.spec ?? { containers: [] }), nodeName: node } };
}

/** The default profile's framework (or `profile`'s), with a fixed random source. */
export function frameworkOf(profile?: ProfileConfig, random: () => number = () => 0): Framework {
  return buildFramework(profile ?? (defaultProfiles()[0] as ProfileConfig), undefined, random);
}

/** What one scheduling cycle decided. */
export interface CycleOutcome {
  node?: string;
  message?: string;
  nominated?: string;
  victims: string[];
}

/** Runs one cycle of `fw` for `pod` on `cache`, with preemption recorded rather than carried out. */
export function scheduleOnce(fw: Framework, cache: SchedulerCache, pod: Pod): CycleOutcome {
  const info = new PodInfo(pod);
  const state = new CycleState();
  const victims: string[] = [];
  try {
    return { node: fw.schedule(state, info, cache).node, victims };
  } catch (err) {
    if (!(err instanceof FitError)) throw err;
    let nominated: string | undefined;
    const ctx: PostFilterContext = {
      view: cache,
      runFilters: (s, p, n) => fw.runFiltersWithNominated(s, p, n, cache, undefined),
      addPod: (s, p, a, n) => {
        for (const pl of fw.plugins.preFilter) pl.addPod?.(s, p, a, n, cache);
      },
      removePod: (s, p, r, n) => {
        for (const pl of fw.plugins.preFilter) pl.removePod?.(s, p, r, n, cache);
      },
      nominatedPods: () => [],
      pdbs: () => pdbs,
      preempt: (_p, _node, vs) => victims.push(...vs.map((v) => v.key)),
      random: () => 0,
    };
    for (const pl of fw.plugins.postFilter) {
      const r = pl.postFilter(state, info, err.diagnosis, ctx);
      err.diagnosis.postFilterMsg = r.message;
      nominated = r.nominatedNodeName;
    }
    return { message: err.message, nominated, victims };
  }
}

/** PDBs seen by {@link scheduleOnce}'s preemption (tests set them). */
export const pdbs: PdbInfo[] = [];
