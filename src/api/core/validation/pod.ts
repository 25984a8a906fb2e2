/**
 * Pod validation: create, update (only a few spec fields may change), status updates, the
 * ephemeralcontainers and resize subresources, and pods/binding.
 */
import { fieldErrors, type FieldError } from '../../errors.js';
import { computePodQOS } from '../qos.js';
import { clone, deepEqual, isSet, num, rec, records, str, stringMap, type JsonObject } from '../util.js';
import {
  duplicateGo,
  immutable,
  invalidGo,
  ipFamilyOf,
  isDualStack,
  qualifiedName,
  dns1123Subdomain,
  validIP,
  inclusiveRangeError,
} from './common.js';
import { imageWhitespace } from './containers.js';
import { structDiff } from './diff.js';
import { quietResourceList } from './resources.js';
import { validateTolerations } from './scheduling.js';
import { validatePodSpec, validatePodSpecificAnnotations } from './podspec.js';

const MAX_INT32 = 2147483647;
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
const APPARMOR_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

/** The fields a pod update may change, in upstream's message. */
export const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function meta(pod: JsonObject): JsonObject {
  return rec(pod['metadata']) ?? {};
}

function spec(pod: JsonObject): JsonObject {
  return rec(pod['spec']) ?? {};
}

function status(pod: JsonObject): JsonObject {
  return rec(pod['status']) ?? {};
}

function validatePodMetadataAndSpec(pod: JsonObject): FieldError[] {
  const m = meta(pod);
  const s = spec(pod);
  const errs = validatePodSpecificAnnotations(m['annotations'], s, 'metadata.annotations');
  errs.push(...validatePodSpec(s, 'spec', { resourceIsPod: true, podName: str(m['name']) || undefined }));
  if (str(s['serviceAccountName']) === '') {
    for (const [vol, vi] of records(s['volumes'])) {
      const projected = rec(vol['projected']);
      if (!projected) continue;
      for (const [source, si] of records(projected['sources']))
        if (isSet(source['serviceAccountToken']))
          errs.push(
            fieldErrors.forbidden(
              `spec.volumes[${vi}].projected.sources[${si}].serviceAccountToken`,
              'must not be specified when serviceAccountName is not set',
            ),
          );
    }
  }
  for (const key of ['containers', 'initContainers'])
    for (const [c, i] of records(s[key])) errs.push(...imageWhitespace(c, `spec.${key}[${i}]`));
  return errs;
}

function seccompMatch(annotation: string, profile: JsonObject, path: string): FieldError | undefined {
  switch (str(profile['type'])) {
    case 'Unconfined':
      if (annotation !== 'unconfined')
        return fieldErrors.forbidden(`${path}.type`, 'seccomp type in annotation and field must match');
      break;
    case 'RuntimeDefault':
      if (annotation !== 'runtime/default' && annotation !== 'docker/default')
        return fieldErrors.forbidden(`${path}.type`, 'seccomp type in annotation and field must match');
      break;
    case 'Localhost':
      if (!annotation.startsWith('localhost/'))
        return fieldErrors.forbidden(`${path}.type`, 'seccomp type in annotation and field must match');
      if (annotation.slice('localhost/'.length) !== str(profile['localhostProfile']))
        return fieldErrors.forbidden(
          `${path}.localhostProfile`,
          'seccomp profile in annotation and field must match',
        );
  }
  return undefined;
}

function allContainers(s: JsonObject, path: string): [JsonObject, string][] {
  const out: [JsonObject, string][] = [];
  for (const key of ['initContainers', 'containers', 'ephemeralContainers'])
    for (const [c, i] of records(s[key])) out.push([c, `${path}.${key}[${i}]`]);
  return out;
}

/** Seccomp and AppArmor annotations must agree with the corresponding fields. */
export function validateSecurityAnnotationsMatchFields(
  metaValue: unknown,
  specValue: unknown,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const ann = stringMap(rec(metaValue)?.['annotations']);
  const s = rec(specValue) ?? {};
  const podSC = rec(s['securityContext']);
  const podSeccomp = rec(podSC?.['seccompProfile']);
  const podAnn = ann['seccomp.security.alpha.kubernetes.io/pod'];
  if (podSeccomp && podAnn !== undefined) {
    const e = seccompMatch(podAnn, podSeccomp, `${path}.securityContext.seccompProfile`);
    if (e) errs.push(e);
  }
  for (const [c, cp] of allContainers(s, path)) {
    const profile = rec(rec(c['securityContext'])?.['seccompProfile']);
    const a = ann[`container.seccomp.security.alpha.kubernetes.io/${str(c['name'])}`];
    if (profile && a !== undefined) {
      const e = seccompMatch(a, profile, `${cp}.securityContext.seccompProfile`);
      if (e) errs.push(e);
    }
  }
  if (str(rec(s['os'])?.['name']) === 'windows') return errs;
  const podAppArmor = rec(podSC?.['appArmorProfile']);
  for (const [c, cp] of allContainers(s, path)) {
    const profile = rec(rec(c['securityContext'])?.['appArmorProfile']) ?? podAppArmor;
    const a = ann[`${APPARMOR_PREFIX}${str(c['name'])}`];
    if (!profile || a === undefined) continue;
    const p = `${cp}.securityContext.appArmorProfile`;
    const type = str(profile['type']);
    const mismatch =
      (type === 'Unconfined' && a !== 'unconfined') ||
      (type === 'RuntimeDefault' && a !== 'runtime/default') ||
      (type === 'Localhost' && !a.startsWith('localhost/'));
    if (mismatch)
      errs.push(fieldErrors.forbidden(`${p}.type`, 'apparmor type in annotation and field must match'));
    else if (type === 'Localhost' && a.slice('localhost/'.length) !== str(profile['localhostProfile']))
      errs.push(
        fieldErrors.forbidden(`${p}.localhostProfile`, 'apparmor profile in annotation and field must match'),
      );
  }
  return errs;
}

/** Upstream's ValidatePodCreate (ObjectMeta aside). */
export function validatePodCreate(pod: JsonObject): FieldError[] {
  const errs = validatePodMetadataAndSpec(pod);
  const s = spec(pod);
  if (records(s['ephemeralContainers']).length > 0)
    errs.push(fieldErrors.forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  if (str(s['nodeName']) !== '' && records(s['schedulingGates']).length > 0)
    errs.push(
      fieldErrors.forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'),
    );
  errs.push(...validateSecurityAnnotationsMatchFields(meta(pod), s, 'spec'));
  return errs;
}

function validateAnnotationUpdates(pod: JsonObject, old: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const path = 'metadata.annotations';
  const n = stringMap(meta(pod)['annotations']);
  const o = stringMap(meta(old)['annotations']);
  for (const [k, ov] of Object.entries(o)) {
    if (k in n && n[k] === ov) continue;
    if (k.startsWith(APPARMOR_PREFIX))
      errs.push(fieldErrors.forbidden(`${path}[${k}]`, 'may not remove or update AppArmor annotations'));
    if (k === MIRROR_ANNOTATION)
      errs.push(fieldErrors.forbidden(`${path}[${k}]`, 'may not remove or update mirror pod annotation'));
  }
  for (const k of Object.keys(n)) {
    if (k in o) continue;
    if (k.startsWith(APPARMOR_PREFIX))
      errs.push(fieldErrors.forbidden(`${path}[${k}]`, 'may not add AppArmor annotations'));
    if (k === MIRROR_ANNOTATION)
      errs.push(fieldErrors.forbidden(`${path}[${k}]`, 'may not add mirror pod annotation'));
  }
  return errs;
}

function containerUpdates(n: unknown, o: unknown, path: string): { errs: FieldError[]; stop: boolean } {
  const nl = records(n);
  if (nl.length !== records(o).length)
    return {
      errs: [fieldErrors.forbidden(path, 'pod updates may not add or remove containers')],
      stop: true,
    };
  const errs: FieldError[] = [];
  for (const [c, i] of nl) {
    if (str(c['image']) === '') errs.push(fieldErrors.required(`${path}[${i}].image`));
    errs.push(...imageWhitespace(c, `${path}[${i}]`));
  }
  return { errs, stop: false };
}

function tolerationsOnlyAdded(n: unknown, o: unknown, path: string): FieldError[] {
  const newList = records(n).map(([t]) => t);
  for (const [old] of records(o)) {
    const found = newList.some((t) =>
      deepEqual({ ...old, tolerationSeconds: undefined }, { ...t, tolerationSeconds: undefined }),
    );
    if (!found)
      return [
        fieldErrors.forbidden(path, 'existing toleration can not be modified except its tolerationSeconds'),
      ];
  }
  return validateTolerations(n, path);
}

function nodeAffinityOf(s: JsonObject): JsonObject | undefined {
  return rec(rec(s['affinity'])?.['nodeAffinity']);
}

function termOnlyAdds(n: JsonObject, o: JsonObject): boolean {
  const oe = records(o['matchExpressions']).map(([e]) => e);
  const of = records(o['matchFields']).map(([e]) => e);
  const ne = records(n['matchExpressions']).map(([e]) => e);
  const nf = records(n['matchFields']).map(([e]) => e);
  if (oe.length === 0 && of.length === 0 && (ne.length > 0 || nf.length > 0)) return false;
  if (oe.length > 0 && (ne.length < oe.length || !deepEqual(ne.slice(0, oe.length), oe))) return false;
  if (of.length > 0 && (nf.length < of.length || !deepEqual(nf.slice(0, of.length), of))) return false;
  return true;
}

/** Gated pods may gain nodeSelector entries and node affinity requirements, nothing else. */
function gatedPodMutations(munged: JsonObject, old: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const newSel = stringMap(munged['nodeSelector']);
  const oldSel = stringMap(old['nodeSelector']);
  if (!deepEqual(munged['nodeSelector'], old['nodeSelector'])) {
    if (Object.entries(oldSel).some(([k, v]) => newSel[k] !== v))
      errs.push(
        fieldErrors.invalid(
          `${path}.nodeSelector`,
          newSel,
          'only additions to spec.nodeSelector are allowed (no mutations or deletions)',
        ),
      );
    munged['nodeSelector'] = old['nodeSelector'];
  }
  const oldNA = nodeAffinityOf(old);
  const newNA = nodeAffinityOf(munged);
  if (!deepEqual(oldNA, newNA)) {
    const naPath = `${path}.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`;
    const oldTerms = records(
      rec(oldNA?.['requiredDuringSchedulingIgnoredDuringExecution'])?.['nodeSelectorTerms'],
    );
    const newTerms = records(
      rec(newNA?.['requiredDuringSchedulingIgnoredDuringExecution'])?.['nodeSelectorTerms'],
    );
    if (oldTerms.length > 0 && oldTerms.length !== newTerms.length) {
      errs.push(
        fieldErrors.invalid(
          naPath,
          newTerms.map(([t]) => t),
          'no additions/deletions to non-empty NodeSelectorTerms list are allowed',
        ),
      );
    } else {
      oldTerms.forEach(([ot, i]) => {
        const nt = newTerms[i]?.[0] ?? {};
        if (!termOnlyAdds(nt, ot))
          errs.push(
            fieldErrors.invalid(
              `${naPath}[${i}]`,
              nt,
              'only additions are allowed (no mutations or deletions)',
            ),
          );
      });
    }
    const affinity = rec(munged['affinity']);
    if (!affinity) {
      if (oldNA) munged['affinity'] = { nodeAffinity: oldNA };
    } else if (
      !rec(old['affinity']) &&
      !isSet(affinity['podAffinity']) &&
      !isSet(affinity['podAntiAffinity'])
    ) {
      delete munged['affinity'];
    } else {
      munged['affinity'] = { ...affinity, nodeAffinity: oldNA };
    }
  }
  return errs;
}

/** Upstream's ValidatePodUpdate (ObjectMeta aside). */
export function validatePodUpdate(pod: JsonObject, old: JsonObject): FieldError[] {
  const errs = validatePodMetadataAndSpec(pod);
  errs.push(...validateAnnotationUpdates(pod, old));
  const ns = spec(pod);
  const os = spec(old);
  for (const key of ['containers', 'initContainers']) {
    const r = containerUpdates(ns[key], os[key], `spec.${key}`);
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  const newADS = num(ns['activeDeadlineSeconds']);
  const oldADS = num(os['activeDeadlineSeconds']);
  if (newADS !== undefined) {
    if (newADS < 0 || newADS > MAX_INT32) {
      errs.push(fieldErrors.invalid('spec.activeDeadlineSeconds', newADS, inclusiveRangeError(0, MAX_INT32)));
      return errs;
    }
    if (oldADS !== undefined && oldADS < newADS) {
      errs.push(
        fieldErrors.invalid(
          'spec.activeDeadlineSeconds',
          newADS,
          'must be less than or equal to previous value',
        ),
      );
      return errs;
    }
  } else if (oldADS !== undefined) {
    errs.push(
      fieldErrors.invalid(
        'spec.activeDeadlineSeconds',
        null,
        'must not update from a positive integer to nil value',
      ),
    );
  }
  errs.push(...tolerationsOnlyAdded(ns['tolerations'], os['tolerations'], 'spec.tolerations'));
  const oldGates = new Set(records(os['schedulingGates']).map(([g]) => str(g['name'])));
  for (const [g, i] of records(ns['schedulingGates'])) {
    const name = str(g['name']);
    if (!oldGates.has(name))
      errs.push(
        fieldErrors.forbidden(
          `spec.schedulingGates[${i}].name`,
          `only deletion is allowed, but found new scheduling gate '${name}'`,
        ),
      );
  }
  if (deepEqual(ns, os)) return errs;

  const munged = clone(ns);
  for (const key of ['containers', 'initContainers']) {
    const oldList = records(os[key]);
    records(munged[key]).forEach(([c], i) => {
      const oc = oldList[i]?.[0];
      if (oc) c['image'] = oc['image'];
    });
  }
  munged['activeDeadlineSeconds'] = os['activeDeadlineSeconds'];
  munged['schedulingGates'] = os['schedulingGates'];
  munged['tolerations'] = os['tolerations'];
  const oldTGPS = num(os['terminationGracePeriodSeconds']);
  if (oldTGPS !== undefined && oldTGPS < 0 && num(munged['terminationGracePeriodSeconds']) === 1)
    munged['terminationGracePeriodSeconds'] = oldTGPS;
  if (records(os['schedulingGates']).length > 0) errs.push(...gatedPodMutations(munged, os, 'spec'));
  if (!deepEqual(munged, os))
    errs.push(
      fieldErrors.forbidden(
        'spec',
        `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${structDiff('core.PodSpec', os, munged)}`,
      ),
    );
  return errs;
}

function terminated(s: JsonObject): boolean {
  return isSet(rec(s['state'])?.['terminated']);
}

function stateTransitions(
  newStatuses: unknown,
  oldStatuses: unknown,
  path: string,
  restartPolicy: string,
  restartable: (name: string) => boolean = () => false,
): FieldError[] {
  if (restartPolicy === 'Always') return [];
  const errs: FieldError[] = [];
  const news = records(newStatuses).map(([s]) => s);
  for (const [o, i] of records(oldStatuses)) {
    if (!terminated(o)) continue;
    const exit = num(rec(rec(o['state'])?.['terminated'])?.['exitCode']) ?? 0;
    if (exit !== 0 && restartPolicy === 'OnFailure') continue;
    if (restartable(str(o['name']))) continue;
    for (const n of news)
      if (str(n['name']) === str(o['name']) && !terminated(n))
        errs.push(
          fieldErrors.forbidden(`${path}[${i}].state`, 'may not be transitioned to non-terminated state'),
        );
  }
  return errs;
}

function validateIPList(list: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const entries = records(list);
  for (const [e, i] of entries) errs.push(...validIP(str(e['ip']), `${path}[${i}]`));
  if (entries.length > 1) {
    const ips = entries.map(([e]) => str(e['ip']));
    const typeName = path.endsWith('hostIPs') ? 'core.HostIP' : 'core.PodIP';
    if (!isDualStack(ips) || ips.length > 2)
      errs.push(
        invalidGo(
          path,
          `[]${typeName}{${ips.map((ip) => `${typeName}{IP:${JSON.stringify(ip)}}`).join(', ')}}`,
          'may specify no more than one IP for each IP family',
        ),
      );
    const seen = new Set<string>();
    ips.forEach((ip, i) => {
      if (seen.has(ip)) errs.push(duplicateGo(`${path}[${i}]`, `${typeName}{IP:${JSON.stringify(ip)}}`));
      seen.add(ip);
    });
  }
  return errs;
}

/** Upstream's ValidatePodStatusUpdate (ObjectMeta aside). */
export function validatePodStatusUpdate(pod: JsonObject, old: JsonObject): FieldError[] {
  const errs = validateAnnotationUpdates(pod, old);
  errs.push(...validatePodSpecificAnnotations(meta(pod)['annotations'], spec(pod), 'metadata.annotations'));
  const st = status(pod);
  const ost = status(old);
  const system = new Set(['PodScheduled', 'Ready', 'Initialized']);
  for (const [c, i] of records(st['conditions'])) {
    const type = str(c['type']);
    if (!system.has(type)) errs.push(...qualifiedName(type, `metadata.conditions[${i}].Type`));
  }
  if (str(spec(pod)['nodeName']) !== str(spec(old)['nodeName']))
    errs.push(fieldErrors.forbidden('status.nodeName', 'may not be changed directly'));
  const nominated = str(st['nominatedNodeName']);
  if (nominated !== str(ost['nominatedNodeName']) && nominated !== '')
    errs.push(...dns1123Subdomain(nominated, 'status.nominatedNodeName'));
  errs.push(...immutable(st['qosClass'], ost['qosClass'], 'status.qosClass'));
  const oldSpec = spec(old);
  const rp = str(oldSpec['restartPolicy']);
  errs.push(
    ...stateTransitions(st['containerStatuses'], ost['containerStatuses'], 'status.containerStatuses', rp),
  );
  const sidecars = new Set(
    records(oldSpec['initContainers'])
      .filter(([c]) => c['restartPolicy'] === 'Always')
      .map(([c]) => str(c['name'])),
  );
  errs.push(
    ...stateTransitions(
      st['initContainerStatuses'],
      ost['initContainerStatuses'],
      'status.initContainerStatuses',
      rp,
      (n) => sidecars.has(n),
    ),
  );
  errs.push(
    ...stateTransitions(
      st['ephemeralContainerStatuses'],
      ost['ephemeralContainerStatuses'],
      'status.ephemeralContainerStatuses',
      'Never',
    ),
  );
  const claims = new Set(records(spec(pod)['resourceClaims']).map(([c]) => str(c['name'])));
  const seenClaims = new Set<string>();
  for (const [c, i] of records(st['resourceClaimStatuses'])) {
    const name = str(c['name']);
    if (!claims.has(name))
      errs.push(
        fieldErrors.invalid(
          `status.resourceClaimStatuses[${i}].name`,
          name,
          'must match the name of an entry in `spec.resourceClaims`',
        ),
      );
    if (seenClaims.has(name))
      errs.push(fieldErrors.duplicate(`status.resourceClaimStatuses[${i}].name`, name));
    seenClaims.add(name);
  }
  errs.push(...validateIPList(st['podIPs'], 'status.podIPs'));
  const hostIPs = records(st['hostIPs']);
  if (hostIPs.length > 0) {
    const first = str(hostIPs[0]?.[0]['ip']);
    if (str(st['hostIP']) !== first)
      errs.push(fieldErrors.invalid('status.hostIPs[0].ip', first, 'must be equal to `hostIP`'));
    errs.push(...validateIPList(st['hostIPs'], 'status.hostIPs'));
  }
  return errs;
}

/** Ephemeral containers may be added through the subresource; existing ones never change. */
export function validatePodEphemeralContainersUpdate(pod: JsonObject, old: JsonObject): FieldError[] {
  const errs = validatePodMetadataAndSpec(pod);
  errs.push(...validateAnnotationUpdates(pod, old));
  if (MIRROR_ANNOTATION in stringMap(meta(old)['annotations']))
    return [fieldErrors.forbidden('', 'static pods do not support ephemeral containers')];
  const byName = new Map(
    records(spec(pod)['ephemeralContainers']).map(([c]) => [str(c['name']), c] as const),
  );
  for (const [o] of records(spec(old)['ephemeralContainers'])) {
    const name = str(o['name']);
    const n = byName.get(name);
    if (!n)
      errs.push(
        fieldErrors.forbidden(
          'spec.ephemeralContainers',
          `existing ephemeral containers ${JSON.stringify(name)} may not be removed\n`,
        ),
      );
    else if (!deepEqual(o, n))
      errs.push(
        fieldErrors.forbidden(
          'spec.ephemeralContainers',
          `existing ephemeral containers ${JSON.stringify(name)} may not be changed\n${structDiff('core.EphemeralContainer', o, n)}`,
        ),
      );
  }
  return errs;
}

function resourcesRemoved(n: unknown, o: unknown): boolean {
  const nm = rec(n) ?? {};
  return Object.keys(rec(o) ?? {}).some((k) => !(k in nm));
}

/** In-place resize: only cpu and memory requests and limits of containers (and sidecars) may change. */
export function validatePodResize(pod: JsonObject, old: JsonObject): FieldError[] {
  const errs = validatePodMetadataAndSpec(pod);
  const ns = spec(pod);
  const os = spec(old);
  if (MIRROR_ANNOTATION in stringMap(meta(old)['annotations']))
    return [fieldErrors.forbidden('', 'static pods cannot be resized')];
  if (str(rec(os['os'])?.['name']) === 'windows')
    return [fieldErrors.forbidden('', 'windows pods cannot be resized')];
  const oldQOS = str(status(old)['qosClass']) || computePodQOS(os);
  if (oldQOS !== computePodQOS(ns))
    errs.push(
      fieldErrors.invalid(
        'spec',
        status(pod)['qosClass'] ?? '',
        'Pod QOS Class may not change as a result of resizing',
      ),
    );
  const check = (key: string, filter: (c: JsonObject) => boolean): void => {
    const newList = records(ns[key]);
    records(os[key]).forEach(([oc, i]) => {
      const nc = newList[i]?.[0];
      if (!nc || !filter(oc)) return;
      const p = `spec.${key}[${i}].resources`;
      const nr = rec(nc['resources']) ?? {};
      const or = rec(oc['resources']) ?? {};
      if (resourcesRemoved(nr['requests'], or['requests']))
        errs.push(fieldErrors.forbidden(`${p}.requests`, 'resource requests cannot be removed'));
      if (resourcesRemoved(nr['limits'], or['limits']))
        errs.push(fieldErrors.forbidden(`${p}.limits`, 'resource limits cannot be removed'));
      const memPolicy = str(
        records(nc['resizePolicy']).find(([r]) => str(r['resourceName']) === 'memory')?.[0]['restartPolicy'],
      );
      if (memPolicy === 'NotRequired' || memPolicy === '') {
        const nl = quietResourceList(nr['limits']).get('memory');
        const ol = quietResourceList(or['limits']).get('memory');
        if (nl && ol && nl.cmp(ol) < 0)
          errs.push(
            fieldErrors.forbidden(
              `${p}.limits[memory]`,
              'memory limits cannot be decreased unless resizePolicy is RestartContainer',
            ),
          );
        else if (nl && !ol)
          errs.push(
            fieldErrors.forbidden(
              `${p}.limits[memory]`,
              'memory limits cannot be added unless resizePolicy is RestartContainer',
            ),
          );
      }
    });
  };
  check('containers', () => true);
  check('initContainers', (c) => c['restartPolicy'] === 'Always');
  if (errs.length) return errs;
  const strip = (s: JsonObject): JsonObject => {
    const c = clone(s);
    for (const key of ['containers', 'initContainers'])
      for (const [ctr] of records(c[key])) {
        if (key === 'initContainers' && ctr['restartPolicy'] !== 'Always') continue;
        const res = rec(ctr['resources']);
        for (const side of ['requests', 'limits']) {
          const list = rec(res?.[side]);
          if (list) {
            delete list['cpu'];
            delete list['memory'];
          }
        }
        delete ctr['resizePolicy'];
      }
    return c;
  };
  if (!deepEqual(strip(ns), strip(os)))
    errs.push(fieldErrors.forbidden('spec', 'only cpu and memory resources are mutable'));
  return errs;
}

/** Upstream's ValidatePodBinding. */
export function validatePodBinding(binding: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const target = rec(binding['target']) ?? {};
  const kind = str(target['kind']);
  if (kind !== '' && kind !== 'Node')
    errs.push(fieldErrors.notSupported('target.kind', kind, ['Node', '<empty>']));
  if (str(target['name']) === '') errs.push(fieldErrors.required('target.name'));
  return errs;
}

/** True for a valid IP of either family (re-exported for strategies). */
export function isIP(value: string): boolean {
  return ipFamilyOf(value) !== undefined;
}
