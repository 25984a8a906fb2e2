/**
 * KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) files for
 * `k8ts server --scheduler-config FILE`: profiles with their schedulerName, plugins enabled and
 * disabled per extension point, pluginConfig args, percentageOfNodesToScore and the pod backoff.
 * Decoding is strict like upstream's (unknown fields are errors), and every profile is built once
 * here so a bad file fails `k8ts server` at start with the field at fault.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { isObject } from '../api/meta.js';
import { ConfigError } from './plugins/args.js';
import {
  buildFramework,
  defaultProfiles,
  EXTENSION_POINTS,
  type PluginRef,
  type PluginSet,
  type ProfileConfig,
} from './profile.js';

export { ConfigError };

/** The decoded configuration. */
export interface SchedulerConfig {
  profiles: ProfileConfig[];
  percentageOfNodesToScore?: number;
  podInitialBackoffMs: number;
  podMaxBackoffMs: number;
}

const GROUP_VERSION = 'kubescheduler.config.k8s.io/v1';
const TOP_FIELDS = new Set([
  'apiVersion',
  'kind',
  'parallelism',
  'leaderElection',
  'clientConnection',
  'healthzBindAddress',
  'metricsBindAddress',
  'enableProfiling',
  'enableContentionProfiling',
  'percentageOfNodesToScore',
  'podInitialBackoffSeconds',
  'podMaxBackoffSeconds',
  'profiles',
  'extenders',
  'delayCacheUntilActive',
]);
const PROFILE_FIELDS = new Set(['schedulerName', 'percentageOfNodesToScore', 'plugins', 'pluginConfig']);

/** The configuration `k8ts server` uses without --scheduler-config. */
export function defaultSchedulerConfig(): SchedulerConfig {
  return { profiles: defaultProfiles(), podInitialBackoffMs: 1_000, podMaxBackoffMs: 10_000 };
}

function unknownFields(obj: Record<string, unknown>, known: Set<string>, path: string): void {
  for (const k of Object.keys(obj))
    if (!known.has(k)) throw new ConfigError(`strict decoding error: unknown field "${path}${k}"`);
}

function intField(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new ConfigError(`${path}: Invalid value: ${JSON.stringify(v)}: must be an integer`);
  if (v < min || v > max)
    throw new ConfigError(`${path}: Invalid value: ${v}: not in valid range [${min}, ${max}]`);
  return v;
}

function pluginList(v: unknown, path: string, withWeight: boolean): PluginRef[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ConfigError(`${path}: Invalid value: must be a list`);
  return v.map((p, i) => {
    const where = `${path}[${i}]`;
    if (!isObject(p)) throw new ConfigError(`${where}: Invalid value: must be an object`);
    unknownFields(p, new Set(['name', 'weight']), `${where}.`);
    if (typeof p['name'] !== 'string' || p['name'] === '')
      throw new ConfigError(`${where}.name: Required value`);
    const ref: PluginRef = { name: p['name'] };
    if (p['weight'] !== undefined) {
      if (!withWeight) throw new ConfigError(`${where}.weight: Forbidden: only score plugins have weights`);
      ref.weight = intField(p['weight'], `${where}.weight`, 1, 100);
    }
    return ref;
  });
}

function decodeProfile(raw: unknown, i: number): ProfileConfig {
  const path = `profiles[${i}]`;
  if (!isObject(raw)) throw new ConfigError(`${path}: Invalid value: must be an object`);
  unknownFields(raw, PROFILE_FIELDS, `${path}.`);
  const name = raw['schedulerName'];
  if (typeof name !== 'string' || name === '') throw new ConfigError(`${path}.schedulerName: Required value`);
  const profile: ProfileConfig = { schedulerName: name, plugins: {}, pluginConfig: new Map() };
  if (raw['percentageOfNodesToScore'] !== undefined && raw['percentageOfNodesToScore'] !== null)
    profile.percentageOfNodesToScore = intField(
      raw['percentageOfNodesToScore'],
      `${path}.percentageOfNodesToScore`,
      0,
      100,
    );
  const plugins = raw['plugins'];
  if (plugins !== undefined && plugins !== null) {
    if (!isObject(plugins)) throw new ConfigError(`${path}.plugins: Invalid value: must be an object`);
    const points = new Set<string>(['multiPoint', ...EXTENSION_POINTS]);
    unknownFields(plugins, points, `${path}.plugins.`);
    for (const [point, set] of Object.entries(plugins)) {
      if (set === null || set === undefined) continue;
      const where = `${path}.plugins.${point}`;
      if (!isObject(set)) throw new ConfigError(`${where}: Invalid value: must be an object`);
      unknownFields(set, new Set(['enabled', 'disabled']), `${where}.`);
      const ps: PluginSet = {
        enabled: pluginList(set['enabled'], `${where}.enabled`, point === 'score' || point === 'multiPoint'),
        disabled: pluginList(set['disabled'], `${where}.disabled`, false),
      };
      profile.plugins[point as keyof ProfileConfig['plugins']] = ps;
    }
  }
  const pc = raw['pluginConfig'];
  if (pc !== undefined && pc !== null) {
    if (!Array.isArray(pc)) throw new ConfigError(`${path}.pluginConfig: Invalid value: must be a list`);
    pc.forEach((entry: unknown, j) => {
      const where = `${path}.pluginConfig[${j}]`;
      if (!isObject(entry)) throw new ConfigError(`${where}: Invalid value: must be an object`);
      unknownFields(entry, new Set(['name', 'args']), `${where}.`);
      const pname = entry['name'];
      if (typeof pname !== 'string' || pname === '') throw new ConfigError(`${where}.name: Required value`);
      if (profile.pluginConfig.has(pname))
        throw new ConfigError(`${where}: Duplicate value: ${JSON.stringify(pname)}`);
      const args = entry['args'] ?? {};
      if (!isObject(args)) throw new ConfigError(`${where}.args: Invalid value: must be an object`);
      const { apiVersion: _a, kind: _k, ...rest } = args;
      profile.pluginConfig.set(pname, rest);
    });
  }
  return profile;
}

/** Decodes and validates a configuration document (already parsed from YAML/JSON). */
export function decodeSchedulerConfig(doc: unknown): SchedulerConfig {
  if (!isObject(doc)) throw new ConfigError('the configuration must be a KubeSchedulerConfiguration object');
  if (doc['apiVersion'] !== GROUP_VERSION)
    throw new ConfigError(
      `apiVersion: Unsupported value: ${JSON.stringify(doc['apiVersion'] ?? '')}: supported values: "${GROUP_VERSION}"`,
    );
  if (doc['kind'] !== 'KubeSchedulerConfiguration')
    throw new ConfigError(
      `kind: Unsupported value: ${JSON.stringify(doc['kind'] ?? '')}: supported values: "KubeSchedulerConfiguration"`,
    );
  unknownFields(doc, TOP_FIELDS, '');
  const out = defaultSchedulerConfig();
  if (doc['percentageOfNodesToScore'] !== undefined && doc['percentageOfNodesToScore'] !== null)
    out.percentageOfNodesToScore = intField(
      doc['percentageOfNodesToScore'],
      'percentageOfNodesToScore',
      0,
      100,
    );
  if (doc['podInitialBackoffSeconds'] !== undefined)
    out.podInitialBackoffMs =
      intField(doc['podInitialBackoffSeconds'], 'podInitialBackoffSeconds', 1, 86_400) * 1000;
  if (doc['podMaxBackoffSeconds'] !== undefined)
    out.podMaxBackoffMs = intField(doc['podMaxBackoffSeconds'], 'podMaxBackoffSeconds', 1, 86_400) * 1000;
  if (out.podMaxBackoffMs < out.podInitialBackoffMs)
    throw new ConfigError(
      `podMaxBackoffSeconds: Invalid value: ${out.podMaxBackoffMs / 1000}: must be greater than or equal to PodInitialBackoffSeconds`,
    );
  const extenders = doc['extenders'];
  if (Array.isArray(extenders) && extenders.length > 0)
    throw new ConfigError('extenders: Forbidden: scheduler extenders are not supported by k8ts');
  const profiles = doc['profiles'];
  if (profiles !== undefined && profiles !== null) {
    if (!Array.isArray(profiles)) throw new ConfigError('profiles: Invalid value: must be a list');
    if (profiles.length > 0) out.profiles = profiles.map(decodeProfile);
  }
  const names = new Set<string>();
  out.profiles.forEach((p, i) => {
    if (names.has(p.schedulerName))
      throw new ConfigError(
        `profiles[${i}].schedulerName: Duplicate value: ${JSON.stringify(p.schedulerName)}`,
      );
    names.add(p.schedulerName);
    // Builds the plugins: unknown plugins and bad args fail here.
    buildFramework(p, out.percentageOfNodesToScore);
  });
  return out;
}

/** Reads, decodes and validates a configuration file; errors name the file. */
export async function loadSchedulerConfig(file: string): Promise<SchedulerConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`scheduler config ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return decodeSchedulerConfig(parse(text) as unknown);
  } catch (err) {
    throw new ConfigError(`scheduler config ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
