/**
 * CRI types (see ../types.ts for the conventions): messages of the stats calls (ContainerStats,
 * PodSandboxStats and their lists).
 */
import type { UInt64Value } from './common.js';
import type { ContainerMetadata, PodSandboxMetadata } from './runtime.js';

// ---- stats ----------------------------------------------------------------------------------

/** CPU usage of a container or pod. */
export interface CpuUsage {
  /** Nanoseconds since the epoch. */
  timestamp: number;
  /** Cumulative CPU time. */
  usageCoreNanoSeconds?: UInt64Value;
  /** Recent average, in nano-cores (1e9 = one core busy). */
  usageNanoCores?: UInt64Value;
}

/** Memory usage of a container or pod. */
export interface MemoryUsage {
  timestamp: number;
  workingSetBytes?: UInt64Value;
  availableBytes?: UInt64Value;
  usageBytes?: UInt64Value;
  rssBytes?: UInt64Value;
  pageFaults?: UInt64Value;
  majorPageFaults?: UInt64Value;
}

/** Swap usage of a container. */
export interface SwapUsage {
  timestamp: number;
  swapAvailableBytes?: UInt64Value;
  swapUsageBytes?: UInt64Value;
}

/** A filesystem, by mount point. */
export interface FilesystemIdentifier {
  mountpoint: string;
}

/** Usage of a filesystem (images, or a writable layer). */
export interface FilesystemUsage {
  timestamp: number;
  fsId?: FilesystemIdentifier;
  usedBytes?: UInt64Value;
  inodesUsed?: UInt64Value;
}

/** Traffic counters of one interface. */
export interface NetworkInterfaceUsage {
  name: string;
  rxBytes?: UInt64Value;
  rxErrors?: UInt64Value;
  txBytes?: UInt64Value;
  txErrors?: UInt64Value;
}

/** Traffic counters of a pod. */
export interface NetworkUsage {
  timestamp: number;
  defaultInterface?: NetworkInterfaceUsage;
  interfaces: NetworkInterfaceUsage[];
}

/** Process count of a pod. */
export interface ProcessUsage {
  timestamp: number;
  processCount?: UInt64Value;
}

/** Identity of a container in stats. */
export interface ContainerAttributes {
  id: string;
  metadata?: ContainerMetadata;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Resource usage of one container. */
export interface ContainerStats {
  attributes?: ContainerAttributes;
  cpu?: CpuUsage;
  memory?: MemoryUsage;
  writableLayer?: FilesystemUsage;
  swap?: SwapUsage;
}

/** Input of RuntimeService/ContainerStats. */
export interface ContainerStatsRequest {
  containerId: string;
}

/** Answer of RuntimeService/ContainerStats. */
export interface ContainerStatsResponse {
  stats?: ContainerStats;
}

/** Conditions ANDed together; label selectors match exact values. */
export interface ContainerStatsFilter {
  id?: string;
  podSandboxId?: string;
  labelSelector?: Record<string, string>;
}

/** Input of RuntimeService/ListContainerStats. */
export interface ListContainerStatsRequest {
  filter?: ContainerStatsFilter;
}

/** Answer of RuntimeService/ListContainerStats. */
export interface ListContainerStatsResponse {
  stats: ContainerStats[];
}

/** Identity of a sandbox in stats. */
export interface PodSandboxAttributes {
  id: string;
  metadata?: PodSandboxMetadata;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Resource usage of a pod on Linux. */
export interface LinuxPodSandboxStats {
  cpu?: CpuUsage;
  memory?: MemoryUsage;
  network?: NetworkUsage;
  process?: ProcessUsage;
  containers: ContainerStats[];
}

/** Resource usage of a pod. */
export interface PodSandboxStats {
  attributes?: PodSandboxAttributes;
  linux?: LinuxPodSandboxStats;
}

/** Input of RuntimeService/PodSandboxStats. */
export interface PodSandboxStatsRequest {
  podSandboxId: string;
}

/** Answer of RuntimeService/PodSandboxStats. */
export interface PodSandboxStatsResponse {
  stats?: PodSandboxStats;
}

/** Conditions ANDed together; label selectors match exact values. */
export interface PodSandboxStatsFilter {
  id?: string;
  labelSelector?: Record<string, string>;
}

/** Input of RuntimeService/ListPodSandboxStats. */
export interface ListPodSandboxStatsRequest {
  filter?: PodSandboxStatsFilter;
}

/** Answer of RuntimeService/ListPodSandboxStats. */
export interface ListPodSandboxStatsResponse {
  stats: PodSandboxStats[];
}
