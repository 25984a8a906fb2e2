/**
 * A container's environment as upstream's kubelet builds it: service links first (when enabled),
 * then envFrom sources in order, then env entries in order (later wins), with `$(VAR)` expansion
 * against what came before. A missing required ConfigMap, Secret or key is an error whose message
 * becomes the container's CreateContainerConfigError.
 */
import type { Container, EnvVar, Pod } from 'kubernetes-types/core/v1.js';
import { Quantity } from '../../../api/quantity.js';
import { volumeFieldValue } from '../volumes/downward.js';
import { expandVars } from './expand.js';

/** Reads objects the environment refers to; undefined when the object does not exist. */
export interface EnvSources {
  configMap(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  /** Secret data, decoded. */
  secret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
}

/** A service for service-link variables. */
export interface ServiceLink {
  name: string;
  clusterIP: string;
  ports: { name?: string; port: number; protocol?: string }[];
}

/** Facts about the pod and node the downward API may read. */
export interface DownwardContext {
  hostIP: string;
  podIPs: string[];
  /** Node allocatable, used when a container sets no limit. */
  nodeAllocatable: Record<string, string>;
}

/** A configuration error: the container cannot be created until it is fixed. */
export class ContainerConfigError extends Error {}

const envName = (s: string): string => s.toUpperCase().replace(/-/g, '_');

/** Docker-link style variables for one service (FOO_SERVICE_HOST, FOO_PORT_80_TCP …). */
export function serviceEnv(s: ServiceLink): [string, string][] {
  if (!s.clusterIP || s.clusterIP === 'None' || s.ports.length === 0) return [];
  const n = envName(s.name);
  const out: [string, string][] = [
    [`${n}_SERVICE_HOST`, s.clusterIP],
    [`${n}_SERVICE_PORT`, String(s.ports[0]?.port)],
  ];
  for (const p of s.ports) if (p.name) out.push([`${n}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
  const first = s.ports[0];
  if (first)
    out.push([`${n}_PORT`, `${(first.protocol ?? 'TCP').toLowerCase()}://${s.clusterIP}:${first.port}`]);
  for (const p of s.ports) {
    const proto = (p.protocol ?? 'TCP').toUpperCase();
    const prefix = `${n}_PORT_${p.port}_${proto}`;
    out.push(
      [prefix, `${proto.toLowerCase()}://${s.clusterIP}:${p.port}`],
      [`${prefix}_PROTO`, proto.toLowerCase()],
      [`${prefix}_PORT`, String(p.port)],
      [`${prefix}_ADDR`, s.clusterIP],
    );
  }
  return out;
}

/** The value of a downward API field path (`metadata.labels['app']`, `status.podIP` …). */
export function fieldRefValue(pod: Pod, fieldPath: string, ctx: DownwardContext): string {
  if (fieldPath.startsWith('metadata.')) {
    try {
      return volumeFieldValue(pod, fieldPath);
    } catch {
      throw new ContainerConfigError(`unsupported fieldRef ${fieldPath}`);
    }
  }
  switch (fieldPath) {
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return ctx.hostIP;
    case 'status.hostIPs':
      return ctx.hostIP;
    case 'status.podIP':
      return ctx.podIPs[0] ?? '';
    case 'status.podIPs':
      return ctx.podIPs.join(',');
    default:
      throw new ContainerConfigError(`unsupported fieldRef ${fieldPath}`);
  }
}

/** The value of a resourceFieldRef (`limits.cpu` with a divisor …), rounded up like upstream. */
export function resourceFieldValue(
  container: Container,
  resource: string,
  divisor: string | undefined,
  ctx: DownwardContext,
): string {
  const [kind, name] = resource.split('.', 2) as [string, string | undefined];
  if (!name || (kind !== 'limits' && kind !== 'requests'))
    throw new ContainerConfigError(`unsupported container resource : ${resource}`);
  const fromSpec = (kind === 'limits' ? container.resources?.limits : container.resources?.requests)?.[name];
  // Unset limits default to the node's allocatable; unset requests to 0 (cpu requests to limits … upstream
  // defaulting already copied limits into requests on create).
  const raw = fromSpec ?? (kind === 'limits' ? ctx.nodeAllocatable[name] : undefined) ?? '0';
  const q = Quantity.parse(String(raw));
  const d = Quantity.parse(divisor && divisor !== '0' ? divisor : '1');
  if (name === 'cpu') {
    const milli = q.milliValue();
    const dm = d.milliValue() === 0n ? 1000n : d.milliValue();
    return String((milli + dm - 1n) / dm);
  }
  const v = q.value();
  const dv = d.value() === 0n ? 1n : d.value();
  return String((v + dv - 1n) / dv);
}

/** Builds the environment of `container`, in upstream's order and precedence. */
export async function containerEnv(
  pod: Pod,
  container: Container,
  sources: EnvSources,
  services: ServiceLink[],
  ctx: DownwardContext,
): Promise<{ key: string; value: string }[]> {
  const ns = pod.metadata?.namespace ?? 'default';
  const env = new Map<string, string>();
  if (pod.spec?.enableServiceLinks !== false) {
    for (const s of services) for (const [k, v] of serviceEnv(s)) env.set(k, v);
  }
  // The master service's variables are always present (in-cluster clients rely on them).
  const master = services.find((s) => s.name === 'kubernetes');
  if (master) for (const [k, v] of serviceEnv(master)) env.set(k, v);

  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const name = from.configMapRef.name ?? '';
      const data = await sources.configMap(ns, name);
      if (!data) {
        if (from.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${name}" not found`);
      }
      for (const [k, v] of Object.entries(data)) env.set(prefix + k, v);
    } else if (from.secretRef) {
      const name = from.secretRef.name ?? '';
      const data = await sources.secret(ns, name);
      if (!data) {
        if (from.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${name}" not found`);
      }
      for (const [k, v] of Object.entries(data)) env.set(prefix + k, v);
    }
  }

  const lookup = (n: string): string | undefined => env.get(n);
  for (const e of container.env ?? []) {
    const value = await envValue(pod, container, e, sources, ctx, ns);
    if (value === undefined) continue;
    env.set(e.name, e.valueFrom ? value : expandVars(value, lookup));
  }
  return [...env].map(([key, value]) => ({ key, value }));
}

async function envValue(
  pod: Pod,
  container: Container,
  e: EnvVar,
  sources: EnvSources,
  ctx: DownwardContext,
  ns: string,
): Promise<string | undefined> {
  const from = e.valueFrom;
  if (!from) return e.value ?? '';
  if (from.fieldRef) return fieldRefValue(pod, from.fieldRef.fieldPath, ctx);
  if (from.resourceFieldRef) {
    const target =
      from.resourceFieldRef.containerName && from.resourceFieldRef.containerName !== container.name
        ? [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find(
            (c) => c.name === from.resourceFieldRef?.containerName,
          )
        : container;
    if (!target) throw new ContainerConfigError(`container ${from.resourceFieldRef.containerName} not found`);
    return resourceFieldValue(
      target,
      from.resourceFieldRef.resource,
      from.resourceFieldRef.divisor as string | undefined,
      ctx,
    );
  }
  if (from.configMapKeyRef) {
    const { name = '', key, optional } = from.configMapKeyRef;
    const data = await sources.configMap(ns, name);
    if (!data) {
      if (optional) return undefined;
      throw new ContainerConfigError(`configmap "${name}" not found`);
    }
    if (!(key in data)) {
      if (optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
    }
    return data[key];
  }
  if (from.secretKeyRef) {
    const { name = '', key, optional } = from.secretKeyRef;
    const data = await sources.secret(ns, name);
    if (!data) {
      if (optional) return undefined;
      throw new ContainerConfigError(`secret "${name}" not found`);
    }
    if (!(key in data)) {
      if (optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${key} in Secret ${ns}/${name}`);
    }
    return data[key];
  }
  return e.value ?? '';
}
