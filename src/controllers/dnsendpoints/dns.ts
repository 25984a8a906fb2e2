/**
 * The cluster DNS Service's fixed facts, shared by the server's bootstrap, the dns-endpoints
 * controller and the agents: where it is, its address, and the port of each node's DNS server.
 */

/** The port the node-local DNS server of every agent listens on (UDP and TCP). */
export const NODE_DNS_PORT = 10053;
/** The namespace and name of the cluster DNS Service. */
export const DNS_NAMESPACE = 'kube-system';
export const DNS_SERVICE = 'kube-dns';
/** The name of the (first) EndpointSlice of the DNS Service. */
export const DNS_SLICE = 'kube-dns-nodes';
/** The managed-by label value of the DNS Service's slices. */
export const DNS_MANAGED_BY = 'dns-endpoints.k8ts.io';

/**
 * The cluster DNS Service's IP: the 10th address of the service range (10.43.0.10 for
 * 10.43.0.0/16), given the range's first address (the `kubernetes` Service's, 10.43.0.1).
 */
export function dnsServiceIP(firstServiceIP: string): string {
  const octets = firstServiceIP.split('.').map(Number);
  const ip = octets.reduce((acc, o) => acc * 256 + o, 0) + 9;
  return [24, 16, 8, 0].map((shift) => Math.floor(ip / 2 ** shift) % 256).join('.');
}
