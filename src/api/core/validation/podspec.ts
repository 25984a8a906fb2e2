/**
 * PodSpec validation (upstream's ValidatePodSpec), shared by Pods and every pod template.
 */
import { fieldErrors, type FieldError } from '../../errors.js';
import { validateLabels } from '../../validation/objectmeta.js';
import { isDNS1123Label } from '../../validation/names.js';
import { goStringSlice, isSet, num, rec, records, str, strings, type JsonObject } from '../util.js';
import {
  dns1123Label,
  dns1123Subdomain,
  inclusiveRangeError,
  invalidGo,
  qualifiedName,
  validIP,
} from './common.js';
import {
  validateContainers,
  validateEphemeralContainers,
  validateInitContainers,
  type ContainerContext,
} from './containers.js';
import { podClaimNames, validateResourceRequirements } from './resources.js';
import { validateAffinity, validateTolerations, validateTopologySpreadConstraints } from './scheduling.js';
import { validatePodSecurityContext } from './securitycontext.js';
import { validateVolumes } from './volumes.js';

export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
export const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const MAX_INT32 = 2147483647;

export interface PodSpecValidationOptions {
  /** The spec belongs to a Pod, not a template (host ports must then equal container ports with hostNetwork). */
  resourceIsPod?: boolean;
  /** The pod's name, for generic ephemeral volume claim names. */
  podName?: string;
}

function visitContainers(spec: JsonObject, path: string, fn: (c: JsonObject, p: string) => void): void {
  for (const key of ['initContainers', 'containers', 'ephemeralContainers'])
    for (const [c, i] of records(spec[key])) fn(c, `${path}.${key}[${i}]`);
}

function validateRestartPolicy(value: unknown, path: string): FieldError[] {
  const p = str(value);
  if (p === '') return [fieldErrors.required(path)];
  return RESTART_POLICIES.includes(p) ? [] : [fieldErrors.notSupported(path, p, RESTART_POLICIES)];
}

function validateDNSPolicy(value: unknown, path: string): FieldError[] {
  const p = str(value);
  if (p === '') return [fieldErrors.required(path)];
  return DNS_POLICIES.includes(p) ? [] : [fieldErrors.notSupported(path, p, DNS_POLICIES)];
}

const SUBDOMAIN_US_FMT = '_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?(\\._?[a-z0-9]([-_a-z0-9]*[a-z0-9])?)*';
const SUBDOMAIN_US_RE = new RegExp(`^${SUBDOMAIN_US_FMT}$`);

function subdomainWithUnderscore(value: string, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (value.length > 253) errs.push(fieldErrors.invalid(field, value, 'must be no more than 253 characters'));
  if (!SUBDOMAIN_US_RE.test(value))
    errs.push(
      fieldErrors.invalid(
        field,
        value,
        `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${SUBDOMAIN_US_FMT}')`,
      ),
    );
  return errs;
}

function validateDNSConfig(spec: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const cfg = rec(spec['dnsConfig']);
  if (str(spec['dnsPolicy']) === 'None') {
    if (!cfg) return [fieldErrors.required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (strings(cfg['nameservers']).length === 0)
      return [
        fieldErrors.required(
          `${path}.nameservers`,
          'must provide at least one DNS nameserver when `dnsPolicy` is None',
        ),
      ];
  }
  if (!cfg) return errs;
  const ns = strings(cfg['nameservers']);
  if (ns.length > 3)
    errs.push(invalidGo(`${path}.nameservers`, goStringSlice(ns), 'must not have more than 3 nameservers'));
  ns.forEach((n, i) => errs.push(...validIP(n, `${path}.nameservers[${i}]`)));
  const searches = strings(cfg['searches']);
  if (searches.length > 32)
    errs.push(
      invalidGo(`${path}.searches`, goStringSlice(searches), 'must not have more than 32 search paths'),
    );
  if (searches.join(' ').length > 2048)
    errs.push(
      invalidGo(
        `${path}.searches`,
        goStringSlice(searches),
        'must not have more than 2048 characters (including spaces) in the search list',
      ),
    );
  searches.forEach((s, i) => {
    if (s !== '.') errs.push(...subdomainWithUnderscore(s.replace(/\.$/, ''), `${path}.searches[${i}]`));
  });
  for (const [o, i] of records(cfg['options']))
    if (str(o['name']) === '') errs.push(fieldErrors.required(`${path}.options[${i}]`, 'must not be empty'));
  return errs;
}

function validateHostNetworkDeps(spec: JsonObject, path: string, resourceIsPod: boolean): FieldError[] {
  if (spec['hostNetwork'] !== true) return [];
  const errs: FieldError[] = [];
  for (const [c, i] of records(spec['containers']))
    for (const [port, j] of records(c['ports'])) {
      const hp = num(port['hostPort']) ?? 0;
      const cp = num(port['containerPort']) ?? 0;
      if ((resourceIsPod || hp !== 0) && hp !== cp)
        errs.push(
          fieldErrors.invalid(
            `${path}.containers[${i}].ports[${j}].hostPort`,
            hp,
            'must match `containerPort` when `hostNetwork` is true',
          ),
        );
    }
  return errs;
}

function validateHostUsers(spec: JsonObject, path: string): FieldError[] {
  if (rec(spec['securityContext'])?.['hostUsers'] !== false) return [];
  const errs: FieldError[] = [];
  if (spec['hostNetwork'] === true)
    errs.push(fieldErrors.forbidden(`${path}.hostNetwork`, 'when `pod.Spec.HostUsers` is false'));
  if (spec['hostPID'] === true)
    errs.push(fieldErrors.forbidden(`${path}.HostPID`, 'when `pod.Spec.HostUsers` is false'));
  if (spec['hostIPC'] === true)
    errs.push(fieldErrors.forbidden(`${path}.HostIPC`, 'when `pod.Spec.HostUsers` is false'));
  return errs;
}

function validateWindowsHostProcess(spec: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const podHP = rec(rec(spec['securityContext'])?.['windowsOptions'])?.['hostProcess'];
  let count = 0;
  let hpCount = 0;
  visitContainers(spec, path, (c, p) => {
    count++;
    const ctrHP = rec(rec(c['securityContext'])?.['windowsOptions'])?.['hostProcess'];
    if (typeof podHP === 'boolean' && typeof ctrHP === 'boolean' && podHP !== ctrHP)
      errs.push(
        fieldErrors.invalid(
          `${p}.securityContext.windowsOptions.hostProcess`,
          ctrHP,
          `pod hostProcess value must be identical if both are specified, was ${podHP}`,
        ),
      );
    if (ctrHP === true || (ctrHP === undefined && podHP === true)) hpCount++;
  });
  if (hpCount > 0) {
    if (hpCount !== count)
      errs.push(
        fieldErrors.invalid(
          path,
          '',
          'If pod contains any hostProcess containers then all containers must be HostProcess containers',
        ),
      );
    if (spec['hostNetwork'] !== true)
      errs.push(
        fieldErrors.invalid(
          `${path}.hostNetwork`,
          false,
          'hostNetwork must be true if pod contains any hostProcess containers',
        ),
      );
  }
  return errs;
}

function validateOS(spec: JsonObject, path: string): FieldError[] {
  const os = rec(spec['os']);
  if (!os) return [];
  const p = `${path}.os`;
  const name = str(os['name']);
  if (name === '') return [fieldErrors.required(`${p}.name`, 'cannot be empty')];
  if (name !== 'linux' && name !== 'windows')
    return [fieldErrors.notSupported(p, name, ['linux', 'windows'])];
  const errs: FieldError[] = [];
  const sc = rec(spec['securityContext']);
  if (name === 'linux') {
    if (isSet(sc?.['windowsOptions']))
      errs.push(
        fieldErrors.forbidden(
          `${path}.securityContext.windowsOptions`,
          'windows options cannot be set for a linux pod',
        ),
      );
    visitContainers(spec, path, (c, cp) => {
      if (isSet(rec(c['securityContext'])?.['windowsOptions']))
        errs.push(
          fieldErrors.forbidden(
            `${cp}.securityContext.windowsOptions`,
            'windows options cannot be set for a linux pod',
          ),
        );
    });
    return errs;
  }
  const forbid = (f: string): void =>
    void errs.push(fieldErrors.forbidden(f, 'cannot be set for a windows pod'));
  if (sc) {
    const scp = `${path}.securityContext`;
    if (isSet(sc['appArmorProfile'])) forbid(`${scp}.appArmorProfile`);
    if (isSet(sc['seLinuxOptions'])) forbid(`${scp}.seLinuxOptions`);
    if (isSet(sc['hostUsers'])) forbid(`${path}.hostUsers`);
    if (isSet(sc['seccompProfile'])) forbid(`${scp}.seccompProfile`);
    if (isSet(sc['fsGroup'])) forbid(`${scp}.fsGroup`);
    if (isSet(sc['fsGroupChangePolicy'])) forbid(`${scp}.fsGroupChangePolicy`);
    if (records(sc['sysctls']).length > 0) forbid(`${scp}.sysctls`);
    if (isSet(sc['runAsUser'])) forbid(`${scp}.runAsUser`);
    if (isSet(sc['runAsGroup'])) forbid(`${scp}.runAsGroup`);
    if (isSet(sc['supplementalGroups'])) forbid(`${scp}.supplementalGroups`);
    if (isSet(sc['supplementalGroupsPolicy'])) forbid(`${scp}.supplementalGroupsPolicy`);
    if (isSet(sc['seLinuxChangePolicy'])) forbid(`${scp}.seLinuxChangePolicy`);
  }
  if (spec['hostPID'] === true) forbid(`${path}.hostPID`);
  if (spec['hostIPC'] === true) forbid(`${path}.hostIPC`);
  if (isSet(spec['shareProcessNamespace'])) forbid(`${path}.shareProcessNamespace`);
  visitContainers(spec, path, (c, cp) => {
    const csc = rec(c['securityContext']);
    if (!csc) return;
    for (const k of [
      'appArmorProfile',
      'seLinuxOptions',
      'seccompProfile',
      'capabilities',
      'readOnlyRootFilesystem',
      'privileged',
      'allowPrivilegeEscalation',
      'procMount',
      'runAsUser',
      'runAsGroup',
    ])
      if (isSet(csc[k])) forbid(`${cp}.securityContext.${k}`);
  });
  return errs;
}

function validateResourceClaims(spec: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  for (const [c, i] of records(spec['resourceClaims'])) {
    const p = `${path}[${i}]`;
    const name = str(c['name']);
    if (name === '') errs.push(fieldErrors.required(`${p}.name`));
    else if (names.has(name)) errs.push(fieldErrors.duplicate(`${p}.name`, name));
    else {
      errs.push(...dns1123Label(name, `${p}.name`));
      names.add(name);
    }
    const claimName = c['resourceClaimName'];
    const templateName = c['resourceClaimTemplateName'];
    if (typeof claimName === 'string' && typeof templateName === 'string')
      errs.push(
        fieldErrors.invalid(
          p,
          c,
          'at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified',
        ),
      );
    if (typeof claimName !== 'string' && typeof templateName !== 'string')
      errs.push(
        fieldErrors.invalid(p, c, 'must specify one of: `resourceClaimName`, `resourceClaimTemplateName`'),
      );
    if (typeof claimName === 'string') errs.push(...dns1123Subdomain(claimName, `${p}.resourceClaimName`));
    if (typeof templateName === 'string')
      errs.push(...dns1123Subdomain(templateName, `${p}.resourceClaimTemplateName`));
  }
  return errs;
}

/** Upstream's ValidatePodSpec. */
export function validatePodSpec(
  specValue: unknown,
  path: string,
  opts: PodSpecValidationOptions = {},
): FieldError[] {
  const spec = rec(specValue) ?? {};
  const errs: FieldError[] = [];
  const gp = num(spec['terminationGracePeriodSeconds']);
  if (!isSet(spec['terminationGracePeriodSeconds']))
    errs.push(fieldErrors.required(`${path}.terminationGracePeriodSeconds`));
  const hostUsers = rec(spec['securityContext'])?.['hostUsers'] !== false;

  const { volumes, errors } = validateVolumes(spec['volumes'], `${path}.volumes`, {
    resourceIsPod: opts.resourceIsPod,
    podName: opts.podName,
  });
  errs.push(...errors);
  errs.push(...validateResourceClaims(spec, `${path}.resourceClaims`));
  const ctx: ContainerContext = {
    volumes,
    podClaimNames: podClaimNames(spec),
    gracePeriod: gp,
    podRestartPolicy: str(spec['restartPolicy']),
    hostUsers,
  };
  errs.push(...validateContainers(spec['containers'], ctx, `${path}.containers`));
  errs.push(
    ...validateInitContainers(spec['initContainers'], spec['containers'], ctx, `${path}.initContainers`),
  );
  errs.push(
    ...validateEphemeralContainers(
      spec['ephemeralContainers'],
      spec['containers'],
      spec['initContainers'],
      ctx,
      `${path}.ephemeralContainers`,
    ),
  );
  errs.push(...validateHostNetworkDeps(spec, path, opts.resourceIsPod === true));
  errs.push(...validateRestartPolicy(spec['restartPolicy'], `${path}.restartPolicy`));
  errs.push(...validateDNSPolicy(spec['dnsPolicy'], `${path}.dnsPolicy`));
  errs.push(...validateLabels(spec['nodeSelector'], `${path}.nodeSelector`));
  errs.push(...validatePodSecurityContext(spec, `${path}.securityContext`));
  records(spec['imagePullSecrets']).forEach(([s, i]) => {
    if (Object.keys(s).some((k) => k !== 'name'))
      errs.push(fieldErrors.invalid(`${path}.imagePullSecrets[${i}]`, s, 'only name may be set'));
  });
  errs.push(...validateAffinity(spec['affinity'], `${path}.affinity`));
  errs.push(...validateDNSConfig(spec, `${path}.dnsConfig`));
  for (const [g, i] of records(spec['readinessGates']))
    errs.push(...qualifiedName(str(g['conditionType']), `${path}.readinessGates[${i}].conditionType`));
  const gates = new Set<string>();
  for (const [g, i] of records(spec['schedulingGates'])) {
    const name = str(g['name']);
    errs.push(...qualifiedName(name, `${path}.schedulingGates[${i}]`));
    if (gates.has(name)) errs.push(fieldErrors.duplicate(`${path}.schedulingGates[${i}]`, name));
    gates.add(name);
  }
  errs.push(
    ...validateTopologySpreadConstraints(
      spec['topologySpreadConstraints'],
      `${path}.topologySpreadConstraints`,
    ),
  );
  errs.push(...validateWindowsHostProcess(spec, path));
  errs.push(...validateHostUsers(spec, path));

  const sa = str(spec['serviceAccountName']);
  if (sa !== '') errs.push(...dns1123Subdomain(sa, `${path}.serviceAccountName`));
  const nodeName = str(spec['nodeName']);
  if (nodeName !== '') errs.push(...dns1123Subdomain(nodeName, `${path}.nodeName`));
  const ads = num(spec['activeDeadlineSeconds']);
  if (ads !== undefined && (ads < 1 || ads > MAX_INT32))
    errs.push(fieldErrors.invalid(`${path}.activeDeadlineSeconds`, ads, inclusiveRangeError(1, MAX_INT32)));
  const hostname = str(spec['hostname']);
  if (hostname !== '') errs.push(...dns1123Label(hostname, `${path}.hostname`));
  const subdomain = str(spec['subdomain']);
  if (subdomain !== '') errs.push(...dns1123Label(subdomain, `${path}.subdomain`));
  errs.push(...validateTolerations(spec['tolerations'], `${path}.tolerations`));
  for (const [ha, i] of records(spec['hostAliases'])) {
    errs.push(...validIP(str(ha['ip']), `${path}.hostAliases[${i}].ip`));
    strings(ha['hostnames']).forEach((h, j) =>
      errs.push(...dns1123Subdomain(h, `${path}.hostAliases[${i}].hostnames[${j}]`)),
    );
  }
  const pcn = str(spec['priorityClassName']);
  if (pcn !== '') errs.push(...dns1123Subdomain(pcn, `${path}.priorityClassName`));
  const rcn = spec['runtimeClassName'];
  if (typeof rcn === 'string') errs.push(...dns1123Subdomain(rcn, `${path}.runtimeClassName`));
  const pp = spec['preemptionPolicy'];
  if (typeof pp === 'string') {
    if (pp === '') errs.push(fieldErrors.required(`${path}.preemptionPolicy`));
    else if (pp !== 'PreemptLowerPriority' && pp !== 'Never')
      errs.push(fieldErrors.notSupported(`${path}.preemptionPolicy`, pp, ['PreemptLowerPriority', 'Never']));
  }
  if (isSet(spec['overhead']))
    errs.push(...validateResourceRequirements({ limits: spec['overhead'] }, `${path}.overhead`));
  errs.push(...validateOS(spec, path));
  return errs;
}

const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';
const APPARMOR_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

function validSeccompAnnotation(p: string, field: string): FieldError[] {
  if (p === 'runtime/default' || p === 'docker/default' || p === 'unconfined') return [];
  if (p.startsWith('localhost/')) {
    const rest = p.slice('localhost/'.length);
    const errs: FieldError[] = [];
    if (rest.startsWith('/')) errs.push(fieldErrors.invalid(field, rest, 'must be a relative path'));
    if (rest.split('/').includes('..')) errs.push(fieldErrors.invalid(field, rest, "must not contain '..'"));
    return errs;
  }
  return [fieldErrors.invalid(field, p, 'must be a valid seccomp profile')];
}

/** Annotations with meaning for pods: mirror pods, tolerations, deletion cost, seccomp, AppArmor. */
export function validatePodSpecificAnnotations(
  annotationsValue: unknown,
  specValue: unknown,
  path: string,
): FieldError[] {
  const ann = rec(annotationsValue) ?? {};
  const spec = rec(specValue) ?? {};
  const errs: FieldError[] = [];
  const mirror = ann['kubernetes.io/config.mirror'];
  if (typeof mirror === 'string' && str(spec['nodeName']) === '')
    errs.push(
      fieldErrors.invalid(
        `${path}[kubernetes.io/config.mirror]`,
        mirror,
        'must set spec.nodeName if mirror pod annotation is set',
      ),
    );
  const tolerations = ann['scheduler.alpha.kubernetes.io/tolerations'];
  if (typeof tolerations === 'string' && tolerations !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(tolerations);
    } catch (err) {
      errs.push(fieldErrors.invalid(path, 'scheduler.alpha.kubernetes.io/tolerations', String(err)));
    }
    if (Array.isArray(parsed))
      errs.push(...validateTolerations(parsed, `${path}.scheduler.alpha.kubernetes.io/tolerations`));
  }
  const cost = ann['controller.kubernetes.io/pod-deletion-cost'];
  if (typeof cost === 'string') {
    const n = /^[+-]?[0-9]+$/.test(cost) ? Number(cost) : NaN;
    if (!Number.isInteger(n) || n < -MAX_INT32 - 1 || n > MAX_INT32)
      errs.push(
        fieldErrors.invalid(
          `${path}[controller.kubernetes.io/pod-deletion-cost]`,
          cost,
          'must be a 32bit integer',
        ),
      );
  }
  for (const [k, v] of Object.entries(ann)) {
    if (typeof v !== 'string') continue;
    if (k === SECCOMP_POD_ANNOTATION || k.startsWith(SECCOMP_CONTAINER_PREFIX))
      errs.push(...validSeccompAnnotation(v, `${path}.${k}`));
    if (k.startsWith(APPARMOR_PREFIX)) {
      const container = k.slice(APPARMOR_PREFIX.length);
      let found = false;
      visitContainers(spec, 'spec', (c) => {
        if (str(c['name']) === container) found = true;
      });
      if (!found) errs.push(fieldErrors.invalid(`${path}[${k}]`, container, 'container not found'));
      if (v !== '' && v !== 'runtime/default' && v !== 'unconfined' && !v.startsWith('localhost/'))
        errs.push(
          fieldErrors.invalid(`${path}[${k}]`, v, `invalid AppArmor profile name: ${JSON.stringify(v)}`),
        );
    }
  }
  return errs;
}

/** Pod-name warning upstream sends when the name is not a DNS label. */
export function podNameWarnings(name: string): string[] {
  const msgs = isDNS1123Label(name);
  if (msgs.length === 0) return [];
  return [
    `metadata.name: this is used in the Pod's hostname, which can result in surprising behavior; a DNS label is recommended: [${msgs.join(' ')}]`,
  ];
}
