/**
 * The CRI ContainerConfig of one container: command and args with `$(VAR)` expansion, environment,
 * mounts, log path, cgroup resources from requests and limits, and the security context (the
 * container's settings over the pod's).
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { computePodQOS } from '../../../api/core/qos.js';
import { Quantity } from '../../../api/quantity.js';
import type { ContainerConfig, LinuxContainerResources, Mount } from '../../cri/types.js';
import { expandVars } from './expand.js';
import {
  CONTAINER_NAME_LABEL,
  CONTAINER_TYPE_ANNOTATION,
  GRACE_ANNOTATION,
  POD_NAME_LABEL,
  POD_NAMESPACE_LABEL,
  POD_UID_LABEL,
  RESTART_COUNT_ANNOTATION,
  SPEC_HASH_ANNOTATION,
  TERMINATION_MESSAGE_PATH_ANNOTATION,
} from './labels.js';

/** Paths masked and made read-only in unprivileged containers (upstream's defaults). */
export const DEFAULT_MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];
export const DEFAULT_READONLY_PATHS = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

const CPU_PERIOD = 100_000;
const MIN_SHARES = 2;
const MIN_QUOTA = 1000;

function quantity(v: unknown): Quantity | undefined {
  return v === undefined || v === null ? undefined : Quantity.tryParse(v);
}

/** cgroup settings from the container's requests and limits (cgroup v1 semantics, as upstream). */
export function containerResources(pod: Pod, c: Container, nodeMemoryBytes: number): LinuxContainerResources {
  const cpuReq = quantity(c.resources?.requests?.['cpu'] ?? c.resources?.limits?.['cpu']);
  const cpuLim = quantity(c.resources?.limits?.['cpu']);
  const memReq = quantity(c.resources?.requests?.['memory'] ?? c.resources?.limits?.['memory']);
  const memLim = quantity(c.resources?.limits?.['memory']);
  const shares = cpuReq
    ? Math.max(MIN_SHARES, Math.floor((Number(cpuReq.milliValue()) * 1024) / 1000))
    : MIN_SHARES;
  const out: LinuxContainerResources = {
    cpuShares: shares,
    cpuPeriod: 0,
    cpuQuota: 0,
    memoryLimitInBytes: 0,
    oomScoreAdj: 0,
  };
  if (cpuLim) {
    out.cpuPeriod = CPU_PERIOD;
    out.cpuQuota = Math.max(MIN_QUOTA, Math.floor((Number(cpuLim.milliValue()) * CPU_PERIOD) / 1000));
  }
  if (memLim) out.memoryLimitInBytes = Number(memLim.value());
  const qos = computePodQOS(pod.spec);
  if (qos === 'Guaranteed') out.oomScoreAdj = -997;
  else if (qos === 'BestEffort') out.oomScoreAdj = 1000;
  else {
    const req = memReq ? Number(memReq.value()) : 0;
    let adj = nodeMemoryBytes > 0 ? 1000 - Math.floor((1000 * req) / nodeMemoryBytes) : 1000;
    if (adj < 3) adj = 3;
    if (adj >= 1000) adj = 999;
    out.oomScoreAdj = adj;
  }
  return out;
}

/** Inputs of {@link containerConfig} the pod worker computed. */
export interface ContainerInputs {
  attempt: number;
  /** The image as the runtime resolved it (image ID or the name). */
  image: string;
  env: { key: string; value: string }[];
  mounts: Mount[];
  /** Log file, relative to the sandbox's log directory. */
  logPath: string;
  specHash: string;
  isInit: boolean;
  nodeMemoryBytes: number;
}

/** The CRI config for `c`. */
export function containerConfig(pod: Pod, c: Container, x: ContainerInputs): ContainerConfig {
  const meta = pod.metadata ?? {};
  const env = new Map(x.env.map((e) => [e.key, e.value]));
  const lookup = (n: string): string | undefined => env.get(n);
  const psc = pod.spec?.securityContext;
  const sc = c.securityContext;
  const privileged = sc?.privileged === true;
  const runAsUser = sc?.runAsUser ?? psc?.runAsUser;
  const runAsGroup = sc?.runAsGroup ?? psc?.runAsGroup;
  const hasSysAdmin = (sc?.capabilities?.add ?? []).includes('SYS_ADMIN');
  const noNewPrivs = sc?.allowPrivilegeEscalation === false && !privileged && !hasSysAdmin;
  const nsMode = (host: boolean | undefined): 'NODE' | 'POD' => (host ? 'NODE' : 'POD');
  const unmasked = privileged || sc?.procMount === 'Unmasked';
  return {
    metadata: { name: c.name, attempt: x.attempt },
    image: { image: x.image, userSpecifiedImage: c.image ?? '' },
    command: (c.command ?? []).map((s) => expandVars(s, lookup)),
    args: (c.args ?? []).map((s) => expandVars(s, lookup)),
    workingDir: c.workingDir ?? '',
    envs: x.env,
    mounts: x.mounts,
    labels: {
      [POD_NAME_LABEL]: meta.name ?? '',
      [POD_NAMESPACE_LABEL]: meta.namespace ?? '',
      [POD_UID_LABEL]: meta.uid ?? '',
      [CONTAINER_NAME_LABEL]: c.name,
    },
    annotations: {
      [RESTART_COUNT_ANNOTATION]: String(x.attempt),
      [TERMINATION_MESSAGE_PATH_ANNOTATION]: c.terminationMessagePath ?? '/dev/termination-log',
      [GRACE_ANNOTATION]: String(pod.spec?.terminationGracePeriodSeconds ?? 30),
      [SPEC_HASH_ANNOTATION]: x.specHash,
      ...(x.isInit ? { [CONTAINER_TYPE_ANNOTATION]: 'init' } : {}),
    },
    logPath: x.logPath,
    stdin: c.stdin === true,
    stdinOnce: c.stdinOnce === true,
    tty: c.tty === true,
    linux: {
      resources: containerResources(pod, c, x.nodeMemoryBytes),
      securityContext: {
        capabilities: {
          addCapabilities: [...(sc?.capabilities?.add ?? [])],
          dropCapabilities: [...(sc?.capabilities?.drop ?? [])],
        },
        privileged,
        namespaceOptions: {
          network: nsMode(pod.spec?.hostNetwork),
          pid: pod.spec?.hostPID ? 'NODE' : pod.spec?.shareProcessNamespace ? 'POD' : 'CONTAINER',
          ipc: nsMode(pod.spec?.hostIPC),
        },
        ...(runAsUser !== undefined ? { runAsUser: { value: runAsUser } } : {}),
        ...(runAsGroup !== undefined ? { runAsGroup: { value: runAsGroup } } : {}),
        readonlyRootfs: sc?.readOnlyRootFilesystem === true,
        supplementalGroups: [
          ...(psc?.fsGroup !== undefined ? [psc.fsGroup] : []),
          ...(psc?.supplementalGroups ?? []),
        ],
        noNewPrivs,
        maskedPaths: unmasked ? [] : DEFAULT_MASKED_PATHS,
        readonlyPaths: unmasked ? [] : DEFAULT_READONLY_PATHS,
      },
    },
  };
}

/**
 * runAsNonRoot: the container must not run as uid 0 (upstream's check; a user name that is not numeric
 * cannot be verified and is refused).
 */
export function verifyRunAsNonRoot(
  pod: Pod,
  c: Container,
  image: { uid?: number; username?: string },
): string | undefined {
  const nonRoot = c.securityContext?.runAsNonRoot ?? pod.spec?.securityContext?.runAsNonRoot;
  if (!nonRoot) return undefined;
  const uid = c.securityContext?.runAsUser ?? pod.spec?.securityContext?.runAsUser;
  const where = `(pod: "${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})", container: ${c.name})`;
  if (uid !== undefined)
    return uid === 0 ? `container's runAsUser breaks non-root policy ${where}` : undefined;
  if (image.uid !== undefined)
    return image.uid === 0 ? `container has runAsNonRoot and image will run as root ${where}` : undefined;
  if (image.username)
    return `container has runAsNonRoot and image has non-numeric user (${image.username}), cannot verify user is non-root ${where}`;
  return `container has runAsNonRoot and image will run as root ${where}`;
}
