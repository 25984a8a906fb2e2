/** Node agent flags, shared by `k8ts server` (its local node) and `k8ts agent`. */
import type { ParseArgsConfig } from 'node:util';
import {
  AGENT_PARTS,
  DEFAULT_AGENT_CONFIG,
  parseNodeLabel,
  parseNodeTaint,
  type AgentConfig,
  type AgentPart,
} from '../agent/config.js';

export const AGENT_FLAGS_HELP = `  --node-name NAME            node name (default: the host name)
  --node-ip IP                the node's address (default: first non-loopback IPv4)
  --node-label KEY=VALUE      node label (repeatable)
  --node-taint KEY=VALUE:EFFECT  node taint, set at registration (repeatable)
  --container-runtime-endpoint URL  use this CRI socket instead of running containerd
  --cluster-dns IP            DNS server for ClusterFirst pods (default: 10th IP of the service CIDR)
  --cluster-domain DOMAIN     cluster domain (default ${DEFAULT_AGENT_CONFIG.clusterDomain})
  --resolv-conf FILE          resolver configuration that Default-policy pods copy (default ${DEFAULT_AGENT_CONFIG.resolvConf})
  --kubelet-port PORT         HTTPS port of the kubelet API (default ${DEFAULT_AGENT_CONFIG.kubeletPort})
  --pod-manifest-path DIR     static pod manifests (default DATA/agent/pod-manifests)
  --pause-image IMAGE         pod sandbox image (default ${DEFAULT_AGENT_CONFIG.pauseImage})
  --disable LIST              node parts not to run, comma-separated: proxy (the Service proxy), dns
                              (the node's cluster DNS), ingress (the Ingress data path on ports 80/443);
                              on a server also servicelb (the built-in LoadBalancer)
`;

export const AGENT_FLAG_OPTIONS = {
  'node-name': { type: 'string' },
  'node-ip': { type: 'string' },
  'node-label': { type: 'string', multiple: true },
  'node-taint': { type: 'string', multiple: true },
  'container-runtime-endpoint': { type: 'string' },
  'cluster-dns': { type: 'string' },
  'cluster-domain': { type: 'string' },
  'resolv-conf': { type: 'string' },
  'kubelet-port': { type: 'string' },
  'pod-manifest-path': { type: 'string' },
  'pause-image': { type: 'string' },
  disable: { type: 'string', multiple: true },
  // Hidden: tests give each test host its own cgroup subtree.
  'cgroup-root': { type: 'string' },
  'cni-bridge': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

type AgentFlagValues = Partial<
  Record<keyof typeof AGENT_FLAG_OPTIONS, string | string[] | boolean | undefined>
>;

const one = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const many = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : []);

/** The agent configuration from parsed flag values; throws one-line errors. */
export function agentConfigFromFlags(
  values: AgentFlagValues,
  dataDir: string,
  controlPlane: boolean,
  extraDisable: readonly string[] = [],
): AgentConfig {
  const cfg: AgentConfig = { ...DEFAULT_AGENT_CONFIG, dataDir, controlPlane, nodeLabels: {}, nodeTaints: [] };
  const name = one(values['node-name']);
  if (name !== undefined) {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253)
      throw new Error(`invalid --node-name ${JSON.stringify(name)}: must be a lowercase DNS-1123 subdomain`);
    cfg.nodeName = name;
  }
  const ip = one(values['node-ip']);
  if (ip !== undefined) {
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip))
      throw new Error(`invalid --node-ip ${JSON.stringify(ip)}: want an IPv4 address`);
    cfg.nodeIP = ip;
  }
  for (const l of many(values['node-label'])) {
    const [k, v] = parseNodeLabel(l);
    cfg.nodeLabels[k] = v;
  }
  cfg.nodeTaints = many(values['node-taint']).map(parseNodeTaint);
  cfg.containerRuntimeEndpoint = one(values['container-runtime-endpoint']) ?? '';
  const dns = one(values['cluster-dns']);
  if (dns !== undefined) {
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(dns))
      throw new Error(`invalid --cluster-dns ${JSON.stringify(dns)}: want an IPv4 address`);
    cfg.clusterDNS = dns;
  }
  cfg.clusterDomain = one(values['cluster-domain']) ?? cfg.clusterDomain;
  cfg.resolvConf = one(values['resolv-conf']) ?? cfg.resolvConf;
  const port = one(values['kubelet-port']);
  if (port !== undefined) {
    const n = Number(port);
    if (!Number.isInteger(n) || n < 0 || n > 65535)
      throw new Error(`invalid --kubelet-port ${JSON.stringify(port)}: must be 0-65535`);
    cfg.kubeletPort = n;
  }
  cfg.podManifestPath = one(values['pod-manifest-path']) ?? '';
  cfg.pauseImage = one(values['pause-image']) ?? cfg.pauseImage;
  cfg.cgroupRoot = one(values['cgroup-root']) ?? cfg.cgroupRoot;
  cfg.cniBridge = one(values['cni-bridge']) ?? '';
  cfg.disable = [];
  for (const part of many(values['disable'])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean)) {
    if (AGENT_PARTS.includes(part as AgentPart)) {
      if (!cfg.disable.includes(part as AgentPart)) cfg.disable.push(part as AgentPart);
    } else if (!extraDisable.includes(part)) {
      throw new Error(
        `invalid --disable ${JSON.stringify(part)}: want ${[...AGENT_PARTS, ...extraDisable].join(', ')}`,
      );
    }
  }

  return cfg;
}
