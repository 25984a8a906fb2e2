/**
 * Decoding and validation of plugin args from a KubeSchedulerConfiguration's pluginConfig
 * (NodeResourcesFitArgs, NodeResourcesBalancedAllocationArgs, …). Invalid args throw
 * {@link ConfigError} with a field path, so `k8ts server --scheduler-config` fails at start with a
 * clear message.
 */
import { isObject } from '../../api/meta.js';
import {
  defaultFitArgs,
  DEFAULT_RESOURCES,
  type FitArgs,
  type ResourceSpec,
  type ScoringStrategy,
} from './noderesources.js';

/** A configuration error; the message names the field. */
export class ConfigError extends Error {}

function strings(v: unknown, path: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string'))
    throw new ConfigError(`${path}: Invalid value: must be a list of strings`);
  return v as string[];
}

function int(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new ConfigError(`${path}: Invalid value: ${JSON.stringify(v)}: must be an integer`);
  return v;
}

/** Decodes a list of `{name, weight}` (weight 1…100, default 1). */
export function parseResources(v: unknown, path: string): ResourceSpec[] {
  if (v === undefined || v === null) return DEFAULT_RESOURCES.map((r) => ({ ...r }));
  if (!Array.isArray(v)) throw new ConfigError(`${path}: Invalid value: must be a list`);
  const seen = new Set<string>();
  return v.map((r, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(r) || typeof r['name'] !== 'string' || r['name'] === '')
      throw new ConfigError(`${p}.name: Required value`);
    const name = r['name'];
    if (seen.has(name)) throw new ConfigError(`${p}.name: Duplicate value: ${JSON.stringify(name)}`);
    seen.add(name);
    const weight = r['weight'] === undefined ? 1 : int(r['weight'], `${p}.weight`);
    if (weight < 1 || weight > 100)
      throw new ConfigError(
        `${p}.weight: Invalid value: ${weight}: resource weight of ${name} not in valid range [1, 100]`,
      );
    return { name, weight };
  });
}

const STRATEGIES = ['LeastAllocated', 'MostAllocated', 'RequestedToCapacityRatio'] as const;

/** NodeResourcesFitArgs. */
export function parseFitArgs(args: Record<string, unknown> | undefined): FitArgs {
  const out = defaultFitArgs();
  if (!args) return out;
  out.ignoredResources = strings(args['ignoredResources'], 'ignoredResources');
  out.ignoredResourceGroups = strings(args['ignoredResourceGroups'], 'ignoredResourceGroups');
  for (const g of out.ignoredResourceGroups)
    if (g.includes('/'))
      throw new ConfigError(
        `ignoredResourceGroups: Invalid value: ${JSON.stringify(g)}: resource group name can't contain '/'`,
      );
  const s = args['scoringStrategy'];
  if (s === undefined || s === null) return out;
  if (!isObject(s)) throw new ConfigError('scoringStrategy: Invalid value: must be an object');
  const type = s['type'] ?? 'LeastAllocated';
  if (typeof type !== 'string' || !(STRATEGIES as readonly string[]).includes(type))
    throw new ConfigError(
      `scoringStrategy.type: Unsupported value: ${JSON.stringify(type)}: supported values: ${STRATEGIES.map((x) => JSON.stringify(x)).join(', ')}`,
    );
  const strategy: ScoringStrategy = {
    type: type as ScoringStrategy['type'],
    resources: parseResources(s['resources'], 'scoringStrategy.resources'),
  };
  if (strategy.type === 'RequestedToCapacityRatio') {
    const r = s['requestedToCapacityRatio'];
    const shape = isObject(r) ? r['shape'] : undefined;
    if (!Array.isArray(shape) || shape.length === 0)
      throw new ConfigError(
        'scoringStrategy.requestedToCapacityRatio.shape: Required value: at least one point must be specified',
      );
    let last = -1;
    strategy.shape = shape.map((pt, i) => {
      const p = `scoringStrategy.requestedToCapacityRatio.shape[${i}]`;
      if (!isObject(pt)) throw new ConfigError(`${p}: Invalid value: must be an object`);
      const utilization = int(pt['utilization'] ?? 0, `${p}.utilization`);
      const score = int(pt['score'] ?? 0, `${p}.score`);
      if (utilization < 0 || utilization > 100)
        throw new ConfigError(`${p}.utilization: Invalid value: ${utilization}: not in valid range [0, 100]`);
      if (utilization <= last)
        throw new ConfigError(
          `${p}.utilization: Invalid value: ${utilization}: utilization values must be sorted in increasing order`,
        );
      if (score < 0 || score > 10)
        throw new ConfigError(`${p}.score: Invalid value: ${score}: not in valid range [0, 10]`);
      last = utilization;
      return { utilization, score };
    });
  }
  out.scoringStrategy = strategy;
  return out;
}

/** NodeResourcesBalancedAllocationArgs: the resources compared. */
export function parseBalancedArgs(args: Record<string, unknown> | undefined): ResourceSpec[] {
  return parseResources(args?.['resources'], 'resources');
}

/** InterPodAffinityArgs. */
export function parseInterPodAffinityArgs(args: Record<string, unknown> | undefined): {
  hardPodAffinityWeight: number;
  ignorePreferredTermsOfExistingPods: boolean;
} {
  const w = args?.['hardPodAffinityWeight'] ?? 1;
  const weight = int(w, 'hardPodAffinityWeight');
  if (weight < 0 || weight > 100)
    throw new ConfigError(`hardPodAffinityWeight: Invalid value: ${weight}: not in valid range [0, 100]`);
  const ignore = args?.['ignorePreferredTermsOfExistingPods'] ?? false;
  if (typeof ignore !== 'boolean')
    throw new ConfigError(
      `ignorePreferredTermsOfExistingPods: Invalid value: ${JSON.stringify(ignore)}: must be a boolean`,
    );
  return { hardPodAffinityWeight: weight, ignorePreferredTermsOfExistingPods: ignore };
}
