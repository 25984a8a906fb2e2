/**
 * The in-tree plugins k8ts has, how each is built from its pluginConfig args, and which cluster
 * events may make a pod it rejected schedulable (upstream's EventsToRegister, simplified to
 * resource + action bits).
 */
import type { AnyPlugin } from '../framework/types.js';
import { ACTION, type ClusterEvent, type EventResource } from '../queue.js';
import { ImageLocality } from './imagelocality.js';
import { PLUGIN } from './names.js';
import { NodeName, NodePorts, NodeUnschedulable } from './node-basic.js';
import { NodeAffinity } from './nodeaffinity.js';
import { NodeResourcesBalancedAllocation, NodeResourcesFit } from './noderesources.js';
import { parseBalancedArgs, parseFitArgs, parseInterPodAffinityArgs } from './args.js';
import { DefaultPreemption, parsePreemptionArgs } from './defaultpreemption.js';
import { InterPodAffinity } from './interpodaffinity.js';
import { parseSpreadArgs, PodTopologySpread } from './podtopologyspread.js';
import { TaintToleration } from './tainttoleration.js';

/** What builds a plugin: its decoded pluginConfig args (undefined when none were given). */
export type PluginFactory = (args: Record<string, unknown> | undefined) => AnyPlugin;

/** A registered plugin. */
export interface PluginRegistration {
  factory: PluginFactory;
  /** Events that may help a pod this plugin rejected. */
  events: { resource: EventResource; actions: number }[];
}

const NODE_ADD = { resource: 'Node' as const, actions: ACTION.Add };

/** Every plugin k8ts implements, by upstream name. */
export const REGISTRY = new Map<string, PluginRegistration>([
  [
    PLUGIN.NodeUnschedulable,
    {
      factory: () => new NodeUnschedulable(),
      events: [{ resource: 'Node', actions: ACTION.Add | ACTION.UpdateNodeTaint }],
    },
  ],
  [PLUGIN.NodeName, { factory: () => new NodeName(), events: [NODE_ADD] }],
  [
    PLUGIN.TaintToleration,
    {
      factory: () => new TaintToleration(),
      events: [
        { resource: 'Node', actions: ACTION.Add | ACTION.UpdateNodeTaint },
        { resource: 'UnscheduledPod', actions: ACTION.UpdatePodToleration },
      ],
    },
  ],
  [
    PLUGIN.NodeAffinity,
    {
      factory: () => new NodeAffinity(),
      events: [{ resource: 'Node', actions: ACTION.Add | ACTION.UpdateNodeLabel }],
    },
  ],
  [
    PLUGIN.NodePorts,
    {
      factory: () => new NodePorts(),
      events: [NODE_ADD, { resource: 'AssignedPod', actions: ACTION.Delete }],
    },
  ],
  [
    PLUGIN.NodeResourcesFit,
    {
      factory: (args) => new NodeResourcesFit(parseFitArgs(args)),
      events: [
        { resource: 'Node', actions: ACTION.Add | ACTION.UpdateNodeAllocatable },
        { resource: 'AssignedPod', actions: ACTION.Delete | ACTION.UpdatePodScaleDown },
        { resource: 'UnscheduledPod', actions: ACTION.UpdatePodScaleDown },
      ],
    },
  ],
  [
    PLUGIN.NodeResourcesBalancedAllocation,
    { factory: (args) => new NodeResourcesBalancedAllocation(parseBalancedArgs(args)), events: [] },
  ],
  [PLUGIN.ImageLocality, { factory: () => new ImageLocality(), events: [] }],
  [
    PLUGIN.InterPodAffinity,
    {
      factory: (args) => new InterPodAffinity(parseInterPodAffinityArgs(args)),
      events: [
        { resource: 'AssignedPod', actions: ACTION.Add | ACTION.Delete | ACTION.UpdatePodLabel },
        { resource: 'Node', actions: ACTION.Add | ACTION.UpdateNodeLabel },
        { resource: 'Namespace', actions: ACTION.Add },
        { resource: 'UnscheduledPod', actions: ACTION.UpdatePodLabel },
      ],
    },
  ],
  [
    PLUGIN.PodTopologySpread,
    {
      factory: (args) => new PodTopologySpread(parseSpreadArgs(args)),
      events: [
        { resource: 'AssignedPod', actions: ACTION.Add | ACTION.Delete | ACTION.UpdatePodLabel },
        {
          resource: 'Node',
          actions: ACTION.Add | ACTION.Delete | ACTION.UpdateNodeLabel | ACTION.UpdateNodeTaint,
        },
        { resource: 'UnscheduledPod', actions: ACTION.UpdatePodLabel },
      ],
    },
  ],
  [
    PLUGIN.DefaultPreemption,
    { factory: (args) => new DefaultPreemption(parsePreemptionArgs(args)), events: [] },
  ],
]);

/**
 * Upstream plugins k8ts accepts in a configuration but has nothing to do for (volumes, DRA,
 * scheduling gates are enforced elsewhere): enabling or disabling them is harmless.
 */
export const ACCEPTED_NOOP_PLUGINS = new Set([
  'PrioritySort',
  'DefaultBinder',
  'SchedulingGates',
  'VolumeRestrictions',
  'NodeVolumeLimits',
  'VolumeBinding',
  'VolumeZone',
  'DynamicResources',
  'EBSLimits',
  'GCEPDLimits',
  'AzureDiskLimits',
  'CinderLimits',
]);

/** An {@link EventFilter} over the registry: does `event` concern any plugin in `plugins`? */
export function eventMayHelp(plugins: ReadonlySet<string>, event: ClusterEvent): boolean {
  if (plugins.size === 0) return true;
  for (const p of plugins) {
    const reg = REGISTRY.get(p);
    if (!reg) return true;
    for (const e of reg.events)
      if (e.resource === event.resource && (e.actions & event.action) !== 0) return true;
  }
  return false;
}
