/**
 * core/v1 container types: Container and EphemeralContainer with their ports, environment, volume
 * mounts, probes, lifecycle hooks, resources and security context, and the container status types.
 */
import { obj, p, t } from '../schema/dsl.js';
import type { Definition, Property } from '../schema/types.js';
import { PROTOCOLS, PULL_POLICIES, SIGNALS, c, cref, resourceList } from './core-v1-util.js';

const probe = (description: string): Property => p.ref(c('Probe'), description);

/**
 * The fields Container and EphemeralContainer share. Descriptions are the container’s; the
 * ephemeral variant overrides the ones whose meaning differs.
 */
function containerProperties(): Record<string, Property> {
  return {
    name: p.string('Name of the container, unique among all containers of the pod (a DNS label).'),
    image: p.string('Container image to run, such as "nginx:1.27".'),
    command: p.array(t.string, 'Entrypoint to run instead of the image’s ENTRYPOINT; not run in a shell.', {
      listType: 'atomic',
    }),
    args: p.array(t.string, 'Arguments to the entrypoint, replacing the image’s CMD; $(VAR) is expanded.', {
      listType: 'atomic',
    }),
    workingDir: p.string('Working directory of the process; the image’s default when empty.'),
    ports: p.array(
      cref('ContainerPort'),
      'Ports the container listens on; informational, other ports are reachable too.',
      {
        patchStrategy: 'merge',
        patchMergeKey: 'containerPort',
        listType: 'map',
        listMapKeys: ['containerPort', 'protocol'],
      },
    ),
    envFrom: p.array(
      cref('EnvFromSource'),
      'ConfigMaps and Secrets whose keys all become environment variables.',
      { listType: 'atomic' },
    ),
    env: p.array(cref('EnvVar'), 'Environment variables to set in the container.', {
      patchStrategy: 'merge',
      patchMergeKey: 'name',
      listType: 'map',
      listMapKeys: ['name'],
    }),
    resources: p.ref(
      c('ResourceRequirements'),
      'CPU, memory and other resources the container requests and may use.',
    ),
    resizePolicy: p.array(
      cref('ContainerResizePolicy'),
      'Whether a change of each resource needs a container restart.',
      { listType: 'atomic' },
    ),
    restartPolicy: p.string(
      'For init containers only: "Always" makes it a sidecar that keeps running beside the main containers.',
    ),
    volumeMounts: p.array(cref('VolumeMount'), 'Pod volumes to mount into the container’s filesystem.', {
      patchStrategy: 'merge',
      patchMergeKey: 'mountPath',
      listType: 'map',
      listMapKeys: ['mountPath'],
    }),
    volumeDevices: p.array(cref('VolumeDevice'), 'Raw block volumes to expose as devices in the container.', {
      patchStrategy: 'merge',
      patchMergeKey: 'devicePath',
      listType: 'map',
      listMapKeys: ['devicePath'],
    }),
    livenessProbe: probe('Periodic check that the container is alive; it is restarted when the check fails.'),
    readinessProbe: probe(
      'Periodic check that the container can serve; it leaves Service endpoints while failing.',
    ),
    startupProbe: probe('Check that the container has started; other probes wait until it succeeds.'),
    lifecycle: p.ref(c('Lifecycle'), 'Hooks run after the container starts and before it stops.'),
    terminationMessagePath: p.string(
      'File whose contents become the container’s termination message; defaults to /dev/termination-log.',
    ),
    terminationMessagePolicy: p.enum(
      ['FallbackToLogsOnError', 'File'],
      'Where the termination message comes from: the file, or the log tail when the file is empty after an error.',
    ),
    imagePullPolicy: p.enum(
      PULL_POLICIES,
      'When to pull the image: Always, Never or IfNotPresent; Always for ":latest", otherwise IfNotPresent.',
    ),
    securityContext: p.ref(
      c('SecurityContext'),
      'Security settings of the container; they override the pod’s.',
    ),
    stdin: p.bool('If true, the container gets a stdin stream; otherwise reads from stdin see EOF.'),
    stdinOnce: p.bool('If true, stdin is closed after the first attach session ends.'),
    tty: p.bool('If true, the container gets a terminal; requires stdin.'),
  };
}

function ephemeralContainerProperties(): Record<string, Property> {
  const base = containerProperties();
  const notAllowed = (what: string): string => `${what} are not allowed for ephemeral containers.`;
  const redescribe = (key: string, description: string): Property => {
    const prop = base[key];
    if (prop === undefined) throw new Error(`container has no field ${key}`);
    return { ...prop, description };
  };
  return {
    ...base,
    name: p.string('Name of the ephemeral container, unique among all containers of the pod.'),
    ports: redescribe('ports', notAllowed('Ports')),
    resources: redescribe('resources', 'Not allowed: ephemeral containers use the pod’s spare resources.'),
    resizePolicy: redescribe('resizePolicy', 'Not allowed for ephemeral containers.'),
    restartPolicy: redescribe('restartPolicy', 'Not allowed for ephemeral containers.'),
    livenessProbe: probe(notAllowed('Probes')),
    readinessProbe: probe(notAllowed('Probes')),
    startupProbe: probe(notAllowed('Probes')),
    lifecycle: p.ref(c('Lifecycle'), 'Lifecycle hooks are not allowed for ephemeral containers.'),
    targetContainerName: p.string(
      'Name of a pod container whose namespaces (PID, IPC…) this container joins, for debugging it.',
    ),
  };
}

const containers: Definition[] = [
  obj(c('Container'), 'A container to run in a pod.', containerProperties(), { required: ['name'] }),
  obj(
    c('EphemeralContainer'),
    'A temporary container added to a running pod for debugging; never restarted and without resource guarantees.',
    ephemeralContainerProperties(),
    { required: ['name'] },
  ),
  obj(
    c('ContainerPort'),
    'A port the container listens on.',
    {
      name: p.string('Name of the port (an IANA service name), unique in the pod; Services may refer to it.'),
      hostPort: p.int32('Port to open on the node’s IP for this container; most containers need none.'),
      containerPort: p.int32('Port number on the pod’s IP (1 to 65535).'),
      protocol: p.enum(PROTOCOLS, 'Protocol of the port: TCP, UDP or SCTP.', { default: 'TCP' }),
      hostIP: p.string('Node IP to bind hostPort to.'),
    },
    { required: ['containerPort'] },
  ),
  obj(
    c('EnvVar'),
    'An environment variable: a literal value or one taken from elsewhere.',
    {
      name: p.string('Name of the variable.'),
      value: p.string('Literal value; $(VAR) references to earlier variables are expanded, $$ escapes.'),
      valueFrom: p.ref(c('EnvVarSource'), 'Where to take the value from; not allowed with value.'),
    },
    { required: ['name'] },
  ),
  obj(c('EnvVarSource'), 'The source of an environment variable’s value; exactly one field is set.', {
    fieldRef: p.ref(c('ObjectFieldSelector'), 'A field of the pod, such as metadata.name or status.podIP.'),
    resourceFieldRef: p.ref(c('ResourceFieldSelector'), 'A resource limit or request of a container.'),
    configMapKeyRef: p.ref(c('ConfigMapKeySelector'), 'A key of a ConfigMap in the pod’s namespace.'),
    secretKeyRef: p.ref(c('SecretKeySelector'), 'A key of a Secret in the pod’s namespace.'),
  }),
  obj(
    c('ObjectFieldSelector'),
    'Selects a field of an object by path.',
    {
      apiVersion: p.string('Version of the schema the path is written for; defaults to "v1".'),
      fieldPath: p.string('Path of the field, such as "metadata.labels[\'app\']".'),
    },
    { required: ['fieldPath'], mapType: 'atomic' },
  ),
  obj(
    c('ResourceFieldSelector'),
    'Selects a resource limit or request of a container, and the unit to express it in.',
    {
      containerName: p.string('Container whose resource to read; required in volumes, optional in env.'),
      resource: p.string('Resource to read, such as "limits.memory" or "requests.cpu".'),
      divisor: p.quantity('Unit the value is divided by, such as "1m" or "1Mi"; defaults to "1".'),
    },
    { required: ['resource'], mapType: 'atomic' },
  ),
  obj(
    c('ConfigMapKeySelector'),
    'Selects one key of a ConfigMap.',
    {
      name: p.string('Name of the ConfigMap.', { default: '' }),
      key: p.string('The key to read.'),
      optional: p.bool('If true, a missing ConfigMap or key is not an error.'),
    },
    { required: ['key'], mapType: 'atomic' },
  ),
  obj(
    c('SecretKeySelector'),
    'Selects one key of a Secret.',
    {
      name: p.string('Name of the Secret.', { default: '' }),
      key: p.string('The key to read.'),
      optional: p.bool('If true, a missing Secret or key is not an error.'),
    },
    { required: ['key'], mapType: 'atomic' },
  ),
  obj(c('EnvFromSource'), 'A ConfigMap or Secret whose keys all become environment variables.', {
    prefix: p.string('Prefix added to every variable name taken from the source.'),
    configMapRef: p.ref(c('ConfigMapEnvSource'), 'The ConfigMap to read.'),
    secretRef: p.ref(c('SecretEnvSource'), 'The Secret to read.'),
  }),
  obj(c('ConfigMapEnvSource'), 'A ConfigMap used as a set of environment variables.', {
    name: p.string('Name of the ConfigMap.', { default: '' }),
    optional: p.bool('If true, a missing ConfigMap is not an error.'),
  }),
  obj(c('SecretEnvSource'), 'A Secret used as a set of environment variables.', {
    name: p.string('Name of the Secret.', { default: '' }),
    optional: p.bool('If true, a missing Secret is not an error.'),
  }),
  obj(
    c('VolumeMount'),
    'Mounts a pod volume at a path inside the container.',
    {
      name: p.string('Name of the pod volume to mount.'),
      readOnly: p.bool('If true, the mount is read-only.'),
      recursiveReadOnly: p.string(
        'With readOnly, whether submounts are read-only too: Disabled, IfPossible or Enabled.',
      ),
      mountPath: p.string('Path in the container to mount at; may not contain ":".'),
      subPath: p.string('Path within the volume to mount instead of its root.'),
      mountPropagation: p.enum(
        ['Bidirectional', 'HostToContainer', 'None'],
        'How mounts propagate between the node and the container; None when unset.',
      ),
      subPathExpr: p.string(
        'Like subPath, with $(VAR) references expanded from the container’s environment.',
      ),
    },
    { required: ['name', 'mountPath'] },
  ),
  obj(
    c('VolumeDevice'),
    'Maps a raw block volume to a device path in the container.',
    {
      name: p.string('Name of the pod volume (a PersistentVolumeClaim) to map.'),
      devicePath: p.string('Path of the device inside the container.'),
    },
    { required: ['name', 'devicePath'] },
  ),
];

const probes: Definition[] = [
  obj(c('Probe'), 'A health check the kubelet runs against a container; exactly one action is set.', {
    exec: p.ref(c('ExecAction'), 'Run a command in the container; exit code 0 is success.'),
    httpGet: p.ref(c('HTTPGetAction'), 'Send an HTTP GET; a 2xx or 3xx status is success.'),
    tcpSocket: p.ref(c('TCPSocketAction'), 'Open a TCP connection; connecting is success.'),
    grpc: p.ref(c('GRPCAction'), 'Call the gRPC health-checking service.'),
    initialDelaySeconds: p.int32('Seconds after the container starts before the first check.'),
    timeoutSeconds: p.int32('Seconds before a check times out; default 1, minimum 1.'),
    periodSeconds: p.int32('Seconds between checks; default 10, minimum 1.'),
    successThreshold: p.int32(
      'Consecutive successes needed after a failure; default 1 (must be 1 for liveness).',
    ),
    failureThreshold: p.int32('Consecutive failures before the probe counts as failed; default 3.'),
    terminationGracePeriodSeconds: p.int64(
      'Grace period for stopping the container after a failed liveness or startup probe; overrides the pod’s.',
    ),
  }),
  obj(c('ExecAction'), 'A command run inside the container.', {
    command: p.array(t.string, 'The command and arguments; run directly, not in a shell, from "/".', {
      listType: 'atomic',
    }),
  }),
  obj(
    c('HTTPGetAction'),
    'An HTTP GET request to the container.',
    {
      path: p.string('Path to request.'),
      port: p.intOrString('Port number or named container port to connect to.'),
      host: p.string('Host to connect to; defaults to the pod IP. Set a "Host" header instead, usually.'),
      scheme: p.enum(['HTTP', 'HTTPS'], 'Scheme to use; defaults to HTTP.'),
      httpHeaders: p.array(cref('HTTPHeader'), 'Extra request headers.', { listType: 'atomic' }),
    },
    { required: ['port'] },
  ),
  obj(
    c('HTTPHeader'),
    'One HTTP header.',
    {
      name: p.string('Header name; canonicalized on output.'),
      value: p.string('Header value.'),
    },
    { required: ['name', 'value'] },
  ),
  obj(
    c('TCPSocketAction'),
    'A TCP connection attempt.',
    {
      port: p.intOrString('Port number or named container port to connect to.'),
      host: p.string('Host to connect to; defaults to the pod IP.'),
    },
    { required: ['port'] },
  ),
  obj(
    c('GRPCAction'),
    'A call to the standard gRPC health-checking service.',
    {
      port: p.int32('Port of the gRPC server (1 to 65535).'),
      service: p.string('Service name to put in the health check request; gRPC’s default when empty.', {
        default: '',
      }),
    },
    { required: ['port'] },
  ),
  obj(
    c('SleepAction'),
    'Pauses for a number of seconds.',
    { seconds: p.int64('Seconds to sleep.') },
    { required: ['seconds'] },
  ),
  obj(c('Lifecycle'), 'Hooks the kubelet runs around a container’s start and stop.', {
    postStart: p.ref(
      c('LifecycleHandler'),
      'Runs right after the container is created; if it fails, the container is restarted.',
    ),
    preStop: p.ref(
      c('LifecycleHandler'),
      'Runs before the container is stopped by the system or an API request, within the grace period.',
    ),
    stopSignal: p.enum(SIGNALS, 'Signal sent to stop the container; the runtime’s default when unset.'),
  }),
  obj(c('LifecycleHandler'), 'The action of a lifecycle hook; exactly one field is set.', {
    exec: p.ref(c('ExecAction'), 'Run a command in the container.'),
    httpGet: p.ref(c('HTTPGetAction'), 'Send an HTTP GET to the container.'),
    tcpSocket: p.ref(c('TCPSocketAction'), 'Deprecated and not supported as a hook; kept for compatibility.'),
    sleep: p.ref(c('SleepAction'), 'Wait for a number of seconds.'),
  }),
];

const resources: Definition[] = [
  obj(c('ResourceRequirements'), 'Compute resources requested and allowed.', {
    limits: resourceList('Maximum amount of each resource the container may use.'),
    requests: resourceList('Amount of each resource reserved for scheduling; defaults to the limits.'),
    claims: p.array(
      cref('ResourceClaim'),
      'Names of pod resource claims (spec.resourceClaims) the container uses.',
      { listType: 'map', listMapKeys: ['name'] },
    ),
  }),
  obj(
    c('ResourceClaim'),
    'Refers to one entry of the pod’s spec.resourceClaims.',
    {
      name: p.string('Name of the entry in pod.spec.resourceClaims.'),
      request: p.string('Name of one request in the claim, to use only that request’s devices.'),
    },
    { required: ['name'] },
  ),
  obj(c('VolumeResourceRequirements'), 'Storage resources a claim requests.', {
    limits: resourceList('Maximum amount of each resource.'),
    requests: resourceList('Minimum amount of each resource, such as storage.'),
  }),
  obj(
    c('ContainerResizePolicy'),
    'How the container reacts when one resource is resized in place.',
    {
      resourceName: p.string('The resource: cpu or memory.'),
      restartPolicy: p.string('NotRequired (resize in place) or RestartContainer.'),
    },
    { required: ['resourceName', 'restartPolicy'] },
  ),
];

const security: Definition[] = [
  obj(
    c('SecurityContext'),
    'Security settings of one container; they override the pod’s where both are set.',
    {
      capabilities: p.ref(c('Capabilities'), 'Linux capabilities to add and drop.'),
      privileged: p.bool('Run the container privileged, with nearly the host’s full access.'),
      seLinuxOptions: p.ref(c('SELinuxOptions'), 'SELinux context of the container.'),
      windowsOptions: p.ref(c('WindowsSecurityContextOptions'), 'Windows-specific settings.'),
      runAsUser: p.int64('UID the process runs as; defaults to the image’s user.'),
      runAsGroup: p.int64('GID the process runs as; defaults to the runtime’s choice.'),
      runAsNonRoot: p.bool('If true, the kubelet refuses to start the container as UID 0.'),
      readOnlyRootFilesystem: p.bool('If true, the container’s root filesystem is read-only.'),
      allowPrivilegeEscalation: p.bool(
        'Whether a process may gain more privileges than its parent (no_new_privs).',
      ),
      procMount: p.enum(
        ['Default', 'Unmasked'],
        'How /proc is mounted: with the runtime’s masked paths, or unmasked.',
      ),
      seccompProfile: p.ref(c('SeccompProfile'), 'Seccomp profile of the container.'),
      appArmorProfile: p.ref(c('AppArmorProfile'), 'AppArmor profile of the container.'),
    },
  ),
  obj(c('Capabilities'), 'Linux capabilities to add to and remove from the default set.', {
    add: p.array(t.string, 'Capabilities to add, such as "NET_ADMIN".', { listType: 'atomic' }),
    drop: p.array(t.string, 'Capabilities to remove, such as "ALL".', { listType: 'atomic' }),
  }),
  obj(c('SELinuxOptions'), 'SELinux labels to apply.', {
    user: p.string('SELinux user label.'),
    role: p.string('SELinux role label.'),
    type: p.string('SELinux type label.'),
    level: p.string('SELinux level label.'),
  }),
  obj(c('WindowsSecurityContextOptions'), 'Windows-specific security settings.', {
    gmsaCredentialSpecName: p.string('Name of the GMSA credential spec to use.'),
    gmsaCredentialSpec: p.string('Contents of the GMSA credential spec, filled in by the GMSA webhook.'),
    runAsUserName: p.string('Windows user name to run the entrypoint as.'),
    hostProcess: p.bool('Run as a Windows host process container; requires hostNetwork.'),
  }),
  obj(
    c('SeccompProfile'),
    'A seccomp profile: the runtime default, none, or a file on the node.',
    {
      type: p.enum(['Localhost', 'RuntimeDefault', 'Unconfined'], 'Which kind of profile applies.'),
      localhostProfile: p.string(
        'For Localhost: path of the profile, relative to the kubelet’s seccomp directory.',
      ),
    },
    { required: ['type'] },
  ),
  obj(
    c('AppArmorProfile'),
    'An AppArmor profile: the runtime default, none, or one loaded on the node.',
    {
      type: p.enum(['Localhost', 'RuntimeDefault', 'Unconfined'], 'Which kind of profile applies.'),
      localhostProfile: p.string('For Localhost: the name of a profile loaded on the node.'),
    },
    { required: ['type'] },
  ),
];

const statuses: Definition[] = [
  obj(
    c('ContainerStatus'),
    'Observed state of one container of a pod.',
    {
      name: p.string('Name of the container.'),
      state: p.ref(c('ContainerState'), 'Current state of the container.'),
      lastState: p.ref(
        c('ContainerState'),
        'State the container last terminated in, for debugging restarts.',
      ),
      ready: p.bool('Whether the container passes its readiness probe (or has started, without one).'),
      restartCount: p.int32('How many times the container has been restarted.'),
      image: p.string('Image the container runs, as resolved by the runtime.'),
      imageID: p.string('ID of the image the container runs.'),
      containerID: p.string('ID of the container, as "<runtime>://<id>".'),
      started: p.bool('Whether the container has passed its postStart hook and startup probe.'),
      allocatedResources: resourceList('Resources the node has allocated to the container.'),
      resources: p.ref(
        c('ResourceRequirements'),
        'Requests and limits actually applied to the running container.',
      ),
      volumeMounts: p.array(cref('VolumeMountStatus'), 'Status of the container’s volume mounts.', {
        patchStrategy: 'merge',
        patchMergeKey: 'mountPath',
        listType: 'map',
        listMapKeys: ['mountPath'],
      }),
      user: p.ref(c('ContainerUser'), 'Identity the container’s first process started with.'),
      allocatedResourcesStatus: p.array(
        cref('ResourceStatus'),
        'Health of the resources allocated to the container.',
        {
          patchStrategy: 'merge',
          patchMergeKey: 'name',
          listType: 'map',
          listMapKeys: ['name'],
        },
      ),
      stopSignal: p.enum(SIGNALS, 'Signal the container is stopped with.'),
    },
    { required: ['name', 'ready', 'restartCount', 'image', 'imageID'] },
  ),
  obj(c('ContainerState'), 'State of a container: at most one field is set; none means waiting.', {
    waiting: p.ref(c('ContainerStateWaiting'), 'The container is not running yet.'),
    running: p.ref(c('ContainerStateRunning'), 'The container is running.'),
    terminated: p.ref(c('ContainerStateTerminated'), 'The container has exited.'),
  }),
  obj(c('ContainerStateWaiting'), 'A container that is not running yet.', {
    reason: p.string('Short reason, such as "ContainerCreating" or "CrashLoopBackOff".'),
    message: p.string('Details about why the container is not running.'),
  }),
  obj(c('ContainerStateRunning'), 'A running container.', {
    startedAt: p.time('When the container last started.'),
  }),
  obj(
    c('ContainerStateTerminated'),
    'A container that has exited.',
    {
      exitCode: p.int32('Exit code of the process.'),
      signal: p.int32('Signal that ended the process, if any.'),
      reason: p.string('Short reason, such as "Completed", "Error" or "OOMKilled".'),
      message: p.string('Details about the termination.'),
      startedAt: p.time('When the run that ended started.'),
      finishedAt: p.time('When the container exited.'),
      containerID: p.string('ID of the container, as "<runtime>://<id>".'),
    },
    { required: ['exitCode'] },
  ),
  obj(
    c('VolumeMountStatus'),
    'Observed state of one volume mount.',
    {
      name: p.string('Name of the mounted volume.'),
      mountPath: p.string('Path the volume is mounted at.'),
      readOnly: p.bool('Whether the mount is read-only.'),
      recursiveReadOnly: p.string('Whether submounts are read-only: Disabled or Enabled.'),
    },
    { required: ['name', 'mountPath'] },
  ),
  obj(c('ContainerUser'), 'Identity a container’s first process started with.', {
    linux: p.ref(c('LinuxContainerUser'), 'The Linux identity.'),
  }),
  obj(
    c('LinuxContainerUser'),
    'Linux user and groups of a container’s first process.',
    {
      uid: p.int64('Primary user ID.'),
      gid: p.int64('Primary group ID.'),
      supplementalGroups: p.array(t.int64, 'Supplemental group IDs.', { listType: 'atomic' }),
    },
    { required: ['uid', 'gid'] },
  ),
  obj(
    c('ResourceStatus'),
    'Health of the devices behind one resource allocated to a container.',
    {
      name: p.string('The resource: a resource name, or "claim:<claim>/<request>" for a resource claim.'),
      resources: p.array(cref('ResourceHealth'), 'Health of each device, by ID.', {
        listType: 'map',
        listMapKeys: ['resourceID'],
      }),
    },
    { required: ['name'] },
  ),
  obj(
    c('ResourceHealth'),
    'Health of one device.',
    {
      resourceID: p.string('ID of the device, unique within the resource.'),
      health: p.string('Healthy, Unhealthy or Unknown.'),
    },
    { required: ['resourceID'] },
  ),
];

/** Container definitions of core/v1. */
export const coreV1ContainerDefinitions: Definition[] = [
  ...containers,
  ...probes,
  ...resources,
  ...security,
  ...statuses,
];
