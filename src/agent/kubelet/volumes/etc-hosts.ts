/**
 * Per-pod files the kubelet bind-mounts into containers: the Kubernetes-managed /etc/hosts and the
 * termination-message file (/dev/termination-log by default).
 */
import type { HostAlias, Pod } from 'kubernetes-types/core/v1.js';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { modeSurvivesUmask } from './umask.js';
import { isSafeSegment } from './paths.js';

const HEADER = '# Kubernetes-managed hosts file.\n';
const HEADER_HOST_NETWORK = '# Kubernetes-managed hosts file (host network).\n';

/** The pod's hostname (spec.hostname or its name, cut to 63 characters) and its domain ('' without subdomain). */
export function podHostnameAndDomain(pod: Pod, clusterDomain: string): { hostname: string; domain: string } {
  let hostname = pod.spec?.hostname || pod.metadata?.name || '';
  if (hostname.length > 63) hostname = hostname.slice(0, 63).replace(/[-.]+$/, '');
  const sub = pod.spec?.subdomain;
  const domain = sub ? `${sub}.${pod.metadata?.namespace ?? 'default'}.svc.${clusterDomain}` : '';
  return { hostname, domain };
}

function aliasLines(aliases: HostAlias[] | undefined): string {
  if (!aliases || aliases.length === 0) return '';
  let out = '\n# Entries added by HostAliases.\n';
  for (const a of aliases) out += `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`;
  return out;
}

/** The managed hosts file of a pod on the pod network. */
export function managedHostsContent(
  podIPs: string[],
  hostname: string,
  domain: string,
  aliases: HostAlias[] | undefined,
): string {
  let out =
    HEADER +
    '127.0.0.1\tlocalhost\n' +
    '::1\tlocalhost ip6-localhost ip6-loopback\n' +
    'fe00::0\tip6-localnet\n' +
    'fe00::0\tip6-mcastprefix\n' +
    'fe00::1\tip6-allnodes\n' +
    'fe00::2\tip6-allrouters\n';
  for (const ip of podIPs)
    out += domain ? `${ip}\t${hostname}.${domain}\t${hostname}\n` : `${ip}\t${hostname}\n`;
  return out + aliasLines(aliases);
}

/** Options of {@link etcHostsFile}. */
export interface EtcHostsOptions {
  /** The node's hosts file, copied for hostNetwork pods (default /etc/hosts). */
  nodeHostsPath?: string;
}

/**
 * Writes `<podDir>/etc-hosts` for the pod and returns its path. hostNetwork pods get the node's
 * hosts file plus their hostAliases. The file is rewritten in place (containers bind-mount this
 * inode) and only when its content changes.
 */
export async function etcHostsFile(
  podDir: string,
  pod: Pod,
  podIPs: string[],
  hostname: string,
  clusterDomain: string,
  opts: EtcHostsOptions = {},
): Promise<string> {
  let content: string;
  if (pod.spec?.hostNetwork) {
    const node = await readFile(opts.nodeHostsPath ?? '/etc/hosts', 'utf8');
    content = HEADER_HOST_NETWORK + node + aliasLines(pod.spec.hostAliases);
  } else {
    const { domain } = podHostnameAndDomain(pod, clusterDomain);
    content = managedHostsContent(podIPs, hostname, domain, pod.spec?.hostAliases);
  }
  const file = path.join(podDir, 'etc-hosts');
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current === undefined) {
    // A new file (the pod directory is there once its volumes are): its mode is right unless the
    // umask took bits away.
    await writeFile(file, content, { mode: 0o644 }).catch(async (err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(podDir, { recursive: true, mode: 0o750 });
      await writeFile(file, content, { mode: 0o644 });
    });
    if (!modeSurvivesUmask(0o644)) await chmod(file, 0o644);
    return file;
  }
  if (current !== content) await writeFile(file, content, { mode: 0o644 });
  await chmod(file, 0o644);
  return file;
}

/**
 * Creates an empty, world-writable file for one run of a container's termination message
 * (`<podDir>/containers/<name>/<random id>`, as upstream) and returns its path.
 */
export async function terminationLogFile(podDir: string, containerName: string): Promise<string> {
  if (!isSafeSegment(containerName))
    throw new Error(`invalid container name ${JSON.stringify(containerName)}`);
  const dir = path.join(podDir, 'containers', containerName);
  await mkdir(dir, { recursive: true, mode: 0o750 });
  const file = path.join(dir, randomBytes(4).toString('hex'));
  await (await open(file, 'wx', 0o666)).close();
  await chmod(file, 0o666);
  return file;
}
