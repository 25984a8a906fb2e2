/**
 * CRI types (see ../types.ts for the conventions): messages of the RuntimeService calls: version,
 * status, pod sandboxes, containers, exec.
 */
import type {
  ContainerResources,
  ContainerState,
  ContainerUser,
  Device,
  ImageSpec,
  KeyValue,
  LinuxContainerResources,
  LinuxContainerSecurityContext,
  LinuxSandboxSecurityContext,
  Mount,
  NamespaceOption,
  PodSandboxState,
  Protocol,
  Signal,
} from './common.js';

// ---- version and runtime status -------------------------------------------------------------

/** Input of RuntimeService/Version. */
export interface VersionRequest {
  /** The CRI API version the caller speaks (`v1`). */
  version?: string;
}

/** Answer of RuntimeService/Version. */
export interface VersionResponse {
  version: string;
  /** `containerd` */
  runtimeName: string;
  runtimeVersion: string;
  /** `v1` */
  runtimeApiVersion: string;
}

/** A runtime condition: `RuntimeReady` and `NetworkReady` are the ones a node needs. */
export interface RuntimeCondition {
  type: string;
  status: boolean;
  reason: string;
  message: string;
}

/** Conditions of the runtime. */
export interface RuntimeStatus {
  conditions: RuntimeCondition[];
}

/** What a runtime handler supports. */
export interface RuntimeHandlerFeatures {
  recursiveReadOnlyMounts: boolean;
  userNamespaces: boolean;
}

/** A runtime handler (RuntimeClass handler) the runtime offers. */
export interface RuntimeHandler {
  /** '' is the default handler. */
  name: string;
  features?: RuntimeHandlerFeatures;
}

/** Features of the CRI implementation as a whole. */
export interface RuntimeFeatures {
  supplementalGroupsPolicy: boolean;
  userNamespacesHostNetwork: boolean;
}

/** Input of RuntimeService/Status. */
export interface StatusRequest {
  verbose?: boolean;
}

/** Answer of RuntimeService/Status. */
export interface StatusResponse {
  status?: RuntimeStatus;
  /** With `verbose`: JSON strings keyed by topic (`config`, …). */
  info: Record<string, string>;
  runtimeHandlers: RuntimeHandler[];
  features?: RuntimeFeatures;
}

// ---- pod sandboxes --------------------------------------------------------------------------

/** resolv.conf contents of a sandbox. */
export interface DNSConfig {
  servers?: string[];
  searches?: string[];
  options?: string[];
}

/** A hostPort mapping of a sandbox (applied by the CNI portmap plugin). */
export interface PortMapping {
  protocol?: Protocol;
  containerPort?: number;
  hostPort?: number;
  hostIp?: string;
}

/** Linux settings of a pod sandbox. */
export interface LinuxPodSandboxConfig {
  /** cgroupfs-style parent cgroup (`/k8ts/pod<uid>`). */
  cgroupParent?: string;
  securityContext?: LinuxSandboxSecurityContext;
  sysctls?: Record<string, string>;
  overhead?: LinuxContainerResources;
  resources?: LinuxContainerResources;
}

/** Identity of a sandbox: the pod and the attempt. */
export interface PodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

/** Everything a pod sandbox is created with (also passed again to CreateContainer and PullImage). */
export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname?: string;
  /** Host directory of the pod's container logs. */
  logDirectory?: string;
  dnsConfig?: DNSConfig;
  portMappings?: PortMapping[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  linux?: LinuxPodSandboxConfig;
}

/** Input of RuntimeService/RunPodSandbox. */
export interface RunPodSandboxRequest {
  config: PodSandboxConfig;
  runtimeHandler?: string;
}

/** Answer of RuntimeService/RunPodSandbox. */
export interface RunPodSandboxResponse {
  podSandboxId: string;
}

/** Input of RuntimeService/StopPodSandbox. */
export interface StopPodSandboxRequest {
  podSandboxId: string;
}

/** Answer of RuntimeService/StopPodSandbox. */
export type StopPodSandboxResponse = Record<string, never>;

/** Input of RuntimeService/RemovePodSandbox. */
export interface RemovePodSandboxRequest {
  podSandboxId: string;
}

/** Answer of RuntimeService/RemovePodSandbox. */
export type RemovePodSandboxResponse = Record<string, never>;

/** Input of RuntimeService/PodSandboxStatus. */
export interface PodSandboxStatusRequest {
  podSandboxId: string;
  verbose?: boolean;
}

/** One more address of a pod. */
export interface PodIP {
  ip: string;
}

/** Addresses of a pod sandbox. */
export interface PodSandboxNetworkStatus {
  /** The pod IP ('' for host-network pods). */
  ip: string;
  additionalIps: PodIP[];
}

/** Namespace settings a sandbox runs with. */
export interface Namespace {
  options?: NamespaceOption;
}

/** Linux part of a sandbox status. */
export interface LinuxPodSandboxStatus {
  namespaces?: Namespace;
}

/** Status of a pod sandbox. */
export interface PodSandboxStatus {
  id: string;
  metadata?: PodSandboxMetadata;
  state: PodSandboxState;
  /** Nanoseconds since the epoch. */
  createdAt: number;
  network?: PodSandboxNetworkStatus;
  linux?: LinuxPodSandboxStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  runtimeHandler: string;
}

/** Answer of RuntimeService/PodSandboxStatus. */
export interface PodSandboxStatusResponse {
  status?: PodSandboxStatus;
  info: Record<string, string>;
  containersStatuses: ContainerStatus[];
  timestamp: number;
}

/** A sandbox state in a filter. */
export interface PodSandboxStateValue {
  state: PodSandboxState;
}

/** Conditions ANDed together; label selectors match exact values. */
export interface PodSandboxFilter {
  id?: string;
  state?: PodSandboxStateValue;
  labelSelector?: Record<string, string>;
}

/** Input of RuntimeService/ListPodSandbox. */
export interface ListPodSandboxRequest {
  filter?: PodSandboxFilter;
}

/** A sandbox in a list. */
export interface PodSandbox {
  id: string;
  metadata?: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  runtimeHandler: string;
}

/** Answer of RuntimeService/ListPodSandbox. */
export interface ListPodSandboxResponse {
  items: PodSandbox[];
}

// ---- containers -----------------------------------------------------------------------------

/** Identity of a container within its sandbox: the name and the attempt (restart count). */
export interface ContainerMetadata {
  name: string;
  attempt: number;
}

/** Linux settings of a container. */
export interface LinuxContainerConfig {
  resources?: LinuxContainerResources;
  securityContext?: LinuxContainerSecurityContext;
}

/** Everything a container is created with. */
export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: ImageSpec;
  /** Overrides the image's entrypoint. */
  command?: string[];
  /** Overrides the image's cmd. */
  args?: string[];
  workingDir?: string;
  envs?: KeyValue[];
  mounts?: Mount[];
  devices?: Device[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Log file path relative to the sandbox's `logDirectory`. */
  logPath?: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  linux?: LinuxContainerConfig;
  stopSignal?: Signal;
}

/** Input of RuntimeService/CreateContainer. */
export interface CreateContainerRequest {
  podSandboxId: string;
  config: ContainerConfig;
  /** The config the sandbox was created with. */
  sandboxConfig: PodSandboxConfig;
}

/** Answer of RuntimeService/CreateContainer. */
export interface CreateContainerResponse {
  containerId: string;
}

/** Input of RuntimeService/StartContainer. */
export interface StartContainerRequest {
  containerId: string;
}

/** Answer of RuntimeService/StartContainer. */
export type StartContainerResponse = Record<string, never>;

/** Input of RuntimeService/StopContainer. */
export interface StopContainerRequest {
  containerId: string;
  /** Seconds between the stop signal and SIGKILL (0: kill at once). */
  timeout?: number;
}

/** Answer of RuntimeService/StopContainer. */
export type StopContainerResponse = Record<string, never>;

/** Input of RuntimeService/RemoveContainer. */
export interface RemoveContainerRequest {
  containerId: string;
}

/** Answer of RuntimeService/RemoveContainer. */
export type RemoveContainerResponse = Record<string, never>;

/** A container state in a filter. */
export interface ContainerStateValue {
  state: ContainerState;
}

/** Conditions ANDed together; label selectors match exact values. */
export interface ContainerFilter {
  id?: string;
  state?: ContainerStateValue;
  podSandboxId?: string;
  labelSelector?: Record<string, string>;
}

/** Input of RuntimeService/ListContainers. */
export interface ListContainersRequest {
  filter?: ContainerFilter;
}

/** A container in a list. */
export interface Container {
  id: string;
  podSandboxId: string;
  metadata?: ContainerMetadata;
  image?: ImageSpec;
  imageRef: string;
  state: ContainerState;
  createdAt: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  imageId: string;
}

/** Answer of RuntimeService/ListContainers. */
export interface ListContainersResponse {
  containers: Container[];
}

/** Input of RuntimeService/ContainerStatus. */
export interface ContainerStatusRequest {
  containerId: string;
  verbose?: boolean;
}

/** Status of a container. */
export interface ContainerStatus {
  id: string;
  metadata?: ContainerMetadata;
  state: ContainerState;
  /** Nanoseconds since the epoch (0: not yet). */
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  image?: ImageSpec;
  imageRef: string;
  /** `OOMKilled` when the cgroup OOM killer ended it; `Completed`, `Error`, … */
  reason: string;
  message: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  mounts: Mount[];
  logPath: string;
  resources?: ContainerResources;
  imageId: string;
  user?: ContainerUser;
  stopSignal: Signal;
}

/** Answer of RuntimeService/ContainerStatus. */
export interface ContainerStatusResponse {
  status?: ContainerStatus;
  /** With `verbose`: JSON strings (`info` → pid, runtime spec, …). */
  info: Record<string, string>;
}

/** Input of RuntimeService/UpdateContainerResources. */
export interface UpdateContainerResourcesRequest {
  containerId: string;
  linux?: LinuxContainerResources;
  annotations?: Record<string, string>;
}

/** Answer of RuntimeService/UpdateContainerResources. */
export type UpdateContainerResourcesResponse = Record<string, never>;

/** Input of RuntimeService/ReopenContainerLog. */
export interface ReopenContainerLogRequest {
  containerId: string;
}

/** Answer of RuntimeService/ReopenContainerLog. */
export type ReopenContainerLogResponse = Record<string, never>;

// ---- exec, attach, port-forward -------------------------------------------------------------

/** Input of RuntimeService/ExecSync. */
export interface ExecSyncRequest {
  containerId: string;
  cmd: string[];
  /** Seconds before the command is killed (0: no limit). */
  timeout?: number;
}

/** Answer of RuntimeService/ExecSync. */
export interface ExecSyncResponse {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

/** Input of RuntimeService/Exec. */
export interface ExecRequest {
  containerId: string;
  cmd: string[];
  tty?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}

/** Where the runtime's streaming server serves the session. */
export interface ExecResponse {
  url: string;
}

/** Input of RuntimeService/Attach. */
export interface AttachRequest {
  containerId: string;
  stdin?: boolean;
  tty?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}

/** Answer of RuntimeService/Attach. */
export interface AttachResponse {
  url: string;
}

/** Input of RuntimeService/PortForward. */
export interface PortForwardRequest {
  podSandboxId: string;
  port?: number[];
}

/** Answer of RuntimeService/PortForward. */
export interface PortForwardResponse {
  url: string;
}
