/**
 * The desired data path, computed from the cluster: which Ingresses this controller serves, their
 * rules in match order, the backends (ready endpoints of Service ports) and the TLS certificates.
 * Pure functions of the cached objects, so the whole translation is unit-tested without a proxy.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { Secret, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Ingress, IngressBackend, IngressClass } from 'kubernetes-types/networking/v1.js';
import { servesIngress } from '../../api/networking/ingressclass.js';
import { hostMatch, orderRoutes, pathMatch, type Route } from './routes.js';

/** The label linking an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** One server of a backend: a ready endpoint address and port. */
export interface Server {
  address: string;
  port: number;
}

/** A Service port as traffic destination. */
export interface Backend {
  /** Unique, config-safe name: `be_<namespace>_<service>_<port>`. */
  name: string;
  namespace: string;
  service: string;
  /** The port as the Ingress names it (number or name). */
  port: string;
  servers: Server[];
}

/** A certificate and key from a TLS Secret, and the SNI names it serves. */
export interface TlsCertificate {
  /** Config-safe file stem: `<namespace>_<secret>`. */
  name: string;
  /** Certificate chain then key, PEM. */
  pem: string;
  /** SNI host names (lower case; wildcards as `*.example.com`); empty: the names in the certificate. */
  hosts: string[];
}

/** Something wrong with one Ingress, reported as an event/log; the rest is served. */
export interface Problem {
  /** `namespace/name` of the Ingress. */
  ingress: string;
  reason: 'ServiceNotFound' | 'ServicePortNotFound' | 'SecretNotFound' | 'BadSecret' | 'Unsupported';
  message: string;
}

/** The whole data path. */
export interface IngressModel {
  routes: Route[];
  /** Backend of requests that match no rule; undefined: 404. */
  defaultBackend?: string;
  backends: Backend[];
  certificates: TlsCertificate[];
  problems: Problem[];
}

/** The cached objects the model is computed from. */
export interface ModelInputs {
  ingresses: readonly Ingress[];
  classes: readonly IngressClass[];
  services: readonly Service[];
  slices: readonly EndpointSlice[];
  /** Looks a Secret up by `namespace/name`. */
  secret(key: string): Secret | undefined;
}

/** Paths and hosts go into the proxy configuration: anything outside this set is refused. */
const SAFE_PATH = /^\/[A-Za-z0-9\-._~/%!&()*+,;=:@]*$/;
const SAFE_HOST = /^(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;

function key(ns: string | undefined, name: string | undefined): string {
  return `${ns ?? ''}/${name ?? ''}`;
}

function createdMs(ing: Ingress): number {
  const t = Date.parse(ing.metadata?.creationTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
}

/** Ready endpoints of a Service port (by the port's name in the EndpointSlices). */
function serversOf(svc: Service, portName: string, slices: readonly EndpointSlice[]): Server[] {
  const out: Server[] = [];
  const seen = new Set<string>();
  for (const slice of slices) {
    if (slice.metadata?.namespace !== svc.metadata?.namespace) continue;
    if (slice.metadata?.labels?.[SERVICE_NAME_LABEL] !== svc.metadata?.name) continue;
    if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
    const port = (slice.ports ?? []).find(
      (p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === 'TCP',
    )?.port;
    if (port === undefined) continue;
    for (const ep of slice.endpoints ?? []) {
      // A nil ready condition means ready.
      if (ep.conditions?.ready === false) continue;
      for (const address of ep.addresses ?? []) {
        const id = `${address}:${port}`;
        if (seen.has(id)) continue;
        seen.add(id);
        out.push({ address, port });
      }
    }
  }
  return out.sort((a, b) => (a.address === b.address ? a.port - b.port : a.address < b.address ? -1 : 1));
}

class Builder {
  readonly backends = new Map<string, Backend>();
  readonly problems: Problem[] = [];
  private readonly services = new Map<string, Service>();

  constructor(private readonly inputs: ModelInputs) {
    for (const s of inputs.services) this.services.set(key(s.metadata?.namespace, s.metadata?.name), s);
  }

  /** The backend name of an IngressBackend, registering the backend (empty when unusable). */
  backend(ingress: Ingress, b: IngressBackend | undefined): string | undefined {
    const ingKey = key(ingress.metadata?.namespace, ingress.metadata?.name);
    const ns = ingress.metadata?.namespace ?? '';
    const svcRef = b?.service;
    if (!svcRef) {
      if (b?.resource)
        this.problems.push({
          ingress: ingKey,
          reason: 'Unsupported',
          message: `resource backend ${b.resource.kind}/${b.resource.name} is not supported`,
        });
      return undefined;
    }
    const portText = svcRef.port?.name ?? String(svcRef.port?.number ?? '');
    const name = `be_${ns}_${svcRef.name}_${portText}`;
    if (this.backends.has(name)) return name;
    const backend: Backend = { name, namespace: ns, service: svcRef.name, port: portText, servers: [] };
    this.backends.set(name, backend);
    const svc = this.services.get(key(ns, svcRef.name));
    if (!svc) {
      this.problems.push({
        ingress: ingKey,
        reason: 'ServiceNotFound',
        message: `service "${ns}/${svcRef.name}" not found`,
      });
      return name;
    }
    const sp = (svc.spec?.ports ?? []).find((p) =>
      svcRef.port?.name !== undefined ? p.name === svcRef.port.name : p.port === svcRef.port?.number,
    );
    if (!sp) {
      this.problems.push({
        ingress: ingKey,
        reason: 'ServicePortNotFound',
        message: `service "${ns}/${svcRef.name}" has no port ${portText}`,
      });
      return name;
    }
    if (svc.spec?.type === 'ExternalName') {
      this.problems.push({
        ingress: ingKey,
        reason: 'Unsupported',
        message: `service "${ns}/${svcRef.name}" is of type ExternalName, which Ingress backends do not support`,
      });
      return name;
    }
    backend.servers = serversOf(svc, sp.name ?? '', this.inputs.slices);
    return name;
  }
}

/** The TLS certificates of the served Ingresses (deduplicated by Secret). */
function certificates(
  served: readonly Ingress[],
  inputs: ModelInputs,
  problems: Problem[],
): TlsCertificate[] {
  const bySecret = new Map<string, TlsCertificate>();
  for (const ing of served) {
    const ns = ing.metadata?.namespace ?? '';
    const ingKey = key(ns, ing.metadata?.name);
    for (const tls of ing.spec?.tls ?? []) {
      if (!tls.secretName) continue;
      const secretKey = key(ns, tls.secretName);
      const hosts = (tls.hosts ?? []).map((h) => h.toLowerCase()).filter((h) => SAFE_HOST.test(h));
      const known = bySecret.get(secretKey);
      if (known) {
        for (const h of hosts) if (!known.hosts.includes(h)) known.hosts.push(h);
        continue;
      }
      const secret = inputs.secret(secretKey);
      if (!secret) {
        problems.push({
          ingress: ingKey,
          reason: 'SecretNotFound',
          message: `secret "${secretKey}" not found`,
        });
        continue;
      }
      const pem = tlsPem(secret);
      if (typeof pem !== 'string') {
        problems.push({
          ingress: ingKey,
          reason: 'BadSecret',
          message: `secret "${secretKey}": ${pem.error}`,
        });
        continue;
      }
      bySecret.set(secretKey, { name: `${ns}_${tls.secretName}`, pem, hosts });
    }
  }
  return [...bySecret.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The certificate chain and key of a TLS Secret as one PEM text, or why it cannot be used. */
export function tlsPem(secret: Secret): string | { error: string } {
  const crtB64 = secret.data?.['tls.crt'];
  const keyB64 = secret.data?.['tls.key'];
  if (!crtB64 || !keyB64) return { error: 'tls.crt and tls.key are required' };
  const crt = Buffer.from(crtB64, 'base64').toString('utf8');
  const keyText = Buffer.from(keyB64, 'base64').toString('utf8');
  try {
    const cert = new X509Certificate(crt);
    const privateKey = createPrivateKey(keyText);
    if (!cert.checkPrivateKey(privateKey)) return { error: 'tls.key does not match tls.crt' };
  } catch (err) {
    return { error: `invalid certificate or key: ${err instanceof Error ? err.message : String(err)}` };
  }
  return `${crt.trimEnd()}\n${keyText.trimEnd()}\n`;
}

/** Computes the data path from the cached objects. */
export function buildModel(inputs: ModelInputs): IngressModel {
  const served = inputs.ingresses
    .filter((ing) => !ing.metadata?.deletionTimestamp && servesIngress(ing, inputs.classes))
    .sort(
      (a, b) =>
        createdMs(a) - createdMs(b) ||
        (key(a.metadata?.namespace, a.metadata?.name) < key(b.metadata?.namespace, b.metadata?.name)
          ? -1
          : 1),
    );
  const b = new Builder(inputs);
  const routes: Route[] = [];
  let defaultBackend: string | undefined;
  for (const ing of served) {
    const ingKey = key(ing.metadata?.namespace, ing.metadata?.name);
    if (defaultBackend === undefined && ing.spec?.defaultBackend)
      defaultBackend = b.backend(ing, ing.spec.defaultBackend);
    for (const rule of ing.spec?.rules ?? []) {
      const host = (rule.host ?? '').toLowerCase();
      if (host !== '' && !SAFE_HOST.test(host)) {
        b.problems.push({
          ingress: ingKey,
          reason: 'Unsupported',
          message: `host "${host}" is not a DNS name`,
        });
        continue;
      }
      for (const p of rule.http?.paths ?? []) {
        const path = p.path && p.path !== '' ? p.path : '/';
        if (!SAFE_PATH.test(path)) {
          b.problems.push({
            ingress: ingKey,
            reason: 'Unsupported',
            message: `path "${path}" has characters the data path does not accept`,
          });
          continue;
        }
        const backend = b.backend(ing, p.backend);
        if (backend === undefined) continue;
        routes.push({
          host: hostMatch(host),
          path: pathMatch(p.pathType, path),
          backend,
          ingress: ingKey,
          createdMs: createdMs(ing),
        });
      }
    }
  }
  const problems = b.problems;
  const certs = certificates(served, inputs, problems);
  const backends = [...b.backends.values()].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return { routes: orderRoutes(routes), defaultBackend, backends, certificates: certs, problems };
}
