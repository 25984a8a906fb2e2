/** The configuration of the node agent (in `k8ts server` and in `k8ts agent`). */

export interface AgentConfig {
  /** The agent keeps its state under `<dataDir>/agent`. */
  dataDir: string;
  /** Node name (default: the host name, lower case). */
  nodeName: string;
  /** The node's address ('' = first non-loopback IPv4, else 127.0.0.1). */
  nodeIP: string;
  /** An existing CRI socket (`unix:///run/containerd/containerd.sock`); '' = run our own containerd. */
  containerRuntimeEndpoint: string;
  /** Cluster DNS service IP given to ClusterFirst pods ('' = the 10th address of the service CIDR). */
  clusterDNS: string;
  clusterDomain: string;
  /** The resolv.conf that Default-policy pods copy. */
  resolvConf: string;
  /** Extra node labels (`key=value`) and taints (`key=value:Effect`), applied at registration. */
  nodeLabels: Record<string, string>;
  nodeTaints: { key: string; value?: string; effect: string }[];
  /** HTTPS port of the kubelet API (logs, exec, port-forward, stats). */
  kubeletPort: number;
  /** Servers carry the control-plane role label. */
  controlPlane: boolean;
  /** Static pod manifests ('' = `<dataDir>/agent/pod-manifests`). */
  podManifestPath: string;
  /** Registries file, like k3s's registries.yaml ('' = `<dataDir>/agent/etc/registries.yaml`). */
  registriesFile: string;
  /** Pause (sandbox) image. */
  pauseImage: string;
  /** cgroup path under which pod cgroups are made (tests give each test host its own). */
  cgroupRoot: string;
  /** Name of the pod bridge ('' = cni0; tests running several nodes in one network namespace differ). */
  cniBridge: string;
  /** Node parts not to run: `proxy` (service proxy), `dns` (cluster DNS), `ingress` (data path). */
  disable: AgentPart[];
}

/** The node parts `--disable` may turn off. */
export const AGENT_PARTS = ['proxy', 'dns', 'ingress'] as const;
export type AgentPart = (typeof AGENT_PARTS)[number];

export const DEFAULT_AGENT_CONFIG: AgentConfig = {
  dataDir: '/var/lib/k8ts',
  nodeName: '',
  nodeIP: '',
  containerRuntimeEndpoint: '',
  clusterDNS: '',
  clusterDomain: 'cluster.local',
  resolvConf: '/etc/resolv.conf',
  nodeLabels: {},
  nodeTaints: [],
  kubeletPort: 10250,
  controlPlane: false,
  podManifestPath: '',
  registriesFile: '',
  pauseImage: 'k8ts.local/pause:3.10',
  cgroupRoot: '/k8ts',
  cniBridge: '',
  disable: [],
};

/** Parses `key=value` node labels. */
export function parseNodeLabel(text: string): [string, string] {
  const i = text.indexOf('=');
  if (i <= 0) throw new Error(`invalid --node-label ${JSON.stringify(text)}: want key=value`);
  return [text.slice(0, i), text.slice(i + 1)];
}

/** Parses `key[=value]:Effect` taints. */
export function parseNodeTaint(text: string): { key: string; value?: string; effect: string } {
  const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(text);
  if (!m?.[1] || !m[3])
    throw new Error(
      `invalid --node-taint ${JSON.stringify(text)}: want key[=value]:NoSchedule|PreferNoSchedule|NoExecute`,
    );
  return { key: m[1], ...(m[2] ? { value: m[2] } : {}), effect: m[3] };
}
