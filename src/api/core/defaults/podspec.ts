/**
 * PodSpec defaulting shared by Pods and pod templates (upstream's SetDefaults_PodSpec and the defaults
 * of everything a PodSpec contains: containers, probes, ports, env, volumes).
 */
import { ensureRec, isSet, rec, records, str, type JsonObject } from '../util.js';
import { canonicalizeQuantity, canonicalizeRequirements, canonicalizeResourceList } from './quantities.js';

/** The tag an image reference pulls: '' when it has only a digest or does not parse, 'latest' when it has none. */
export function imageTag(image: string): string {
  if (image === '' || /\s/.test(image)) return '';
  let ref = image;
  const at = ref.indexOf('@');
  const hasDigest = at >= 0;
  if (hasDigest) ref = ref.slice(0, at);
  const lastSlash = ref.lastIndexOf('/');
  const last = ref.slice(lastSlash + 1);
  const colon = last.indexOf(':');
  const repo = colon >= 0 ? ref.slice(0, lastSlash + 1 + colon) : ref;
  const path =
    repo.includes('/') && /[.:]|^localhost$/.test(repo.split('/')[0] ?? '')
      ? repo.slice(repo.indexOf('/') + 1)
      : repo;
  if (path === '' || /[A-Z]/.test(path)) return '';
  if (colon >= 0) return last.slice(colon + 1);
  return hasDigest ? '' : 'latest';
}

function defaultHTTPGet(handler: JsonObject | undefined): void {
  const http = rec(handler?.['httpGet']);
  if (!http) return;
  if (str(http['path']) === '') http['path'] = '/';
  if (str(http['scheme']) === '') http['scheme'] = 'HTTP';
}

function defaultProbe(value: unknown): void {
  const probe = rec(value);
  if (!probe) return;
  for (const [k, d] of [
    ['timeoutSeconds', 1],
    ['periodSeconds', 10],
    ['successThreshold', 1],
    ['failureThreshold', 3],
  ] as const)
    if (!probe[k]) probe[k] = d;
  defaultHTTPGet(probe);
  const grpc = rec(probe['grpc']);
  if (grpc && grpc['service'] === undefined) grpc['service'] = '';
}

function defaultFieldRef(value: unknown): void {
  const ref = rec(value);
  if (ref && str(ref['apiVersion']) === '') ref['apiVersion'] = 'v1';
}

function defaultResourceFieldRef(value: unknown): void {
  const ref = rec(value);
  if (!ref) return;
  if (!isSet(ref['divisor'])) ref['divisor'] = '0';
  else canonicalizeQuantity(ref, 'divisor');
}

/** SetDefaults_Container plus everything inside a container. */
export function defaultContainer(c: JsonObject): void {
  if (str(c['imagePullPolicy']) === '')
    c['imagePullPolicy'] = imageTag(str(c['image'])) === 'latest' ? 'Always' : 'IfNotPresent';
  if (str(c['terminationMessagePath']) === '') c['terminationMessagePath'] = '/dev/termination-log';
  if (str(c['terminationMessagePolicy']) === '') c['terminationMessagePolicy'] = 'File';
  for (const [p] of records(c['ports'])) if (str(p['protocol']) === '') p['protocol'] = 'TCP';
  for (const [e] of records(c['env'])) {
    const from = rec(e['valueFrom']);
    defaultFieldRef(from?.['fieldRef']);
    defaultResourceFieldRef(from?.['resourceFieldRef']);
  }
  if (!isSet(c['resources'])) c['resources'] = {};
  canonicalizeRequirements(c['resources']);
  defaultProbe(c['livenessProbe']);
  defaultProbe(c['readinessProbe']);
  defaultProbe(c['startupProbe']);
  const lc = rec(c['lifecycle']);
  defaultHTTPGet(rec(lc?.['postStart']));
  defaultHTTPGet(rec(lc?.['preStop']));
}

const VOLUME_SOURCE_KEYS = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
];

function defaultDownwardAPIItems(items: unknown): void {
  for (const [f] of records(items)) {
    defaultFieldRef(f['fieldRef']);
    defaultResourceFieldRef(f['resourceFieldRef']);
  }
}

/** SetDefaults_Volume and the defaults of each volume source. */
export function defaultVolume(v: JsonObject): void {
  if (!VOLUME_SOURCE_KEYS.some((k) => isSet(v[k]))) v['emptyDir'] = {};
  defaultVolumeSources(v);
}

/** Defaults of the volume sources present in a pod Volume or a PersistentVolumeSpec. */
export function defaultVolumeSources(v: JsonObject): void {
  for (const key of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const s = rec(v[key]);
    if (s && !isSet(s['defaultMode'])) s['defaultMode'] = 0o644;
  }
  const hostPath = rec(v['hostPath']);
  if (hostPath && !isSet(hostPath['type'])) hostPath['type'] = '';
  canonicalizeQuantity(rec(v['emptyDir']), 'sizeLimit');
  defaultDownwardAPIItems(rec(v['downwardAPI'])?.['items']);
  for (const [s] of records(rec(v['projected'])?.['sources'])) {
    defaultDownwardAPIItems(rec(s['downwardAPI'])?.['items']);
    const sat = rec(s['serviceAccountToken']);
    if (sat && !isSet(sat['expirationSeconds'])) sat['expirationSeconds'] = 3600;
  }
  const template = rec(rec(v['ephemeral'])?.['volumeClaimTemplate']);
  if (template) defaultPersistentVolumeClaimSpec(ensureRec(template, 'spec'));
  const image = rec(v['image']);
  if (image && str(image['pullPolicy']) === '')
    image['pullPolicy'] = imageTag(str(image['reference'])) === 'latest' ? 'Always' : 'IfNotPresent';
  for (const key of ['iscsi', 'rbd']) {
    const s = rec(v[key]);
    if (!s) continue;
    if (key === 'iscsi' && str(s['iscsiInterface']) === '') s['iscsiInterface'] = 'default';
    if (key === 'rbd') {
      if (str(s['pool']) === '') s['pool'] = 'rbd';
      if (str(s['user']) === '') s['user'] = 'admin';
      if (str(s['keyring']) === '') s['keyring'] = '/etc/ceph/keyring';
    }
  }
  const azureDisk = rec(v['azureDisk']);
  if (azureDisk) {
    if (!isSet(azureDisk['cachingMode'])) azureDisk['cachingMode'] = 'ReadWrite';
    if (!isSet(azureDisk['kind'])) azureDisk['kind'] = 'Shared';
    if (!isSet(azureDisk['fsType'])) azureDisk['fsType'] = 'ext4';
    if (!isSet(azureDisk['readOnly'])) azureDisk['readOnly'] = false;
  }
  const scaleIO = rec(v['scaleIO']);
  if (scaleIO) {
    if (str(scaleIO['storageMode']) === '') scaleIO['storageMode'] = 'ThinProvisioned';
    if (str(scaleIO['fsType']) === '') scaleIO['fsType'] = 'xfs';
  }
}

/** SetDefaults_PersistentVolumeClaimSpec and its resource lists. */
export function defaultPersistentVolumeClaimSpec(spec: JsonObject): void {
  if (!isSet(spec['volumeMode'])) spec['volumeMode'] = 'Filesystem';
  canonicalizeRequirements(spec['resources']);
}

/**
 * SetDefaults_PodSpec and nested defaults. Also the v1 conversion rules users see: the deprecated
 * `serviceAccount` mirrors `serviceAccountName`.
 */
export function defaultPodSpec(spec: JsonObject): void {
  if (str(spec['dnsPolicy']) === '') spec['dnsPolicy'] = 'ClusterFirst';
  if (str(spec['restartPolicy']) === '') spec['restartPolicy'] = 'Always';
  if (!isSet(spec['securityContext'])) spec['securityContext'] = {};
  if (!isSet(spec['terminationGracePeriodSeconds'])) spec['terminationGracePeriodSeconds'] = 30;
  if (str(spec['schedulerName']) === '') spec['schedulerName'] = 'default-scheduler';
  // v1 conversion: serviceAccount is an alias; serviceAccountName wins when both are set.
  const san = str(spec['serviceAccountName']);
  const sa = str(spec['serviceAccount']);
  if (san === '' && sa !== '') spec['serviceAccountName'] = sa;
  if (str(spec['serviceAccountName']) !== '') spec['serviceAccount'] = spec['serviceAccountName'];
  else delete spec['serviceAccount'];
  for (const [v] of records(spec['volumes'])) defaultVolume(v);
  for (const key of ['initContainers', 'containers', 'ephemeralContainers'])
    for (const [c] of records(spec[key])) defaultContainer(c);
  canonicalizeResourceList(spec, 'overhead');
}
