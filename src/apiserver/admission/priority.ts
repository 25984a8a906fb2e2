/**
 * The Priority admission plugin, as upstream: a new pod's `priorityClassName` is resolved into
 * `spec.priority` and `spec.preemptionPolicy` (no name: the globalDefault class, else priority 0);
 * an unknown class or a contradicting explicit value is refused; updates keep the values set at
 * creation. PriorityClasses themselves: only one may be the global default, and the built-in
 * system classes may not be deleted.
 */
import { apiErrors } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { SYSTEM_PRIORITY_CLASSES } from '../../api/scheduling/validation.js';
import { ensureRec, num, rec, str } from '../../api/core/util.js';
import type { AdmissionAttributes, AdmissionPlugin } from './types.js';

/** The PriorityClasses (cluster-scoped), as cached. */
export type PriorityClassLister = () => KubeObject[];

const DEFAULT_POLICY = 'PreemptLowerPriority';
const PODS = { group: '', resource: 'pods' };
const CLASSES = { group: 'scheduling.k8s.io', resource: 'priorityclasses' };

interface Resolved {
  name: string;
  value: number;
  policy: string | undefined;
}

function resolvedOf(pc: KubeObject): Resolved {
  return {
    name: pc.metadata?.name ?? '',
    value: num(pc['value']) ?? 0,
    policy: str(pc['preemptionPolicy']) || undefined,
  };
}

/** The global default class; with several (a race), the one of lowest value, as upstream. */
function globalDefault(classes: KubeObject[]): KubeObject | undefined {
  let best: KubeObject | undefined;
  for (const pc of classes) {
    if (pc['globalDefault'] !== true) continue;
    if (!best || (num(pc['value']) ?? 0) < (num(best['value']) ?? 0)) best = pc;
  }
  return best;
}

/** The name a mutating-phase refusal names: the generateName while the name is only generated. */
function requestName(a: AdmissionAttributes): string {
  const meta = a.object?.metadata;
  const gen = meta?.generateName ?? '';
  const name = meta?.name ?? a.name;
  if (gen && name.startsWith(gen) && name.length === gen.length + 5) return gen;
  return name || gen || 'Unknown';
}

function admitPodCreate(a: AdmissionAttributes, list: PriorityClassLister): void {
  const pod = a.object as KubeObject;
  const spec = ensureRec(pod, 'spec');
  const className = str(spec['priorityClassName']);
  const deny = (reason: string) => apiErrors.forbidden(PODS, requestName(a), reason);
  let resolved: Resolved;
  if (className === '') {
    const dpc = globalDefault(list());
    resolved = dpc ? resolvedOf(dpc) : { name: '', value: 0, policy: DEFAULT_POLICY };
    if (resolved.name) spec['priorityClassName'] = resolved.name;
  } else {
    const pc = list().find((c) => c.metadata?.name === className);
    const system = SYSTEM_PRIORITY_CLASSES[className];
    if (pc) resolved = resolvedOf(pc);
    else if (system !== undefined) resolved = { name: className, value: system, policy: DEFAULT_POLICY };
    else throw deny(`no PriorityClass with name ${className} was found`);
  }
  const given = num(spec['priority']);
  if (given !== undefined && given !== resolved.value)
    throw deny(
      `the integer value of priority (${given}) must not be provided in pod spec; priority admission controller computed ${resolved.value} from the given PriorityClass name`,
    );
  spec['priority'] = resolved.value;
  if (resolved.policy) {
    const givenPolicy = str(spec['preemptionPolicy']);
    if (givenPolicy && givenPolicy !== resolved.policy)
      throw deny(
        `the string value of PreemptionPolicy (${givenPolicy}) must not be provided in pod spec; priority admission controller computed ${resolved.policy} from the given PriorityClass name`,
      );
    spec['preemptionPolicy'] = resolved.policy;
  }
}

/** Updates that leave priority or preemptionPolicy out keep the stored values. */
function admitPodUpdate(a: AdmissionAttributes): void {
  const spec = rec(a.object?.['spec']);
  const old = rec(a.oldObject?.['spec']);
  if (!spec || !old) return;
  if (spec['priority'] === undefined && old['priority'] !== undefined) spec['priority'] = old['priority'];
  if (spec['preemptionPolicy'] === undefined && old['preemptionPolicy'] !== undefined)
    spec['preemptionPolicy'] = old['preemptionPolicy'];
}

function validateClass(a: AdmissionAttributes, list: PriorityClassLister): void {
  if (a.operation === 'DELETE') {
    if (a.name in SYSTEM_PRIORITY_CLASSES)
      throw apiErrors.forbidden(CLASSES, a.name, 'this is a system priority class and cannot be deleted');
    return;
  }
  if (a.object?.['globalDefault'] !== true) return;
  const dpc = globalDefault(list());
  if (!dpc) return;
  const name = a.object.metadata?.name ?? a.name;
  if (a.operation === 'CREATE' || dpc.metadata?.name !== name)
    throw apiErrors.forbidden(
      CLASSES,
      name,
      `PriorityClass ${dpc.metadata?.name ?? ''} is already marked as default. Only one default can exist`,
    );
}

/** The plugin, reading PriorityClasses through `list`. */
export function priorityAdmission(list: PriorityClassLister): AdmissionPlugin {
  return {
    name: 'Priority',
    admit(a) {
      if (a.subresource !== '' || a.resource.group !== '' || a.resource.plural !== 'pods' || !a.object)
        return;
      if (a.operation === 'CREATE') admitPodCreate(a, list);
      else if (a.operation === 'UPDATE') admitPodUpdate(a);
    },
    validate(a) {
      if (
        a.subresource !== '' ||
        a.resource.group !== CLASSES.group ||
        a.resource.plural !== CLASSES.resource
      )
        return;
      validateClass(a, list);
    },
  };
}
