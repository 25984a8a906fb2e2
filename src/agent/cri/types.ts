/**
 * TypeScript shapes of the CRI `runtime.v1` messages in `api.proto`, one interface per message with
 * the message's name. Field names are lowerCamelCase; int64/uint64 are `number` (nanosecond
 * timestamps keep ~256 ns precision); enums are their names; `bytes` are `Buffer`; maps are
 * `Record<string, string>`.
 *
 * Optionality follows the direction a message travels:
 * - messages the runtime returns (`…Response`, statuses, stats, `Container`, `PodSandbox`, `Image`)
 *   arrive with proto defaults filled in, so their scalar, repeated and map fields are required and
 *   only their message-typed fields are optional (absent when the runtime left them unset);
 * - messages the agent sends (`…Request`, configs, filters, security contexts) have optional fields,
 *   except the ids and names a call cannot do without;
 * - small messages that go both ways (`ImageSpec`, `Mount`, metadata, resources) require only their
 *   essential fields.
 */

// ---- enums ----------------------------------------------------------------------------------

/** Transport protocol of a port mapping. */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** Mount propagation of a bind mount. */
export type MountPropagation =
  'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';

/** Which Linux namespace a sandbox or container joins. */
export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';

/** How supplemental groups of the first process are computed. */
export type SupplementalGroupsPolicy = 'Merge' | 'Strict';

/** State of a pod sandbox. */
export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';

/** State of a container. */
export type ContainerState =
  'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

/** Kind of a seccomp or AppArmor profile. */
export type ProfileType = 'RuntimeDefault' | 'Unconfined' | 'Localhost';

/** Stop signal of a container (`RUNTIME_DEFAULT`: the image's or SIGTERM). */
export type Signal =
  | 'RUNTIME_DEFAULT'
  | 'SIGABRT'
  | 'SIGALRM'
  | 'SIGBUS'
  | 'SIGCHLD'
  | 'SIGCLD'
  | 'SIGCONT'
  | 'SIGFPE'
  | 'SIGHUP'
  | 'SIGILL'
  | 'SIGINT'
  | 'SIGIO'
  | 'SIGIOT'
  | 'SIGKILL'
  | 'SIGPIPE'
  | 'SIGPOLL'
  | 'SIGPROF'
  | 'SIGPWR'
  | 'SIGQUIT'
  | 'SIGSEGV'
  | 'SIGSTKFLT'
  | 'SIGSTOP'
  | 'SIGSYS'
  | 'SIGTERM'
  | 'SIGTRAP'
  | 'SIGTSTP'
  | 'SIGTTIN'
  | 'SIGTTOU'
  | 'SIGURG'
  | 'SIGUSR1'
  | 'SIGUSR2'
  | 'SIGVTALRM'
  | 'SIGWINCH'
  | 'SIGXCPU'
  | 'SIGXFSZ'
  | 'SIGRTMIN'
  | `SIGRTMINPLUS${number}`
  | `SIGRTMAXMINUS${number}`
  | 'SIGRTMAX';

// ---- wrappers and small shared messages -----------------------------------------------------

/** A present-or-absent int64 (e.g. a UID that may be 0). */
export interface Int64Value {
  value: number;
}

/** A present-or-absent uint64 (stats counters). */
export interface UInt64Value {
  value: number;
}

/** One environment variable. */
export interface KeyValue {
  key: string;
  value: string;
}

/** A user-namespace ID range mapping. */
export interface IDMapping {
  hostId: number;
  containerId: number;
  length: number;
}

/** SELinux labels. */
export interface SELinuxOption {
  user?: string;
  role?: string;
  type?: string;
  level?: string;
}

/** A seccomp or AppArmor profile choice. */
export interface SecurityProfile {
  profileType: ProfileType;
  /** The profile path (seccomp) or name (AppArmor) when `profileType` is `Localhost`. */
  localhostRef?: string;
}

/** An image reference. */
export interface ImageSpec {
  /** Name (`k8ts.local/pause:3.10`), ID or digest reference. */
  image: string;
  annotations?: Record<string, string>;
  /** The image as the user wrote it in the pod spec. */
  userSpecifiedImage?: string;
  runtimeHandler?: string;
  imageRef?: string;
}

/** A host path (or image) mounted into a container. */
export interface Mount {
  containerPath: string;
  hostPath?: string;
  readonly?: boolean;
  selinuxRelabel?: boolean;
  propagation?: MountPropagation;
  uidMappings?: IDMapping[];
  gidMappings?: IDMapping[];
  recursiveReadOnly?: boolean;
  image?: ImageSpec;
  imageSubPath?: string;
}

/** A host device made available in a container. */
export interface Device {
  containerPath: string;
  hostPath: string;
  /** Some of `r`, `w`, `m`. */
  permissions?: string;
}

/** A hugetlb limit for one page size (`2MB`, `1GB`). */
export interface HugepageLimit {
  pageSize: string;
  limit: number;
}

/** Linux cgroup resources; 0 or empty means "not set". */
export interface LinuxContainerResources {
  cpuPeriod?: number;
  cpuQuota?: number;
  cpuShares?: number;
  memoryLimitInBytes?: number;
  oomScoreAdj?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  hugepageLimits?: HugepageLimit[];
  /** cgroup v2 files and values (`memory.max` → `6937202688`). */
  unified?: Record<string, string>;
  memorySwapLimitInBytes?: number;
}

/** Resources of a container as its status reports them. */
export interface ContainerResources {
  linux?: LinuxContainerResources;
}

// ---- namespaces and security ----------------------------------------------------------------

/** User namespace of a pod sandbox. */
export interface UserNamespace {
  mode: NamespaceMode;
  uids?: IDMapping[];
  gids?: IDMapping[];
}

/** Namespaces of a sandbox or container. */
export interface NamespaceOption {
  network?: NamespaceMode;
  pid?: NamespaceMode;
  ipc?: NamespaceMode;
  /** The container whose namespace a `TARGET` mode joins. */
  targetId?: string;
  usernsOptions?: UserNamespace;
}

/** Security settings of a pod sandbox (its pause process), not of its containers. */
export interface LinuxSandboxSecurityContext {
  namespaceOptions?: NamespaceOption;
  selinuxOptions?: SELinuxOption;
  runAsUser?: Int64Value;
  runAsGroup?: Int64Value;
  readonlyRootfs?: boolean;
  supplementalGroups?: number[];
  supplementalGroupsPolicy?: SupplementalGroupsPolicy;
  /** Must be true when any container of the pod is privileged. */
  privileged?: boolean;
  seccomp?: SecurityProfile;
  apparmor?: SecurityProfile;
  /** @deprecated use `seccomp` */
  seccompProfilePath?: string;
}

/** Capabilities added to or dropped from a container. */
export interface Capability {
  addCapabilities?: string[];
  dropCapabilities?: string[];
  addAmbientCapabilities?: string[];
}

/** Security settings of a container. */
export interface LinuxContainerSecurityContext {
  capabilities?: Capability;
  privileged?: boolean;
  namespaceOptions?: NamespaceOption;
  selinuxOptions?: SELinuxOption;
  runAsUser?: Int64Value;
  runAsGroup?: Int64Value;
  runAsUsername?: string;
  readonlyRootfs?: boolean;
  supplementalGroups?: number[];
  supplementalGroupsPolicy?: SupplementalGroupsPolicy;
  noNewPrivs?: boolean;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  seccomp?: SecurityProfile;
  apparmor?: SecurityProfile;
  /** @deprecated use `apparmor` */
  apparmorProfile?: string;
  /** @deprecated use `seccomp` */
  seccompProfilePath?: string;
}

/** The identity the first process of a container started with. */
export interface LinuxContainerUser {
  uid: number;
  gid: number;
  supplementalGroups: number[];
}

/** User identities of a container as its status reports them. */
export interface ContainerUser {
  linux?: LinuxContainerUser;
}

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

// ---- images ---------------------------------------------------------------------------------

/** Selects images by reference. */
export interface ImageFilter {
  image?: ImageSpec;
}

/** Input of ImageService/ListImages. */
export interface ListImagesRequest {
  filter?: ImageFilter;
}

/** An image the runtime holds. */
export interface Image {
  /** `sha256:…` (the image config digest for containerd). */
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  uid?: Int64Value;
  username: string;
  spec?: ImageSpec;
  pinned: boolean;
}

/** Answer of ImageService/ListImages. */
export interface ListImagesResponse {
  images: Image[];
}

/** Input of ImageService/ImageStatus. */
export interface ImageStatusRequest {
  image: ImageSpec;
  verbose?: boolean;
}

/** Answer of ImageService/ImageStatus. */
export interface ImageStatusResponse {
  /** Absent when the runtime does not have the image. */
  image?: Image;
  info: Record<string, string>;
}

/** Registry credentials for one pull. */
export interface AuthConfig {
  username?: string;
  password?: string;
  /** base64 of `user:password`. */
  auth?: string;
  serverAddress?: string;
  identityToken?: string;
  registryToken?: string;
}

/** Input of ImageService/PullImage. */
export interface PullImageRequest {
  image: ImageSpec;
  auth?: AuthConfig;
  sandboxConfig?: PodSandboxConfig;
}

/** Answer of ImageService/PullImage. */
export interface PullImageResponse {
  imageRef: string;
}

/** Input of ImageService/RemoveImage. */
export interface RemoveImageRequest {
  image: ImageSpec;
}

/** Answer of ImageService/RemoveImage. */
export type RemoveImageResponse = Record<string, never>;

/** Input of ImageService/ImageFsInfo. */
export type ImageFsInfoRequest = Record<string, never>;

/** Answer of ImageService/ImageFsInfo. */
export interface ImageFsInfoResponse {
  imageFilesystems: FilesystemUsage[];
  containerFilesystems: FilesystemUsage[];
}
