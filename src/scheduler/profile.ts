/**
 * Scheduler profiles: which plugins run at which extension point with which weights and args,
 * merged over upstream's default plugin set the way KubeSchedulerConfiguration v1 merges them
 * (`multiPoint` enables a plugin at every point it implements; per-point `enabled` lists override
 * weights or add plugins; `disabled` removes, `*` removes all defaults).
 */
import { Framework, type ProfilePlugins } from './framework/framework.js';
import type {
  AnyPlugin,
  FilterPlugin,
  PostFilterPlugin,
  PreFilterPlugin,
  PreScorePlugin,
  ScorePlugin,
} from './framework/types.js';
import { ConfigError } from './plugins/args.js';
import { PLUGIN } from './plugins/names.js';
import { ACCEPTED_NOOP_PLUGINS, REGISTRY } from './plugins/registry.js';

/** Extension points a configuration may name. */
export const EXTENSION_POINTS = [
  'queueSort',
  'preEnqueue',
  'preFilter',
  'filter',
  'postFilter',
  'preScore',
  'score',
  'reserve',
  'permit',
  'preBind',
  'bind',
  'postBind',
] as const;
export type ExtensionPoint = (typeof EXTENSION_POINTS)[number];

/** One plugin named in a configuration. */
export interface PluginRef {
  name: string;
  weight?: number;
}

/** Enabled and disabled plugins of one extension point. */
export interface PluginSet {
  enabled: PluginRef[];
  disabled: PluginRef[];
}

/** One profile of a KubeSchedulerConfiguration. */
export interface ProfileConfig {
  schedulerName: string;
  percentageOfNodesToScore?: number;
  plugins: Partial<Record<ExtensionPoint | 'multiPoint', PluginSet>>;
  /** Plugin name → args. */
  pluginConfig: Map<string, Record<string, unknown>>;
}

/** Upstream's default multiPoint plugins (v1.33) with their score weights. */
export const DEFAULT_MULTIPOINT: PluginRef[] = [
  { name: PLUGIN.PrioritySort },
  { name: PLUGIN.NodeUnschedulable },
  { name: PLUGIN.NodeName },
  { name: PLUGIN.TaintToleration, weight: 3 },
  { name: PLUGIN.NodeAffinity, weight: 2 },
  { name: PLUGIN.NodePorts },
  { name: PLUGIN.NodeResourcesFit, weight: 1 },
  { name: 'VolumeRestrictions' },
  { name: 'NodeVolumeLimits' },
  { name: 'VolumeBinding' },
  { name: 'VolumeZone' },
  { name: PLUGIN.PodTopologySpread, weight: 2 },
  { name: PLUGIN.InterPodAffinity, weight: 2 },
  { name: PLUGIN.DefaultPreemption },
  { name: PLUGIN.NodeResourcesBalancedAllocation, weight: 1 },
  { name: PLUGIN.ImageLocality, weight: 1 },
  { name: PLUGIN.DefaultBinder },
];

/** The default profile's name. */
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
/** The built-in bin-packing profile: NodeResourcesFit scores MostAllocated (fill nodes first). */
export const BIN_PACKING_SCHEDULER_NAME = 'bin-packing-scheduler';

/** The profiles `k8ts server` runs without --scheduler-config. */
export function defaultProfiles(): ProfileConfig[] {
  return [
    { schedulerName: DEFAULT_SCHEDULER_NAME, plugins: {}, pluginConfig: new Map() },
    {
      schedulerName: BIN_PACKING_SCHEDULER_NAME,
      plugins: {},
      pluginConfig: new Map([
        [
          PLUGIN.NodeResourcesFit,
          {
            scoringStrategy: {
              type: 'MostAllocated',
              resources: [
                { name: 'cpu', weight: 1 },
                { name: 'memory', weight: 1 },
              ],
            },
          },
        ],
        // No system-default spreading: it would pull a Deployment's pods apart, against packing.
        [PLUGIN.PodTopologySpread, { defaultingType: 'List' }],
      ]),
    },
  ];
}

/** Merges a configured set over defaults (upstream's mergePluginSet). */
function mergeSet(
  defaults: PluginRef[],
  custom: PluginSet | undefined,
): { enabled: PluginRef[]; disabled: Set<string> } {
  const disabled = new Set((custom?.disabled ?? []).map((p) => p.name));
  const all = disabled.has('*');
  const enabled: PluginRef[] = all
    ? []
    : defaults.filter((p) => !disabled.has(p.name)).map((p) => ({ ...p }));
  for (const p of custom?.enabled ?? []) {
    const i = enabled.findIndex((e) => e.name === p.name);
    if (i >= 0) enabled[i] = { ...p };
    else enabled.push({ ...p });
  }
  return { enabled, disabled };
}

function implementsPoint(pl: AnyPlugin, point: ExtensionPoint): boolean {
  switch (point) {
    case 'preFilter':
      return typeof pl.preFilter === 'function';
    case 'filter':
      return typeof pl.filter === 'function';
    case 'postFilter':
      return typeof pl.postFilter === 'function';
    case 'preScore':
      return typeof pl.preScore === 'function';
    case 'score':
      return typeof pl.score === 'function';
    default:
      return false;
  }
}

const BUILT_POINTS = ['preFilter', 'filter', 'postFilter', 'preScore', 'score'] as const;

/** Checks a plugin name is one k8ts knows. */
function checkKnown(name: string, where: string): void {
  if (!REGISTRY.has(name) && !ACCEPTED_NOOP_PLUGINS.has(name) && name !== '*')
    throw new ConfigError(`${where}: plugin "${name}" does not exist`);
}

/** Builds the run-time framework of a profile; throws {@link ConfigError} on a bad configuration. */
export function buildFramework(
  profile: ProfileConfig,
  globalPercentage: number | undefined,
  random?: () => number,
): Framework {
  const where = `profiles[${profile.schedulerName}]`;
  for (const [point, set] of Object.entries(profile.plugins)) {
    for (const p of set?.enabled ?? []) checkKnown(p.name, `${where}.plugins.${point}.enabled`);
    for (const p of set?.disabled ?? []) checkKnown(p.name, `${where}.plugins.${point}.disabled`);
  }
  for (const name of profile.pluginConfig.keys()) checkKnown(name, `${where}.pluginConfig`);

  const multi = mergeSet(DEFAULT_MULTIPOINT, profile.plugins.multiPoint);
  const instances = new Map<string, AnyPlugin>();
  const instance = (name: string): AnyPlugin | undefined => {
    let pl = instances.get(name);
    if (pl) return pl;
    const reg = REGISTRY.get(name);
    if (!reg) return undefined;
    try {
      pl = reg.factory(profile.pluginConfig.get(name));
    } catch (err) {
      if (err instanceof ConfigError)
        throw new ConfigError(`${where}.pluginConfig[${name}].args.${err.message}`);
      throw err;
    }
    instances.set(name, pl);
    return pl;
  };

  const out: ProfilePlugins = { preFilter: [], filter: [], postFilter: [], preScore: [], score: [] };
  for (const point of BUILT_POINTS) {
    const specific = mergeSet([], profile.plugins[point]);
    const disabledAll = specific.disabled.has('*');
    const chosen: PluginRef[] = [];
    const names = new Set<string>();
    // Plugins named at this point that multiPoint also enables keep multiPoint's order here first.
    for (const p of specific.enabled) {
      if (!multi.enabled.some((m) => m.name === p.name)) continue;
      chosen.push(p);
      names.add(p.name);
    }
    if (!disabledAll)
      for (const p of multi.enabled) {
        if (names.has(p.name) || specific.disabled.has(p.name)) continue;
        const pl = instance(p.name);
        if (!pl || !implementsPoint(pl, point)) continue;
        chosen.push(p);
        names.add(p.name);
      }
    for (const p of specific.enabled) {
      if (names.has(p.name)) continue;
      chosen.push(p);
      names.add(p.name);
    }
    for (const ref of chosen) {
      const pl = instance(ref.name);
      if (!pl) continue;
      if (!implementsPoint(pl, point))
        throw new ConfigError(
          `${where}.plugins.${point}: plugin "${ref.name}" does not extend ${point} plugin`,
        );
      switch (point) {
        case 'preFilter':
          out.preFilter.push(pl as PreFilterPlugin);
          break;
        case 'filter':
          out.filter.push(pl as FilterPlugin);
          break;
        case 'postFilter':
          out.postFilter.push(pl as PostFilterPlugin);
          break;
        case 'preScore':
          out.preScore.push(pl as PreScorePlugin);
          break;
        case 'score': {
          const weight = ref.weight ?? multi.enabled.find((m) => m.name === ref.name)?.weight ?? 1;
          if (weight < 1 || weight > 100)
            throw new ConfigError(
              `${where}.plugins.score.enabled[${ref.name}].weight: Invalid value: ${weight}: must be in the range [1, 100]`,
            );
          out.score.push({ plugin: pl as ScorePlugin, weight });
          break;
        }
      }
    }
  }
  return new Framework(
    profile.schedulerName,
    out,
    profile.percentageOfNodesToScore ?? globalPercentage,
    random,
  );
}
