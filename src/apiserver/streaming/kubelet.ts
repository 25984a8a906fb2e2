/**
 * How the API server reaches a node's kubelet (upstream's ConnectionInfoGetter): HTTPS to the node's
 * preferred address at `status.daemonEndpoints.kubeletEndpoint.Port` (10250 when unset), presenting
 * the API server's kubelet-client certificate and checking the kubelet's serving certificate against
 * the cluster CA.
 */
import { ApiError, apiErrors } from '../../api/errors.js';
import { isObject, type KubeObject } from '../../api/meta.js';
import type { ServedResources } from '../served.js';

/** TLS material for calls to kubelets. */
export interface KubeletClientConfig {
  /** CA that signs kubelet serving certificates (the cluster's server CA). */
  caPem: string;
  /** The API server's client certificate and key for kubelets. */
  certPem: string;
  keyPem: string;
  /** Address types in order of preference (k3s' default: InternalIP, ExternalIP, Hostname). */
  preferredAddressTypes?: string[];
}

/** The default kubelet port. */
export const KUBELET_PORT = 10250;

const DEFAULT_ADDRESS_TYPES = ['InternalIP', 'ExternalIP', 'Hostname'];

/** Reads a stored object; a 404 comes back as the kind's NotFound (`nodes "x" not found`). */
export async function getObject(
  served: ServedResources,
  resource: string,
  namespace: string,
  name: string,
): Promise<KubeObject> {
  const store = served.get('', 'v1', resource)?.store;
  if (!store) throw apiErrors.pathNotFound();
  return (await store.get(namespace, name, '')).object;
}

/** The kubelet base URL of a node, e.g. `https://10.0.0.5:10250`. */
export function kubeletBaseUrl(node: KubeObject, preferred: readonly string[] = DEFAULT_ADDRESS_TYPES): URL {
  const status = isObject(node['status']) ? node['status'] : {};
  const addresses = Array.isArray(status['addresses'])
    ? status['addresses']
        .filter(isObject)
        .map((a) => ({ type: String(a['type'] ?? ''), address: String(a['address'] ?? '') }))
    : [];
  let host: string | undefined;
  for (const type of preferred) {
    host = addresses.find((a) => a.type === type && a.address)?.address;
    if (host) break;
  }
  if (!host) {
    const known = addresses.map((a) => `{${a.type} ${a.address}}`).join(' ');
    throw apiErrors.internal(new Error(`no preferred addresses found; known addresses: [${known}]`));
  }
  const endpoints = isObject(status['daemonEndpoints']) ? status['daemonEndpoints'] : {};
  const kubelet = isObject(endpoints['kubeletEndpoint']) ? endpoints['kubeletEndpoint'] : {};
  const port = typeof kubelet['Port'] === 'number' && kubelet['Port'] > 0 ? kubelet['Port'] : KUBELET_PORT;
  return new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}`);
}

/** The kubelet base URL of the named node. */
export async function kubeletUrlOfNode(
  served: ServedResources,
  nodeName: string,
  config: KubeletClientConfig,
): Promise<URL> {
  const node = await getObject(served, 'nodes', '', nodeName);
  return kubeletBaseUrl(node, config.preferredAddressTypes);
}

/** Node `tls.connect` options for a kubelet call. */
export function kubeletTls(config: KubeletClientConfig): { ca: string; cert: string; key: string } {
  return { ca: config.caPem, cert: config.certPem, key: config.keyPem };
}

/** Rethrows a connection failure to a kubelet as upstream words it (a 500 with the dial error). */
export function kubeletDialError(err: unknown, url: URL): ApiError {
  if (err instanceof ApiError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return apiErrors.internal(new Error(`error dialing backend: dial tcp ${url.host}: ${msg}`));
}
