/**
 * CRI types (see ../types.ts for the conventions): enums, wrappers and small messages shared by
 * the CRI calls, and the security settings.
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
