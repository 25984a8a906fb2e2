/**
 * The kubelet's serving certificate: signed by the cluster's server CA (which the API server trusts
 * for kubelets), named `system:node:<node>` in group `system:nodes` as upstream's kubelet serving
 * certificates are, with the node's host names and addresses as SANs.
 */
import { issueCertificate, type CertificateAuthority, type IssuedCertificate } from './certs.js';
import { canonicalIp, ipFamily } from './ip.js';

/** What the kubelet is reached by. */
export interface KubeletServingRequest {
  nodeName: string;
  /** Host names and IP addresses the API server (or users) dial the kubelet by. */
  addresses: string[];
  validityDays?: number;
  now?: Date;
}

/** Issues a kubelet serving certificate from the server CA. */
export function issueKubeletServingCertificate(
  serverCA: CertificateAuthority,
  req: KubeletServingRequest,
): Promise<IssuedCertificate> {
  const dns = new Set<string>([req.nodeName.toLowerCase()]);
  const ips = new Set<string>();
  for (const a of req.addresses) {
    if (ipFamily(a) !== 0) ips.add(canonicalIp(a));
    else if (a) dns.add(a.toLowerCase());
  }
  return issueCertificate(serverCA, {
    commonName: `system:node:${req.nodeName}`,
    organizations: ['system:nodes'],
    usage: 'server',
    sans: { dns: [...dns], ips: [...ips] },
    validityDays: req.validityDays,
    now: req.now,
  });
}
