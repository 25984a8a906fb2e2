/**
 * discovery.k8s.io/v1 defaulting: EndpointSlice ports get an empty name and TCP.
 */
import type { KubeObject } from '../meta.js';

/** Applies the EndpointSlice defaults in place. */
export function defaultEndpointSlice(obj: KubeObject): void {
  const ports = obj['ports'];
  if (!Array.isArray(ports)) return;
  for (const p of ports) {
    if (typeof p !== 'object' || p === null) continue;
    const port = p as Record<string, unknown>;
    if (port['name'] === undefined || port['name'] === null) port['name'] = '';
    if (port['protocol'] === undefined || port['protocol'] === null) port['protocol'] = 'TCP';
  }
}
