/**
 * {@link ResourceRef}s of the kinds the node agent, controllers and hollow nodes use, taken from the
 * server's resource catalog so names, versions and scope cannot drift from what is served.
 */
import { parseApiVersion } from '../api/meta.js';
import { RESOURCES, findResource, type ResourceType } from '../api/resources.js';
import type { ResourceRef } from './types.js';

/** The ref of a catalog entry. */
export function refOf(res: ResourceType): ResourceRef {
  return Object.freeze({
    group: res.group,
    version: res.version,
    resource: res.plural,
    kind: res.kind,
    namespaced: res.namespaced,
  });
}

function served(group: string, version: string, plural: string): ResourceRef {
  const res = findResource({ group, version }, plural);
  if (!res) throw new Error(`${plural} in ${group || 'core'}/${version} is not in the resource catalog`);
  return refOf(res);
}

/**
 * The ref of a kind by apiVersion (`apps/v1`) and kind (`Deployment`), or undefined when k8ts does
 * not serve it.
 */
export function refForKind(apiVersion: string, kind: string): ResourceRef | undefined {
  const gv = parseApiVersion(apiVersion);
  if (!gv) return undefined;
  const res = RESOURCES.find((r) => r.group === gv.group && r.version === gv.version && r.kind === kind);
  return res ? refOf(res) : undefined;
}

export const PODS = served('', 'v1', 'pods');
export const NODES = served('', 'v1', 'nodes');
export const NAMESPACES = served('', 'v1', 'namespaces');
export const CONFIGMAPS = served('', 'v1', 'configmaps');
export const SECRETS = served('', 'v1', 'secrets');
export const SERVICES = served('', 'v1', 'services');
export const ENDPOINTS = served('', 'v1', 'endpoints');
export const SERVICEACCOUNTS = served('', 'v1', 'serviceaccounts');
export const PVS = served('', 'v1', 'persistentvolumes');
export const PVCS = served('', 'v1', 'persistentvolumeclaims');
/** core/v1 Events (what `kubectl describe` shows). */
export const EVENTS = served('', 'v1', 'events');
/** events.k8s.io/v1 Events (the newer API over the same objects). */
export const EVENTS_V1 = served('events.k8s.io', 'v1', 'events');
export const LEASES = served('coordination.k8s.io', 'v1', 'leases');
export const ENDPOINTSLICES = served('discovery.k8s.io', 'v1', 'endpointslices');
export const DEPLOYMENTS = served('apps', 'v1', 'deployments');
export const REPLICASETS = served('apps', 'v1', 'replicasets');
export const STATEFULSETS = served('apps', 'v1', 'statefulsets');
export const DAEMONSETS = served('apps', 'v1', 'daemonsets');
export const CONTROLLERREVISIONS = served('apps', 'v1', 'controllerrevisions');
export const JOBS = served('batch', 'v1', 'jobs');
export const CRONJOBS = served('batch', 'v1', 'cronjobs');
export const PDBS = served('policy', 'v1', 'poddisruptionbudgets');
export const PRIORITYCLASSES = served('scheduling.k8s.io', 'v1', 'priorityclasses');
export const INGRESSES = served('networking.k8s.io', 'v1', 'ingresses');
export const INGRESSCLASSES = served('networking.k8s.io', 'v1', 'ingressclasses');
