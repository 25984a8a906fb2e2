/**
 * The kubelet's stats/v1alpha1 Summary document (`GET /stats/summary`), as JSON: field names and
 * optionality follow upstream's `k8s.io/kubelet/pkg/apis/stats/v1alpha1` wire format so that
 * metrics-server, kubectl and monitoring agents read it unchanged. Times are RFC 3339 strings with
 * second precision (as a Kubernetes `metav1.Time` marshals); counters and sizes are plain numbers.
 */

/** The whole document: the node and every pod it runs. */
export interface Summary {
  node: NodeStats;
  pods: PodStats[];
}

/** Node-wide figures. */
export interface NodeStats {
  nodeName: string;
  /** Named groups of processes on the node (`kubelet`, `runtime`, `pods`, `misc`). */
  systemContainers?: ContainerStats[];
  /** When node-wide collection (re)started: the machine's boot time. */
  startTime: string;
  cpu?: CPUStats;
  memory?: MemoryStats;
  network?: NetworkStats;
  /** The filesystem holding the agent's data dir. */
  fs?: FsStats;
  runtime?: RuntimeStats;
  rlimit?: RlimitStats;
  swap?: SwapStats;
}

/** Process-count limits of the node. */
export interface RlimitStats {
  time: string;
  /** The most tasks the kernel allows (min of kernel.pid_max and kernel.threads-max). */
  maxpid?: number;
  /** Tasks (threads) that exist now. */
  curproc?: number;
}

/** Filesystems of the container runtime. */
export interface RuntimeStats {
  /** Where images live; usedBytes counts the images only. */
  imageFs?: FsStats;
  /** Where writable layers live (the same filesystem as imageFs for containerd). */
  containerFs?: FsStats;
}

/** Which pod. */
export interface PodReference {
  name: string;
  namespace: string;
  uid: string;
}

/** Process count of a pod. */
export interface ProcessStats {
  process_count?: number;
}

/** One pod. */
export interface PodStats {
  podRef: PodReference;
  /** When the pod sandbox was created. */
  startTime: string;
  containers: ContainerStats[];
  /** The pod cgroup (all containers plus the sandbox). */
  cpu?: CPUStats;
  memory?: MemoryStats;
  network?: NetworkStats;
  volume?: VolumeStats[];
  'ephemeral-storage'?: FsStats;
  process_stats?: ProcessStats;
  swap?: SwapStats;
}

/** One container (or a system container of the node). */
export interface ContainerStats {
  name: string;
  /** When the container was created. */
  startTime: string;
  cpu?: CPUStats;
  memory?: MemoryStats;
  /** The container's writable layer. */
  rootfs?: FsStats;
  /** The container's log files. */
  logs?: FsStats;
  swap?: SwapStats;
}

/** Traffic counters of one interface. */
export interface InterfaceStats {
  name: string;
  rxBytes?: number;
  rxErrors?: number;
  txBytes?: number;
  txErrors?: number;
}

/** Network figures: the default interface's counters inline, and every interface. */
export interface NetworkStats extends InterfaceStats {
  time: string;
  interfaces?: InterfaceStats[];
}

/** CPU usage. */
export interface CPUStats {
  time: string;
  /** Average use over the last sampling window, in billionths of a core. */
  usageNanoCores?: number;
  /** Cumulative CPU time over all cores, in nanoseconds. */
  usageCoreNanoSeconds?: number;
}

/** Memory usage. */
export interface MemoryStats {
  time: string;
  /** Limit minus working set; absent without a limit. */
  availableBytes?: number;
  usageBytes?: number;
  workingSetBytes?: number;
  rssBytes?: number;
  pageFaults?: number;
  majorPageFaults?: number;
}

/** Swap usage. */
export interface SwapStats {
  time: string;
  swapAvailableBytes?: number;
  swapUsageBytes?: number;
}

/** Usage of a filesystem, or of what one task keeps on it. */
export interface FsStats {
  time: string;
  availableBytes?: number;
  capacityBytes?: number;
  usedBytes?: number;
  inodesFree?: number;
  inodes?: number;
  inodesUsed?: number;
}

/** Usage of one pod volume. */
export interface VolumeStats extends FsStats {
  name?: string;
  pvcRef?: { name: string; namespace: string };
}

/** Names of the node's system containers. */
export const SYSTEM_CONTAINER_KUBELET = 'kubelet';
export const SYSTEM_CONTAINER_RUNTIME = 'runtime';
export const SYSTEM_CONTAINER_PODS = 'pods';
