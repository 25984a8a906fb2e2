/** The CRI PodSandboxConfig of a pod: identity, hostname, DNS, host ports, namespaces, cgroup. */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { computePodQOS } from '../../../api/core/qos.js';
import type { PodSandboxConfig } from '../../cri/types.js';
import type { DnsSettings } from './dns.js';
import { POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL } from './labels.js';

/** The cgroup parent of a pod (cgroupfs layout): /k8ts/kubepods[/burstable|/besteffort]/pod<uid>. */
export function podCgroupParent(pod: Pod, root = '/k8ts'): string {
  const qos = computePodQOS(pod.spec);
  const tier = qos === 'Guaranteed' ? '' : `/${qos.toLowerCase()}`;
  return `${root}/kubepods${tier}/pod${pod.metadata?.uid ?? ''}`;
}

/** The directory (under the pod-logs root) of a pod's container logs. */
export function podLogDirectory(logsRoot: string, pod: Pod): string {
  return `${logsRoot}/${pod.metadata?.namespace ?? ''}_${pod.metadata?.name ?? ''}_${pod.metadata?.uid ?? ''}`;
}

/** The pod's hostname (spec.hostname or the pod name, cut to 63 characters as upstream). */
export function podHostname(pod: Pod): string {
  const name = pod.spec?.hostname || pod.metadata?.name || '';
  return name.length > 63 ? name.slice(0, 63).replace(/[-.]+$/, '') : name;
}

export function sandboxConfig(
  pod: Pod,
  attempt: number,
  opts: { logsRoot: string; dns: DnsSettings; cgroupRoot?: string },
): PodSandboxConfig {
  const meta = pod.metadata ?? {};
  const spec = pod.spec;
  const sc = spec?.securityContext;
  const portMappings = [];
  for (const c of spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      portMappings.push({
        protocol: (p.protocol ?? 'TCP') as 'TCP' | 'UDP' | 'SCTP',
        containerPort: p.containerPort,
        hostPort: p.hostPort,
        hostIp: p.hostIP ?? '',
      });
    }
  }
  const nsMode = (host: boolean | undefined): 'NODE' | 'POD' => (host ? 'NODE' : 'POD');
  return {
    metadata: { name: meta.name ?? '', uid: meta.uid ?? '', namespace: meta.namespace ?? '', attempt },
    hostname: spec?.hostNetwork ? '' : podHostname(pod),
    logDirectory: podLogDirectory(opts.logsRoot, pod),
    dnsConfig: { servers: opts.dns.servers, searches: opts.dns.searches, options: opts.dns.options },
    portMappings,
    labels: {
      ...meta.labels,
      [POD_NAME_LABEL]: meta.name ?? '',
      [POD_NAMESPACE_LABEL]: meta.namespace ?? '',
      [POD_UID_LABEL]: meta.uid ?? '',
    },
    annotations: { ...meta.annotations },
    linux: {
      cgroupParent: podCgroupParent(pod, opts.cgroupRoot),
      securityContext: {
        namespaceOptions: {
          network: nsMode(spec?.hostNetwork),
          pid: spec?.hostPID ? 'NODE' : spec?.shareProcessNamespace ? 'POD' : 'CONTAINER',
          ipc: nsMode(spec?.hostIPC),
        },
        ...(sc?.runAsUser !== undefined ? { runAsUser: { value: sc.runAsUser } } : {}),
        ...(sc?.runAsGroup !== undefined ? { runAsGroup: { value: sc.runAsGroup } } : {}),
        supplementalGroups: [
          ...(sc?.fsGroup !== undefined ? [sc.fsGroup] : []),
          ...(sc?.supplementalGroups ?? []),
        ],
      },
      sysctls: Object.fromEntries((sc?.sysctls ?? []).map((s) => [s.name, s.value])),
    },
  };
}
