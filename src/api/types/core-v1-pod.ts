/**
 * core/v1 pod types: Pod, PodSpec and PodStatus, the pod security context, scheduling constraints
 * (affinity, node selectors, tolerations, topology spread), PodTemplate, Binding and the legacy
 * ReplicationController.
 */
import { META, obj, p, t } from '../schema/dsl.js';
import type { Definition } from '../schema/types.js';
import {
  NODE_INCLUSION_POLICIES,
  TAINT_EFFECTS,
  c,
  coreKind,
  coreList,
  cref,
  resourceList,
} from './core-v1-util.js';

const podSpec: Definition[] = [
  obj(
    c('PodSpec'),
    'Desired state of a pod: its containers, volumes, and how and where it runs.',
    {
      volumes: p.array(cref('Volume'), 'Volumes the pod’s containers can mount.', {
        patchStrategy: 'merge,retainKeys',
        patchMergeKey: 'name',
        listType: 'map',
        listMapKeys: ['name'],
      }),
      initContainers: p.array(
        cref('Container'),
        'Containers run one after another, each to completion, before the main containers start.',
        { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
      ),
      containers: p.array(cref('Container'), 'The pod’s main containers; at least one.', {
        patchStrategy: 'merge',
        patchMergeKey: 'name',
        listType: 'map',
        listMapKeys: ['name'],
      }),
      ephemeralContainers: p.array(
        cref('EphemeralContainer'),
        'Debugging containers added to the running pod through its ephemeralcontainers subresource.',
        { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
      ),
      restartPolicy: p.enum(
        ['Always', 'Never', 'OnFailure'],
        'When containers are restarted after they exit: Always (default), OnFailure or Never.',
      ),
      terminationGracePeriodSeconds: p.int64(
        'Seconds between the stop signal and a forced kill when the pod is deleted; default 30.',
      ),
      activeDeadlineSeconds: p.int64(
        'Seconds the pod may run after it started before the system fails it and kills its containers.',
      ),
      dnsPolicy: p.enum(
        ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'],
        'How the pod’s DNS is set up; ClusterFirst by default. None takes everything from dnsConfig.',
      ),
      nodeSelector: p.map(t.string, 'Labels a node must have for the pod to be scheduled on it.', {
        mapType: 'atomic',
      }),
      serviceAccountName: p.string('Name of the ServiceAccount the pod runs as.'),
      serviceAccount: p.string('Deprecated alias of serviceAccountName.'),
      automountServiceAccountToken: p.bool(
        'Whether to mount an API token of the service account into the pod.',
      ),
      nodeName: p.string('Node the pod is bound to; set by the scheduler, or by the user to bypass it.'),
      hostNetwork: p.bool('If true, the pod uses the node’s network namespace.'),
      hostPID: p.bool('If true, the pod uses the node’s process ID namespace.'),
      hostIPC: p.bool('If true, the pod uses the node’s IPC namespace.'),
      shareProcessNamespace: p.bool(
        'If true, all containers of the pod share one process namespace and can see each other’s processes.',
      ),
      securityContext: p.ref(c('PodSecurityContext'), 'Security settings for the whole pod.'),
      imagePullSecrets: p.array(
        cref('LocalObjectReference'),
        'Secrets in the pod’s namespace with credentials for pulling the images.',
        { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
      ),
      hostname: p.string('Host name of the pod; defaults to a system-chosen value.'),
      subdomain: p.string(
        'Subdomain of the pod: its FQDN becomes "<hostname>.<subdomain>.<namespace>.svc.<cluster domain>".',
      ),
      affinity: p.ref(c('Affinity'), 'Node affinity and pod (anti-)affinity scheduling rules.'),
      schedulerName: p.string('Scheduler that places the pod; the default scheduler when empty.'),
      tolerations: p.array(cref('Toleration'), 'Node taints the pod tolerates.', { listType: 'atomic' }),
      hostAliases: p.array(cref('HostAlias'), 'Extra entries for the pod’s /etc/hosts file.', {
        patchStrategy: 'merge',
        patchMergeKey: 'ip',
        listType: 'map',
        listMapKeys: ['ip'],
      }),
      priorityClassName: p.string('PriorityClass the pod’s priority is taken from.'),
      priority: p.int32('Priority of the pod, filled in from priorityClassName at admission.'),
      dnsConfig: p.ref(c('PodDNSConfig'), 'DNS settings merged into those the dnsPolicy produces.'),
      readinessGates: p.array(
        cref('PodReadinessGate'),
        'Extra pod conditions that must be True for the pod to be ready.',
        { listType: 'atomic' },
      ),
      runtimeClassName: p.string(
        'RuntimeClass (node.k8s.io) to run the pod with; the default handler when empty.',
      ),
      enableServiceLinks: p.bool(
        'Whether Service addresses are injected as environment variables; default true.',
      ),
      preemptionPolicy: p.enum(
        ['Never', 'PreemptLowerPriority'],
        'Whether the pod may preempt lower-priority pods; PreemptLowerPriority by default.',
      ),
      overhead: resourceList(
        'Resources the pod’s runtime uses on top of its containers; set from the RuntimeClass.',
      ),
      topologySpreadConstraints: p.array(
        cref('TopologySpreadConstraint'),
        'How matching pods should be spread across topology domains such as zones or nodes.',
        {
          patchStrategy: 'merge',
          patchMergeKey: 'topologyKey',
          listType: 'map',
          listMapKeys: ['topologyKey', 'whenUnsatisfiable'],
        },
      ),
      setHostnameAsFQDN: p.bool('If true, the pod’s hostname is its fully qualified domain name.'),
      os: p.ref(c('PodOS'), 'Operating system the containers need; restricts some security fields.'),
      hostUsers: p.bool('If false, the pod runs in its own user namespace; true (the node’s) by default.'),
      schedulingGates: p.array(
        cref('PodSchedulingGate'),
        'Gates that keep the pod from being scheduled until they are all removed.',
        { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
      ),
      resourceClaims: p.array(
        cref('PodResourceClaim'),
        'Dynamic resource claims the pod needs before it can start; containers refer to them by name.',
        { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
      ),
      resources: p.ref(
        c('ResourceRequirements'),
        'Resource requests and limits for the pod as a whole, shared by its containers.',
      ),
    },
    { required: ['containers'] },
  ),
  obj(c('PodSecurityContext'), 'Security settings for a whole pod; container settings take precedence.', {
    seLinuxOptions: p.ref(c('SELinuxOptions'), 'SELinux context applied to all containers.'),
    windowsOptions: p.ref(
      c('WindowsSecurityContextOptions'),
      'Windows-specific settings for all containers.',
    ),
    runAsUser: p.int64('UID the containers run as; defaults to the image’s user.'),
    runAsGroup: p.int64('GID the containers run as; defaults to the runtime’s choice.'),
    runAsNonRoot: p.bool('If true, the kubelet refuses to start any container as UID 0.'),
    supplementalGroups: p.array(t.int64, 'Extra group IDs for the first process of each container.', {
      listType: 'atomic',
    }),
    supplementalGroupsPolicy: p.enum(
      ['Merge', 'Strict'],
      'Whether groups from the image’s /etc/group are merged in (Merge) or ignored (Strict).',
    ),
    fsGroup: p.int64('Group that owns supported volumes; also added to every container’s groups.'),
    sysctls: p.array(cref('Sysctl'), 'Namespaced kernel parameters to set for the pod.', {
      listType: 'atomic',
    }),
    fsGroupChangePolicy: p.enum(
      ['Always', 'OnRootMismatch'],
      'When volume ownership is changed to fsGroup: Always, or only when the root does not match.',
    ),
    seccompProfile: p.ref(c('SeccompProfile'), 'Seccomp profile of all containers.'),
    appArmorProfile: p.ref(c('AppArmorProfile'), 'AppArmor profile of all containers.'),
    seLinuxChangePolicy: p.string(
      'How the SELinux label reaches volumes: "MountOption" (a mount option) or "Recursive" (relabel every file).',
    ),
  }),
  obj(
    c('Sysctl'),
    'One kernel parameter.',
    { name: p.string('Name of the parameter.'), value: p.string('Value to set.') },
    { required: ['name', 'value'] },
  ),
  obj(
    c('HostAlias'),
    'An /etc/hosts entry: one IP and its host names.',
    {
      ip: p.string('The IP address.'),
      hostnames: p.array(t.string, 'Host names for the IP.', { listType: 'atomic' }),
    },
    { required: ['ip'] },
  ),
  obj(c('PodDNSConfig'), 'DNS settings added to those produced by the DNS policy.', {
    nameservers: p.array(t.string, 'Extra name server IPs.', { listType: 'atomic' }),
    searches: p.array(t.string, 'Extra search domains.', { listType: 'atomic' }),
    options: p.array(cref('PodDNSConfigOption'), 'Resolver options; they override those of the policy.', {
      listType: 'atomic',
    }),
  }),
  obj(c('PodDNSConfigOption'), 'One resolver option.', {
    name: p.string('Name of the option, such as "ndots".'),
    value: p.string('Value of the option, if it takes one.'),
  }),
  obj(
    c('PodReadinessGate'),
    'A pod condition that must be True for the pod to be ready.',
    { conditionType: p.string('Type of the pod condition.') },
    { required: ['conditionType'] },
  ),
  obj(
    c('PodOS'),
    'The operating system a pod’s containers need.',
    { name: p.string('Name of the operating system: "linux" or "windows".') },
    { required: ['name'] },
  ),
  obj(
    c('PodSchedulingGate'),
    'A gate that keeps a pod from being scheduled while present.',
    { name: p.string('Name of the gate, unique within the pod.') },
    { required: ['name'] },
  ),
  obj(
    c('PodResourceClaim'),
    'A named dynamic resource claim of the pod: an existing ResourceClaim or one made from a template.',
    {
      name: p.string('Name of the claim within the pod (a DNS label).'),
      resourceClaimName: p.string('Name of an existing ResourceClaim in the pod’s namespace.'),
      resourceClaimTemplateName: p.string(
        'Name of a ResourceClaimTemplate from which a claim is created for, and deleted with, the pod.',
      ),
    },
    { required: ['name'] },
  ),
];

const scheduling: Definition[] = [
  obj(c('Affinity'), 'Scheduling rules that attract or repel the pod.', {
    nodeAffinity: p.ref(c('NodeAffinity'), 'Rules on the labels of nodes.'),
    podAffinity: p.ref(c('PodAffinity'), 'Rules to place the pod near other pods.'),
    podAntiAffinity: p.ref(c('PodAntiAffinity'), 'Rules to keep the pod away from other pods.'),
  }),
  obj(c('NodeAffinity'), 'Rules choosing nodes by their labels.', {
    requiredDuringSchedulingIgnoredDuringExecution: p.ref(
      c('NodeSelector'),
      'Hard rule: the pod is only scheduled onto nodes that match.',
    ),
    preferredDuringSchedulingIgnoredDuringExecution: p.array(
      cref('PreferredSchedulingTerm'),
      'Soft rules: nodes that match get the weight added to their score.',
      { listType: 'atomic' },
    ),
  }),
  obj(c('PodAffinity'), 'Rules to co-locate the pod with pods matching selectors.', {
    requiredDuringSchedulingIgnoredDuringExecution: p.array(
      cref('PodAffinityTerm'),
      'Hard rules, all of which must hold.',
      { listType: 'atomic' },
    ),
    preferredDuringSchedulingIgnoredDuringExecution: p.array(
      cref('WeightedPodAffinityTerm'),
      'Soft rules, weighted.',
      { listType: 'atomic' },
    ),
  }),
  obj(c('PodAntiAffinity'), 'Rules to keep the pod apart from pods matching selectors.', {
    requiredDuringSchedulingIgnoredDuringExecution: p.array(
      cref('PodAffinityTerm'),
      'Hard rules, all of which must hold.',
      { listType: 'atomic' },
    ),
    preferredDuringSchedulingIgnoredDuringExecution: p.array(
      cref('WeightedPodAffinityTerm'),
      'Soft rules, weighted.',
      { listType: 'atomic' },
    ),
  }),
  obj(
    c('WeightedPodAffinityTerm'),
    'A pod affinity term with a weight for scoring.',
    {
      weight: p.int32('Weight of the term, 1 to 100.'),
      podAffinityTerm: p.ref(c('PodAffinityTerm'), 'The term.'),
    },
    { required: ['weight', 'podAffinityTerm'] },
  ),
  obj(
    c('PodAffinityTerm'),
    'A set of pods, and the topology key that defines what "near" means for them.',
    {
      labelSelector: p.ref(META + 'LabelSelector', 'Pods to consider; none when unset.'),
      namespaces: p.array(t.string, 'Namespaces of the pods to consider, besides namespaceSelector.', {
        listType: 'atomic',
      }),
      topologyKey: p.string('Node label whose equal values mean "same place", such as a zone or host name.'),
      namespaceSelector: p.ref(
        META + 'LabelSelector',
        'Namespaces whose pods are considered; with namespaces empty too, the pod’s own namespace.',
      ),
      matchLabelKeys: p.array(
        t.string,
        'Label keys whose values on the incoming pod are added to labelSelector as "key in (value)".',
        { listType: 'atomic' },
      ),
      mismatchLabelKeys: p.array(
        t.string,
        'Label keys whose values on the incoming pod are added to labelSelector as "key notin (value)".',
        { listType: 'atomic' },
      ),
    },
    { required: ['topologyKey'] },
  ),
  obj(
    c('PreferredSchedulingTerm'),
    'A weighted node selector term.',
    {
      weight: p.int32('Weight of the term, 1 to 100.'),
      preference: p.ref(c('NodeSelectorTerm'), 'The node selector term.'),
    },
    { required: ['weight', 'preference'] },
  ),
  obj(
    c('NodeSelector'),
    'A node selector: a node matches if any of its terms matches.',
    {
      nodeSelectorTerms: p.array(cref('NodeSelectorTerm'), 'The terms, ORed together.', {
        listType: 'atomic',
      }),
    },
    { required: ['nodeSelectorTerms'], mapType: 'atomic' },
  ),
  obj(
    c('NodeSelectorTerm'),
    'Requirements on node labels and fields, all of which must hold. An empty term matches nothing.',
    {
      matchExpressions: p.array(cref('NodeSelectorRequirement'), 'Requirements on node labels.', {
        listType: 'atomic',
      }),
      matchFields: p.array(cref('NodeSelectorRequirement'), 'Requirements on node fields.', {
        listType: 'atomic',
      }),
    },
    { mapType: 'atomic' },
  ),
  obj(
    c('NodeSelectorRequirement'),
    'A requirement on one node label or field.',
    {
      key: p.string('The label key or field name.'),
      operator: p.enum(
        ['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'],
        'How the key relates to the values.',
      ),
      values: p.array(
        t.string,
        'Values for In and NotIn; one integer for Gt and Lt; empty for Exists and DoesNotExist.',
        { listType: 'atomic' },
      ),
    },
    { required: ['key', 'operator'] },
  ),
  obj(
    c('TopologySelectorTerm'),
    'Label requirements describing a topology domain, all of which must hold.',
    {
      matchLabelExpressions: p.array(cref('TopologySelectorLabelRequirement'), 'The label requirements.', {
        listType: 'atomic',
      }),
    },
    { mapType: 'atomic' },
  ),
  obj(
    c('TopologySelectorLabelRequirement'),
    'A label that must have one of the given values.',
    {
      key: p.string('The label key.'),
      values: p.array(t.string, 'Accepted values; any one matches.', { listType: 'atomic' }),
    },
    { required: ['key', 'values'] },
  ),
  obj(c('Toleration'), 'Lets the pod be scheduled on (or stay on) nodes with a matching taint.', {
    key: p.string('Taint key to match; empty with operator Exists matches every taint.'),
    operator: p.enum(['Equal', 'Exists'], 'Equal (default) matches key and value; Exists matches any value.'),
    value: p.string('Taint value to match with Equal.'),
    effect: p.enum(TAINT_EFFECTS, 'Taint effect to match; all effects when empty.'),
    tolerationSeconds: p.int64(
      'For NoExecute: how long the pod stays once the taint appears; forever when unset.',
    ),
  }),
  obj(
    c('TopologySpreadConstraint'),
    'How evenly matching pods must be spread across the domains of a topology key.',
    {
      maxSkew: p.int32('Largest allowed difference in matching pods between two domains; at least 1.'),
      topologyKey: p.string('Node label whose values define the domains, such as a zone label.'),
      whenUnsatisfiable: p.enum(
        ['DoNotSchedule', 'ScheduleAnyway'],
        'What to do when the constraint cannot be met: DoNotSchedule or ScheduleAnyway.',
      ),
      labelSelector: p.ref(META + 'LabelSelector', 'Pods counted in each domain.'),
      minDomains: p.int32('Minimum number of eligible domains; fewer count the global minimum as zero.'),
      nodeAffinityPolicy: p.enum(
        NODE_INCLUSION_POLICIES,
        'Whether the pod’s node affinity and selector limit the nodes counted; Honor by default.',
      ),
      nodeTaintsPolicy: p.enum(
        NODE_INCLUSION_POLICIES,
        'Whether tainted nodes the pod does not tolerate are left out; Ignore by default.',
      ),
      matchLabelKeys: p.array(t.string, 'Label keys whose values on the incoming pod narrow labelSelector.', {
        listType: 'atomic',
      }),
    },
    { required: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'] },
  ),
];

const podStatus: Definition[] = [
  obj(c('PodStatus'), 'Observed state of a pod; may lag behind reality.', {
    observedGeneration: p.int64('The metadata.generation this status was computed from.'),
    phase: p.enum(
      ['Failed', 'Pending', 'Running', 'Succeeded', 'Unknown'],
      'Summary of where the pod is in its lifecycle.',
    ),
    conditions: p.array(cref('PodCondition'), 'Current conditions of the pod.', {
      patchStrategy: 'merge',
      patchMergeKey: 'type',
      listType: 'map',
      listMapKeys: ['type'],
    }),
    message: p.string('Human-readable details about the pod’s state.'),
    reason: p.string('Short CamelCase reason for the pod’s state, such as "Evicted".'),
    nominatedNodeName: p.string('Node the pod is expected to run on after preempting pods there.'),
    hostIP: p.string('Primary IP of the node the pod runs on.'),
    hostIPs: p.array(cref('HostIP'), 'IPs of the node the pod runs on; the first equals hostIP.', {
      patchStrategy: 'merge',
      patchMergeKey: 'ip',
      listType: 'atomic',
    }),
    podIP: p.string('Primary IP allocated to the pod.'),
    podIPs: p.array(
      cref('PodIP'),
      'IPs allocated to the pod, at most one per family; the first equals podIP.',
      {
        patchStrategy: 'merge',
        patchMergeKey: 'ip',
        listType: 'map',
        listMapKeys: ['ip'],
      },
    ),
    startTime: p.time('When the kubelet accepted the pod, before pulling images.'),
    initContainerStatuses: p.array(cref('ContainerStatus'), 'Status of each init container.', {
      listType: 'atomic',
    }),
    containerStatuses: p.array(cref('ContainerStatus'), 'Status of each main container.', {
      listType: 'atomic',
    }),
    qosClass: p.enum(
      ['BestEffort', 'Burstable', 'Guaranteed'],
      'Quality-of-service class derived from the containers’ requests and limits.',
    ),
    ephemeralContainerStatuses: p.array(cref('ContainerStatus'), 'Status of each ephemeral container.', {
      listType: 'atomic',
    }),
    resize: p.string(
      'Deprecated: state of a requested in-place resize (Proposed, InProgress, Deferred, Infeasible).',
    ),
    resourceClaimStatuses: p.array(
      cref('PodResourceClaimStatus'),
      'Names of the ResourceClaims generated for the pod’s template claims.',
      { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    ),
  }),
  obj(
    c('PodCondition'),
    'One condition of a pod, such as Ready or PodScheduled.',
    {
      type: p.string('Type of the condition.'),
      observedGeneration: p.int64('The metadata.generation the condition was computed from.'),
      status: p.string('Whether the condition holds: True, False or Unknown.'),
      lastProbeTime: p.time('When the condition was last checked.'),
      lastTransitionTime: p.time('When the status last changed.'),
      reason: p.string('One-word CamelCase reason for the last transition.'),
      message: p.string('Human-readable details about the last transition.'),
    },
    { required: ['type', 'status'] },
  ),
  obj(c('PodIP'), 'One IP address of a pod.', { ip: p.string('The IP address.') }, { required: ['ip'] }),
  obj(
    c('HostIP'),
    'One IP address of a pod’s node.',
    { ip: p.string('The IP address.') },
    { required: ['ip'] },
  ),
  obj(
    c('PodResourceClaimStatus'),
    'The ResourceClaim generated for one of the pod’s template claims.',
    {
      name: p.string('Name of the entry in pod.spec.resourceClaims.'),
      resourceClaimName: p.string('Name of the generated ResourceClaim; unset when none was needed.'),
    },
    { required: ['name'] },
  ),
];

const kinds: Definition[] = [
  coreKind('Pod', 'A group of containers that run together on one node and share network and storage.', {
    spec: p.ref(c('PodSpec'), 'Desired state of the pod.'),
    status: p.ref(c('PodStatus'), 'Observed state of the pod, maintained by the system.'),
  }),
  coreList('Pod'),
  obj(c('PodTemplateSpec'), 'The metadata and spec of pods created from a template.', {
    metadata: p.ref(META + 'ObjectMeta', 'Metadata (labels, annotations) of the pods created.'),
    spec: p.ref(c('PodSpec'), 'Spec of the pods created.'),
  }),
  coreKind('PodTemplate', 'A stored template for creating pods.', {
    template: p.ref(c('PodTemplateSpec'), 'The pod template.'),
  }),
  coreList('PodTemplate'),
  coreKind(
    'Binding',
    'Assigns an object to another; used to bind a pod to a node through pods/binding.',
    { target: p.ref(c('ObjectReference'), 'The object to bind to, such as a Node.') },
    { required: ['target'] },
  ),
  coreKind('ReplicationController', 'Legacy controller that keeps a number of pod replicas running.', {
    spec: p.ref(c('ReplicationControllerSpec'), 'Desired state of the controller.'),
    status: p.ref(c('ReplicationControllerStatus'), 'Observed state of the controller.'),
  }),
  coreList('ReplicationController'),
  obj(c('ReplicationControllerSpec'), 'Desired state of a ReplicationController.', {
    replicas: p.int32('Number of pods to keep running; default 1.'),
    minReadySeconds: p.int32('Seconds a new pod must be ready, without crashing, to count as available.'),
    selector: p.map(t.string, 'Labels of the pods to manage; defaults to the template’s labels.', {
      mapType: 'atomic',
    }),
    template: p.ref(c('PodTemplateSpec'), 'Template of the pods created when too few exist.'),
  }),
  obj(
    c('ReplicationControllerStatus'),
    'Observed state of a ReplicationController.',
    {
      replicas: p.int32('Number of pods found.'),
      fullyLabeledReplicas: p.int32('Number of pods whose labels match the template’s labels.'),
      readyReplicas: p.int32('Number of ready pods.'),
      availableReplicas: p.int32('Number of pods ready for at least minReadySeconds.'),
      observedGeneration: p.int64('The generation of the controller last acted upon.'),
      conditions: p.array(cref('ReplicationControllerCondition'), 'Current conditions of the controller.', {
        patchStrategy: 'merge',
        patchMergeKey: 'type',
        listType: 'map',
        listMapKeys: ['type'],
      }),
    },
    { required: ['replicas'] },
  ),
  obj(
    c('ReplicationControllerCondition'),
    'One condition of a ReplicationController, such as ReplicaFailure.',
    {
      type: p.string('Type of the condition.'),
      status: p.string('Whether the condition holds: True, False or Unknown.'),
      lastTransitionTime: p.time('When the status last changed.'),
      reason: p.string('Reason for the last transition.'),
      message: p.string('Human-readable details about the last transition.'),
    },
    { required: ['type', 'status'] },
  ),
];

/** Pod definitions of core/v1. */
export const coreV1PodDefinitions: Definition[] = [...podSpec, ...scheduling, ...podStatus, ...kinds];
