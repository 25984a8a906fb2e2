/** Values shared by the probe and hook handlers. */

/** The Kubernetes minor version the agent reports in its User-Agent headers (`kube-probe/1.33`). */
export const KUBE_VERSION = '1.33';

/** How much of a response body or command output probes and hooks keep (upstream: 10 KiB). */
export const MAX_BODY_BYTES = 10 * 1024;
