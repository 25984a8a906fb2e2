/**
 * Service defaulting (upstream's SetDefaults_Service) and the predicates that decide which allocated
 * values (cluster IPs, node ports, health-check node port) a Service needs.
 */
import { ensureRec, isSet, rec, records, str, strings, type JsonObject } from '../util.js';

/** The service's spec, or an empty object. */
function specOf(svc: JsonObject): JsonObject {
  return rec(svc['spec']) ?? {};
}

/** Every type but ExternalName gets a cluster IP (or "None"). */
export function needsClusterIP(svc: JsonObject): boolean {
  return str(specOf(svc)['type']) !== 'ExternalName';
}

/** NodePort and LoadBalancer services get node ports. */
export function needsNodePorts(svc: JsonObject): boolean {
  const t = str(specOf(svc)['type']);
  return t === 'NodePort' || t === 'LoadBalancer';
}

/** LoadBalancer services with externalTrafficPolicy Local get a health-check node port. */
export function needsHealthCheckNodePort(svc: JsonObject): boolean {
  const s = specOf(svc);
  return str(s['type']) === 'LoadBalancer' && str(s['externalTrafficPolicy']) === 'Local';
}

/** Reachable from outside the cluster: NodePort, LoadBalancer, or ClusterIP with external IPs. */
export function externallyAccessible(svc: JsonObject): boolean {
  const s = specOf(svc);
  const t = str(s['type']);
  return (
    t === 'LoadBalancer' || t === 'NodePort' || (t === 'ClusterIP' && strings(s['externalIPs']).length > 0)
  );
}

/** True when spec.clusterIPs is exactly ["None"]. */
export function isHeadless(svc: JsonObject): boolean {
  const ips = strings(specOf(svc)['clusterIPs']);
  return ips.length === 1 && ips[0] === 'None';
}

/** Applies upstream's Service defaults in place. */
export function defaultService(svc: JsonObject): void {
  const spec = ensureRec(svc, 'spec');
  if (str(spec['sessionAffinity']) === '') spec['sessionAffinity'] = 'None';
  if (spec['sessionAffinity'] === 'None') delete spec['sessionAffinityConfig'];
  if (spec['sessionAffinity'] === 'ClientIP') {
    const cfg = rec(spec['sessionAffinityConfig']);
    const timeout = rec(cfg?.['clientIP'])?.['timeoutSeconds'];
    if (!isSet(timeout)) spec['sessionAffinityConfig'] = { clientIP: { timeoutSeconds: 10800 } };
  }
  if (str(spec['type']) === '') spec['type'] = 'ClusterIP';
  for (const [p] of records(spec['ports'])) {
    if (str(p['protocol']) === '') p['protocol'] = 'TCP';
    const tp = p['targetPort'];
    if (tp === undefined || tp === null || tp === 0 || tp === '') p['targetPort'] = p['port'];
  }
  if (externallyAccessible(svc) && str(spec['externalTrafficPolicy']) === '')
    spec['externalTrafficPolicy'] = 'Cluster';
  const type = str(spec['type']);
  if (
    !isSet(spec['internalTrafficPolicy']) &&
    (type === 'NodePort' || type === 'LoadBalancer' || type === 'ClusterIP')
  )
    spec['internalTrafficPolicy'] = 'Cluster';
  if (type === 'LoadBalancer' && !isSet(spec['allocateLoadBalancerNodePorts']))
    spec['allocateLoadBalancerNodePorts'] = true;
  const status = ensureRec(svc, 'status');
  const lb = ensureRec(status, 'loadBalancer');
  if (type === 'LoadBalancer')
    for (const [ing] of records(lb['ingress']))
      if (str(ing['ip']) !== '' && !isSet(ing['ipMode'])) ing['ipMode'] = 'VIP';
}
