import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { decodeSchedulerConfig } from './config.js';
import { buildFramework } from './profile.js';
import { numFeasibleNodesToFind } from './framework/framework.js';
import type { NodeResourcesFit } from './plugins/noderesources.js';

const HEAD = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';

function decode(yaml: string): ReturnType<typeof decodeSchedulerConfig> {
  return decodeSchedulerConfig(parse(HEAD + yaml) as unknown);
}

describe('KubeSchedulerConfiguration', () => {
  it('without profiles keeps the built-in default-scheduler and bin-packing-scheduler', () => {
    expect(decode('').profiles.map((p) => p.schedulerName)).toEqual([
      'default-scheduler',
      'bin-packing-scheduler',
    ]);
  });

  it('reads profiles, plugin sets, weights, pluginConfig and backoff', () => {
    const c = decode(`
percentageOfNodesToScore: 50
podInitialBackoffSeconds: 2
podMaxBackoffSeconds: 20
profiles:
- schedulerName: packer
  plugins:
    score:
      disabled: [{name: NodeResourcesBalancedAllocation}, {name: ImageLocality}]
      enabled: [{name: NodeResourcesFit, weight: 5}]
    filter:
      disabled: [{name: TaintToleration}]
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
        resources: [{name: cpu, weight: 3}, {name: memory, weight: 1}]
`);
    expect(c.percentageOfNodesToScore).toBe(50);
    expect([c.podInitialBackoffMs, c.podMaxBackoffMs]).toEqual([2000, 20000]);
    const fw = buildFramework(c.profiles[0]!, c.percentageOfNodesToScore);
    expect(fw.schedulerName).toBe('packer');
    expect(fw.plugins.filter.map((p) => p.name)).not.toContain('TaintToleration');
    expect(fw.plugins.score.map((s) => `${s.plugin.name}:${s.weight}`)).toEqual([
      'NodeResourcesFit:5',
      'TaintToleration:3',
      'NodeAffinity:2',
      'PodTopologySpread:2',
      'InterPodAffinity:2',
    ]);
    const fit = fw.plugins.score[0]!.plugin as NodeResourcesFit;
    expect(fit.args.scoringStrategy).toEqual({
      type: 'MostAllocated',
      resources: [
        { name: 'cpu', weight: 3 },
        { name: 'memory', weight: 1 },
      ],
    });
  });

  it('rejects bad files with the field at fault', () => {
    const bad: [string, string][] = [
      ['apiVersion: v1\nkind: KubeSchedulerConfiguration\n', 'apiVersion: Unsupported value: "v1"'],
      ['profiles:\n- plugins: {}\n', 'profiles[0].schedulerName: Required value'],
      [
        'profiles:\n- schedulerName: a\n- schedulerName: a\n',
        'profiles[1].schedulerName: Duplicate value: "a"',
      ],
      [
        'profiles:\n- schedulerName: a\n  plugins:\n    filter:\n      enabled: [{name: Nope}]\n',
        'plugin "Nope" does not exist',
      ],
      ['bogus: 1\n', 'strict decoding error: unknown field "bogus"'],
      [
        'profiles:\n- schedulerName: a\n  pluginConfig:\n  - name: NodeResourcesFit\n    args: {scoringStrategy: {type: Fancy}}\n',
        'profiles[a].pluginConfig[NodeResourcesFit].args.scoringStrategy.type: Unsupported value: "Fancy"',
      ],
      [
        'profiles:\n- schedulerName: a\n  plugins:\n    score:\n      enabled: [{name: NodeResourcesFit, weight: 0}]\n',
        'profiles[0].plugins.score.enabled[0].weight: Invalid value: 0: not in valid range [1, 100]',
      ],
      [
        'percentageOfNodesToScore: 101\n',
        'percentageOfNodesToScore: Invalid value: 101: not in valid range [0, 100]',
      ],
    ];
    for (const [yaml, message] of bad) {
      const doc = yaml.startsWith('apiVersion') ? yaml : HEAD + yaml;
      expect(() => decodeSchedulerConfig(parse(doc) as unknown), yaml).toThrow(message);
    }
  });
});

describe('numFeasibleNodesToFind', () => {
  it("follows upstream's adaptive share of nodes", () => {
    expect(numFeasibleNodesToFind(50, undefined)).toBe(50);
    expect(numFeasibleNodesToFind(200, undefined)).toBe(100);
    expect(numFeasibleNodesToFind(1000, undefined)).toBe(420);
    expect(numFeasibleNodesToFind(5000, undefined)).toBe(500);
    expect(numFeasibleNodesToFind(5000, 100)).toBe(5000);
    expect(numFeasibleNodesToFind(1000, 20)).toBe(200);
  });
});
