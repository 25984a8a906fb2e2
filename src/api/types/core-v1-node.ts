/**
 * core/v1 Node: spec (taints, pod CIDRs), status (capacity, conditions, addresses, system info,
 * images, runtime handlers) and the deprecated dynamic-config types still in the schema.
 */
import { obj, p, t } from '../schema/dsl.js';
import type { Definition } from '../schema/types.js';
import { TAINT_EFFECTS, c, coreKind, coreList, cref, resourceList } from './core-v1-util.js';

const node: Definition[] = [
  coreKind('Node', 'A machine (physical or virtual) that runs pods.', {
    spec: p.ref(c('NodeSpec'), 'Desired state of the node.'),
    status: p.ref(c('NodeStatus'), 'Observed state of the node, reported by its kubelet.'),
  }),
  coreList('Node'),
  obj(c('NodeSpec'), 'Desired state of a node.', {
    podCIDR: p.string('Pod IP range assigned to the node.'),
    podCIDRs: p.array(
      t.string,
      'Pod IP ranges of the node, at most one per family; the first equals podCIDR.',
      {
        patchStrategy: 'merge',
        listType: 'set',
      },
    ),
    providerID: p.string('ID of the node at its cloud provider, as "<provider>://<id>".'),
    unschedulable: p.bool('If true, no new pods are scheduled onto the node (cordoned).'),
    taints: p.array(cref('Taint'), 'Taints that repel pods which do not tolerate them.', {
      listType: 'atomic',
    }),
    configSource: p.ref(c('NodeConfigSource'), 'Deprecated and unused: dynamic kubelet configuration.'),
    externalID: p.string('Deprecated and unused.'),
  }),
  obj(
    c('Taint'),
    'A mark on a node that keeps away pods which do not tolerate it.',
    {
      key: p.string('Key of the taint.'),
      value: p.string('Value of the taint.'),
      effect: p.enum(
        TAINT_EFFECTS,
        'Effect on pods that do not tolerate it: NoSchedule, PreferNoSchedule or NoExecute.',
      ),
      timeAdded: p.time('When the taint was added; set for NoExecute taints only.'),
    },
    { required: ['key', 'effect'] },
  ),
  obj(c('NodeConfigSource'), 'Deprecated: a source of kubelet configuration.', {
    configMap: p.ref(c('ConfigMapNodeConfigSource'), 'ConfigMap holding the configuration.'),
  }),
  obj(
    c('ConfigMapNodeConfigSource'),
    'Deprecated: a ConfigMap holding kubelet configuration.',
    {
      namespace: p.string('Namespace of the ConfigMap.'),
      name: p.string('Name of the ConfigMap.'),
      uid: p.string('UID of the ConfigMap.'),
      resourceVersion: p.string('Resource version of the ConfigMap.'),
      kubeletConfigKey: p.string('Key of the ConfigMap that holds the kubelet configuration.'),
    },
    { required: ['namespace', 'name', 'kubeletConfigKey'] },
  ),
  obj(c('NodeStatus'), 'Observed state of a node.', {
    capacity: resourceList('Total resources of the node.'),
    allocatable: resourceList('Resources available to pods; defaults to capacity.'),
    phase: p.enum(
      ['Pending', 'Running', 'Terminated'],
      'Deprecated and never set: lifecycle phase of the node.',
    ),
    conditions: p.array(cref('NodeCondition'), 'Current conditions, such as Ready or MemoryPressure.', {
      patchStrategy: 'merge',
      patchMergeKey: 'type',
      listType: 'map',
      listMapKeys: ['type'],
    }),
    addresses: p.array(cref('NodeAddress'), 'Addresses of the node; replace the whole list when patching.', {
      patchStrategy: 'merge',
      patchMergeKey: 'type',
      listType: 'map',
      listMapKeys: ['type'],
    }),
    daemonEndpoints: p.ref(c('NodeDaemonEndpoints'), 'Ports of daemons on the node, such as the kubelet.'),
    nodeInfo: p.ref(c('NodeSystemInfo'), 'Identifiers and versions of the node’s software.'),
    images: p.array(cref('ContainerImage'), 'Container images present on the node.', { listType: 'atomic' }),
    volumesInUse: p.array(t.string, 'Attachable volumes mounted on the node.', { listType: 'atomic' }),
    volumesAttached: p.array(cref('AttachedVolume'), 'Volumes attached to the node.', { listType: 'atomic' }),
    config: p.ref(c('NodeConfigStatus'), 'Deprecated: status of dynamic kubelet configuration.'),
    runtimeHandlers: p.array(cref('NodeRuntimeHandler'), 'Runtime handlers available on the node.', {
      listType: 'atomic',
    }),
    features: p.ref(c('NodeFeatures'), 'Features the node’s container runtime implements.'),
  }),
  obj(
    c('NodeCondition'),
    'One condition of a node.',
    {
      type: p.string('Type of the condition: Ready, MemoryPressure, DiskPressure, PIDPressure…'),
      status: p.string('Whether the condition holds: True, False or Unknown.'),
      lastHeartbeatTime: p.time('When the condition was last reported.'),
      lastTransitionTime: p.time('When the status last changed.'),
      reason: p.string('Short reason for the last transition.'),
      message: p.string('Human-readable details about the last transition.'),
    },
    { required: ['type', 'status'] },
  ),
  obj(
    c('NodeAddress'),
    'One address of a node.',
    {
      type: p.string('Kind of address: Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS.'),
      address: p.string('The address.'),
    },
    { required: ['type', 'address'] },
  ),
  obj(c('NodeDaemonEndpoints'), 'Ports of daemons running on a node.', {
    kubeletEndpoint: p.ref(c('DaemonEndpoint'), 'Where the kubelet listens.'),
  }),
  obj(
    c('DaemonEndpoint'),
    'The port of one daemon.',
    { Port: p.int32('Port number.') },
    { required: ['Port'] },
  ),
  obj(
    c('NodeSystemInfo'),
    'Identifiers and software versions of a node.',
    {
      machineID: p.string('Machine ID of the node (/etc/machine-id).'),
      systemUUID: p.string('System UUID reported by the node.'),
      bootID: p.string('ID of the current boot.'),
      kernelVersion: p.string('Kernel version, as from "uname -r".'),
      osImage: p.string('Operating system image, as from /etc/os-release.'),
      containerRuntimeVersion: p.string('Container runtime and version, such as "containerd://1.7.0".'),
      kubeletVersion: p.string('Version of the kubelet.'),
      kubeProxyVersion: p.string('Deprecated: version of kube-proxy.'),
      operatingSystem: p.string('Operating system, such as "linux".'),
      architecture: p.string('CPU architecture, such as "amd64".'),
      swap: p.ref(c('NodeSwapStatus'), 'Swap memory of the node.'),
    },
    {
      required: [
        'machineID',
        'systemUUID',
        'bootID',
        'kernelVersion',
        'osImage',
        'containerRuntimeVersion',
        'kubeletVersion',
        'kubeProxyVersion',
        'operatingSystem',
        'architecture',
      ],
    },
  ),
  obj(c('NodeSwapStatus'), 'Swap memory of a node.', {
    capacity: p.int64('Total swap memory in bytes.'),
  }),
  obj(c('NodeConfigStatus'), 'Deprecated: state of dynamic kubelet configuration.', {
    assigned: p.ref(c('NodeConfigSource'), 'Configuration the node will try to use.'),
    active: p.ref(c('NodeConfigSource'), 'Configuration the node is using.'),
    lastKnownGood: p.ref(c('NodeConfigSource'), 'Configuration the node falls back to on errors.'),
    error: p.string('Problem applying the configuration, if any.'),
  }),
  obj(c('ContainerImage'), 'An image present on a node.', {
    names: p.array(t.string, 'Names the image is known by.', { listType: 'atomic' }),
    sizeBytes: p.int64('Size of the image in bytes.'),
  }),
  obj(
    c('AttachedVolume'),
    'A volume attached to a node.',
    {
      name: p.string('Unique name of the volume.'),
      devicePath: p.string('Device path where the volume is available.'),
    },
    { required: ['name', 'devicePath'] },
  ),
  obj(c('NodeRuntimeHandler'), 'A runtime handler of a node and what it supports.', {
    name: p.string('Name of the handler; empty for the default one.'),
    features: p.ref(c('NodeRuntimeHandlerFeatures'), 'Features the handler supports.'),
  }),
  obj(c('NodeRuntimeHandlerFeatures'), 'Features a runtime handler supports.', {
    recursiveReadOnlyMounts: p.bool('Whether recursive read-only mounts are supported.'),
    userNamespaces: p.bool('Whether user namespaces are supported, including for volumes.'),
  }),
  obj(c('NodeFeatures'), 'Features of a node’s container runtime, independent of handlers.', {
    supplementalGroupsPolicy: p.bool(
      'Whether supplementalGroupsPolicy and container user reporting are supported.',
    ),
  }),
];

/** Node definitions of core/v1. */
export const coreV1NodeDefinitions: Definition[] = node;
