/**
 * The node's CNI network config: a Linux bridge with the node's pod CIDR (host-local IPAM, the bridge
 * as the pods' gateway, masquerade for traffic leaving the pod network) plus portmap for hostPort.
 * containerd reads it from its CNI conf dir and runs the plugins inside RunPodSandbox; it sets up
 * each pod's loopback itself.
 */
import fs from 'node:fs';
import path from 'node:path';

/** File name of the conflist in the conf dir (containerd loads the first file by name). */
export const CNI_CONFLIST_NAME = '10-k8ts.conflist';

/** Default CNI network name. */
export const DEFAULT_CNI_NETWORK = 'k8ts';

/** Default bridge device. */
export const DEFAULT_CNI_BRIDGE = 'cni0';

/** Inputs of {@link cniConflist}. */
export interface CniConfigOptions {
  /** The conf dir containerd reads (`<data-dir>/agent/cni`). */
  confDir: string;
  /** The node's pod CIDR (`10.42.0.0/24`); IPv4. */
  podCidr: string;
  /** Bridge device name (default `cni0`; at most 15 characters). */
  bridge?: string;
  /** CNI network name (default `k8ts`). */
  networkName?: string;
  /**
   * Where host-local keeps its IP allocations (default: the plugin's own, /var/lib/cni/networks).
   * Give one per node when several nodes share a machine.
   */
  ipamDataDir?: string;
  /** Masquerade traffic from pods to destinations outside the pod CIDR (default true). */
  ipMasq?: boolean;
  /** MTU of the bridge and the pods' interfaces (default: the plugin's, 1500). */
  mtu?: number;
}

/** A parsed IPv4 CIDR. */
interface Ipv4Cidr {
  network: number;
  prefix: number;
}

function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Parses `a.b.c.d/n`; throws on anything else or on host bits set. */
export function parseIpv4Cidr(cidr: string): Ipv4Cidr {
  const [ip, bits, extra] = cidr.split('/');
  const address = ip === undefined ? undefined : parseIpv4(ip);
  const prefix = bits !== undefined && /^\d{1,2}$/.test(bits) ? Number(bits) : NaN;
  if (address === undefined || extra !== undefined || !(prefix >= 0 && prefix <= 30)) {
    throw new Error(`invalid pod CIDR ${JSON.stringify(cidr)}: want an IPv4 network a.b.c.d/n with n <= 30`);
  }
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) {
    throw new Error(
      `invalid pod CIDR ${JSON.stringify(cidr)}: host bits are set (network is ${formatIpv4(address - (address % size))}/${prefix})`,
    );
  }
  return { network: address, prefix };
}

/** The gateway (bridge) address of a pod CIDR: its first host address. */
export function podGateway(podCidr: string): string {
  return formatIpv4(parseIpv4Cidr(podCidr).network + 1);
}

/** The conflist object for these options. */
export function cniConflist(opts: CniConfigOptions): Record<string, unknown> {
  const { network, prefix } = parseIpv4Cidr(opts.podCidr);
  const bridge = opts.bridge ?? DEFAULT_CNI_BRIDGE;
  if (bridge.length === 0 || bridge.length > 15 || /[\s/]/.test(bridge)) {
    throw new Error(
      `invalid bridge name ${JSON.stringify(bridge)}: 1 to 15 characters, no spaces or slashes`,
    );
  }
  const ipam: Record<string, unknown> = {
    type: 'host-local',
    ranges: [[{ subnet: `${formatIpv4(network)}/${prefix}`, gateway: formatIpv4(network + 1) }]],
    routes: [{ dst: '0.0.0.0/0' }],
  };
  if (opts.ipamDataDir !== undefined) ipam['dataDir'] = opts.ipamDataDir;
  const bridgePlugin: Record<string, unknown> = {
    type: 'bridge',
    bridge,
    isGateway: true,
    ipMasq: opts.ipMasq ?? true,
    hairpinMode: true,
    ipam,
  };
  if (opts.mtu !== undefined) bridgePlugin['mtu'] = opts.mtu;
  return {
    cniVersion: '1.0.0',
    name: opts.networkName ?? DEFAULT_CNI_NETWORK,
    plugins: [bridgePlugin, { type: 'portmap', capabilities: { portMappings: true } }],
  };
}

/**
 * Writes the conflist into the conf dir atomically (temporary file, then rename: containerd watches
 * the directory and must never read half a file); returns its path.
 */
export function writeCniConfig(opts: CniConfigOptions): string {
  const text = `${JSON.stringify(cniConflist(opts), null, 2)}\n`;
  fs.mkdirSync(opts.confDir, { recursive: true });
  if (opts.ipamDataDir !== undefined) fs.mkdirSync(opts.ipamDataDir, { recursive: true });
  const file = path.join(opts.confDir, CNI_CONFLIST_NAME);
  try {
    if (fs.readFileSync(file, 'utf8') === text) return file;
  } catch {
    // not written yet
  }
  // A dot-prefixed name without the .conflist suffix: containerd ignores it while it is incomplete.
  const tmp = path.join(opts.confDir, `.${CNI_CONFLIST_NAME}.tmp-${process.pid}`);
  fs.writeFileSync(tmp, text, { mode: 0o644 });
  fs.renameSync(tmp, file);
  return file;
}
