/**
 * Kubeconfig files for clients of the cluster: one cluster, one user with an embedded client
 * certificate, one context, all named alike.
 */
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  /** API server URL, e.g. https://127.0.0.1:6443. */
  server: string;
  /** PEM of the CA that signed the serving certificate. */
  caPem: string;
  /** Client certificate and key (PEM). */
  certPem: string;
  keyPem: string;
  /** Name of the cluster, user and context entries; defaults to "default" (as k3s). */
  name?: string;
}

function b64(pem: string): string {
  return Buffer.from(pem, 'utf8').toString('base64');
}

/** A kubeconfig document (YAML) with embedded CA data and client credentials. */
export function kubeconfigYaml(opts: KubeconfigOptions): string {
  const name = opts.name ?? 'default';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: opts.server, 'certificate-authority-data': b64(opts.caPem) } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    preferences: {},
    users: [
      { name, user: { 'client-certificate-data': b64(opts.certPem), 'client-key-data': b64(opts.keyPem) } },
    ],
  });
}

/** The URL of a server listening on `port`, as a local client dials it. */
export function localServerUrl(port: number, host = '127.0.0.1'): string {
  return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
