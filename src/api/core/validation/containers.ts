/**
 * Container validation: names, images, ports, env, mounts, probes, lifecycle hooks, resources and
 * security context, for regular, init (including sidecar) and ephemeral containers.
 */
import { fieldErrors, type FieldError } from '../../errors.js';
import { isValidPortName, isValidPortNum } from '../../validation/names.js';
import { arr, isSet, isZero, num, rec, records, str, type JsonObject } from '../util.js';
import {
  dns1123Label,
  dns1123Subdomain,
  isConfigMapKey,
  isHTTPHeaderName,
  isRelaxedEnvVarName,
  localDescendingPath,
  nonNegative,
  pathNoBacksteps,
} from './common.js';
import {
  ENV_FIELD_PATHS,
  validateObjectFieldSelector,
  validateResourceFieldSelector,
} from './downwardapi.js';
import { validateResourceRequirements } from './resources.js';
import { validateContainerSecurityContext } from './securitycontext.js';
import { validatePullPolicy } from './volumes.js';

export const SUPPORTED_PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

/** What container validation needs to know about the pod around it. */
export interface ContainerContext {
  /** Volumes that validated, by name. */
  volumes: Map<string, JsonObject>;
  podClaimNames: ReadonlySet<string>;
  /** spec.terminationGracePeriodSeconds, when set. */
  gracePeriod: number | undefined;
  podRestartPolicy: string;
  hostUsers: boolean;
}

function validatePorts(ports: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  for (const [port, i] of records(ports)) {
    const p = `${path}[${i}]`;
    const name = str(port['name']);
    if (name !== '') {
      const msgs = isValidPortName(name);
      if (msgs.length) for (const m of msgs) errs.push(fieldErrors.invalid(`${p}.name`, name, m));
      else if (names.has(name)) errs.push(fieldErrors.duplicate(`${p}.name`, name));
      else names.add(name);
    }
    const cp = num(port['containerPort']) ?? 0;
    if (cp === 0) errs.push(fieldErrors.required(`${p}.containerPort`));
    else for (const m of isValidPortNum(cp)) errs.push(fieldErrors.invalid(`${p}.containerPort`, cp, m));
    const hp = num(port['hostPort']) ?? 0;
    if (hp !== 0) for (const m of isValidPortNum(hp)) errs.push(fieldErrors.invalid(`${p}.hostPort`, hp, m));
    const proto = str(port['protocol']);
    if (proto === '') errs.push(fieldErrors.required(`${p}.protocol`));
    else if (!SUPPORTED_PORT_PROTOCOLS.includes(proto))
      errs.push(fieldErrors.notSupported(`${p}.protocol`, proto, SUPPORTED_PORT_PROTOCOLS));
  }
  return errs;
}

function validateKeySelector(s: JsonObject, path: string): FieldError[] {
  const errs = dns1123Subdomain(str(s['name']), `${path}.name`);
  const key = str(s['key']);
  if (key === '') errs.push(fieldErrors.required(`${path}.key`));
  else for (const m of isConfigMapKey(key)) errs.push(fieldErrors.invalid(`${path}.key`, key, m));
  return errs;
}

/** A container's `env`. */
export function validateEnv(env: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [ev, i] of records(env)) {
    const p = `${path}[${i}]`;
    const name = str(ev['name']);
    if (name === '') errs.push(fieldErrors.required(`${p}.name`));
    else for (const m of isRelaxedEnvVarName(name)) errs.push(fieldErrors.invalid(`${p}.name`, name, m));
    const from = rec(ev['valueFrom']);
    if (!from) continue;
    const fp = `${p}.valueFrom`;
    let sources = 0;
    const fieldRef = rec(from['fieldRef']);
    if (fieldRef) {
      sources++;
      errs.push(...validateObjectFieldSelector(fieldRef, ENV_FIELD_PATHS, `${fp}.fieldRef`));
    }
    const resRef = rec(from['resourceFieldRef']);
    if (resRef) {
      sources++;
      errs.push(...validateResourceFieldSelector(resRef, `${fp}.resourceFieldRef`, false));
    }
    for (const key of ['configMapKeyRef', 'secretKeyRef']) {
      const sel = rec(from[key]);
      if (!sel) continue;
      sources++;
      errs.push(...validateKeySelector(sel, `${fp}.${key}`));
    }
    if (sources === 0)
      errs.push(
        fieldErrors.invalid(
          fp,
          '',
          'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
        ),
      );
    else if (str(ev['value']) !== '')
      errs.push(fieldErrors.invalid(fp, '', 'may not be specified when `value` is not empty'));
    else if (sources > 1)
      errs.push(fieldErrors.invalid(fp, '', 'may not have more than one field specified at a time'));
  }
  return errs;
}

function prefixNameErrors(name: string, field: string): FieldError[] {
  const masked = name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
  return dns1123Subdomain(masked, field).map((e) => ({ ...e, badValue: name }));
}

/** A container's `envFrom`. */
export function validateEnvFrom(envFrom: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [ef, i] of records(envFrom)) {
    const p = `${path}[${i}]`;
    const prefix = str(ef['prefix']);
    if (prefix !== '')
      for (const m of isRelaxedEnvVarName(prefix)) errs.push(fieldErrors.invalid(`${p}.prefix`, prefix, m));
    let sources = 0;
    for (const key of ['configMapRef', 'secretRef']) {
      const ref = rec(ef[key]);
      if (!ref) continue;
      sources++;
      const name = str(ref['name']);
      if (name === '') errs.push(fieldErrors.required(`${p}.${key}.name`));
      else errs.push(...prefixNameErrors(name, `${p}.${key}.name`));
    }
    if (sources === 0)
      errs.push(fieldErrors.invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1)
      errs.push(fieldErrors.invalid(path, '', 'may not have more than one field specified at a time'));
  }
  return errs;
}

function validateVolumeMounts(ctr: JsonObject, ctx: ContainerContext, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const devices = new Map<string, string>();
  for (const [d] of records(ctr['volumeDevices'])) devices.set(str(d['name']), str(d['devicePath']));
  const devicePaths = new Set(devices.values());
  const mountPoints = new Set<string>();
  const privileged = rec(ctr['securityContext'])?.['privileged'] === true;
  for (const [m, i] of records(ctr['volumeMounts'])) {
    const p = `${path}[${i}]`;
    const name = str(m['name']);
    const mountPath = str(m['mountPath']);
    if (name === '') errs.push(fieldErrors.required(`${p}.name`));
    if (!ctx.volumes.has(name)) errs.push(fieldErrors.notFound(`${p}.name`, name));
    if (mountPath === '') errs.push(fieldErrors.required(`${p}.mountPath`));
    if (mountPoints.has(mountPath))
      errs.push(fieldErrors.invalid(`${p}.mountPath`, mountPath, 'must be unique'));
    mountPoints.add(mountPath);
    if (devices.has(name))
      errs.push(fieldErrors.invalid(`${p}.name`, name, 'must not already exist in volumeDevices'));
    if (devicePaths.has(mountPath))
      errs.push(
        fieldErrors.invalid(`${p}.mountPath`, mountPath, 'must not already exist as a path in volumeDevices'),
      );
    const subPath = str(m['subPath']);
    const subPathExpr = str(m['subPathExpr']);
    if (isSet(ctx.volumes.get(name)?.['image'])) {
      if (subPath !== '')
        errs.push(fieldErrors.invalid(`${p}.subPath`, subPath, 'not allowed in image volume sources'));
      if (subPathExpr !== '')
        errs.push(
          fieldErrors.invalid(`${p}.subPathExpr`, subPathExpr, 'not allowed in image volume sources'),
        );
    }
    if (subPath !== '') errs.push(...localDescendingPath(subPath, `${path}.subPath`));
    if (subPathExpr !== '') {
      if (subPath !== '')
        errs.push(
          fieldErrors.invalid(
            `${p}.subPathExpr`,
            subPathExpr,
            'subPathExpr and subPath are mutually exclusive',
          ),
        );
      errs.push(...localDescendingPath(subPathExpr, `${path}.subPathExpr`));
    }
    const prop = m['mountPropagation'];
    if (typeof prop === 'string') {
      const supported = ['Bidirectional', 'HostToContainer', 'None'];
      if (!supported.includes(prop))
        errs.push(fieldErrors.notSupported(`${path}.mountPropagation`, prop, supported));
      if (prop === 'Bidirectional' && !privileged)
        errs.push(
          fieldErrors.forbidden(
            `${path}.mountPropagation`,
            'Bidirectional mount propagation is available only to privileged containers',
          ),
        );
    }
    const rro = m['recursiveReadOnly'];
    if (typeof rro === 'string') {
      const f = `${path}.recursiveReadOnly`;
      if (rro === 'Enabled' || rro === 'IfPossible') {
        if (m['readOnly'] !== true)
          errs.push(fieldErrors.forbidden(f, 'may only be specified when readOnly is true'));
        if (typeof prop === 'string' && prop !== 'None')
          errs.push(
            fieldErrors.forbidden(f, 'may only be specified when mountPropagation is None or not specified'),
          );
      } else if (rro !== 'Disabled') {
        errs.push(fieldErrors.notSupported(f, rro, ['Disabled', 'Enabled', 'IfPossible']));
      }
    }
  }
  return errs;
}

function validateVolumeDevices(ctr: JsonObject, ctx: ContainerContext, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const mounts = new Map<string, string>();
  for (const [m] of records(ctr['volumeMounts'])) mounts.set(str(m['name']), str(m['mountPath']));
  const mountPaths = new Set(mounts.values());
  const devPaths = new Set<string>();
  const devNames = new Set<string>();
  for (const [d, i] of records(ctr['volumeDevices'])) {
    const p = `${path}[${i}]`;
    const name = str(d['name']);
    const devPath = str(d['devicePath']);
    const vol = ctx.volumes.get(name);
    const isPVC = vol !== undefined && (isSet(vol['persistentVolumeClaim']) || isSet(vol['ephemeral']));
    if (name === '') errs.push(fieldErrors.required(`${p}.name`));
    if (devNames.has(name)) errs.push(fieldErrors.invalid(`${p}.name`, name, 'must be unique'));
    if (vol && !isPVC)
      errs.push(
        fieldErrors.invalid(
          `${p}.name`,
          name,
          'can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode',
        ),
      );
    if (!vol) errs.push(fieldErrors.notFound(`${p}.name`, name));
    if (devPath === '') errs.push(fieldErrors.required(`${p}.devicePath`));
    if (devPaths.has(devPath)) errs.push(fieldErrors.invalid(`${p}.devicePath`, devPath, 'must be unique'));
    if (devPath !== '' && pathNoBacksteps(devPath, '').length > 0)
      errs.push(fieldErrors.invalid(`${p}.devicePath`, devPath, "can not contain backsteps ('..')"));
    else devPaths.add(devPath);
    if (mounts.has(name))
      errs.push(fieldErrors.invalid(`${p}.name`, name, 'must not already exist in volumeMounts'));
    if (mountPaths.has(devPath))
      errs.push(
        fieldErrors.invalid(`${p}.devicePath`, devPath, 'must not already exist as a path in volumeMounts'),
      );
    if (name !== '') devNames.add(name);
  }
  return errs;
}

function validatePortNumOrName(port: unknown, field: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => fieldErrors.invalid(field, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => fieldErrors.invalid(field, port, m));
  return [fieldErrors.internal(field, `unknown type: ${typeof port}`)];
}

type HandlerKind = 'probe' | 'lifecycle';

function validateHandler(
  h: JsonObject,
  kind: HandlerKind,
  gracePeriod: number | undefined,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const keys =
    kind === 'probe' ? ['exec', 'httpGet', 'tcpSocket', 'grpc'] : ['exec', 'httpGet', 'tcpSocket', 'sleep'];
  const ordered = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'].filter((k) => keys.includes(k));
  let count = 0;
  for (const key of ordered) {
    if (!isSet(h[key])) continue;
    if (count > 0) {
      errs.push(fieldErrors.forbidden(`${path}.${key}`, 'may not specify more than 1 handler type'));
      continue;
    }
    count++;
    const a = rec(h[key]) ?? {};
    const p = `${path}.${key}`;
    switch (key) {
      case 'exec':
        if (arr(a['command']).length === 0) errs.push(fieldErrors.required(`${p}.command`));
        break;
      case 'httpGet': {
        if (str(a['path']) === '') errs.push(fieldErrors.required(`${p}.path`));
        errs.push(...validatePortNumOrName(a['port'], `${p}.port`));
        const scheme = str(a['scheme']);
        if (scheme !== 'HTTP' && scheme !== 'HTTPS')
          errs.push(fieldErrors.notSupported(`${p}.scheme`, scheme, ['HTTP', 'HTTPS']));
        for (const [hdr] of records(a['httpHeaders'])) {
          const n = str(hdr['name']);
          for (const m of isHTTPHeaderName(n)) errs.push(fieldErrors.invalid(`${p}.httpHeaders`, n, m));
        }
        break;
      }
      case 'tcpSocket':
        errs.push(...validatePortNumOrName(a['port'], `${p}.port`));
        break;
      case 'grpc':
        errs.push(...validatePortNumOrName(num(a['port']) ?? 0, `${p}.port`));
        break;
      case 'sleep': {
        const seconds = num(a['seconds']) ?? 0;
        if (gracePeriod !== undefined && (seconds < 0 || seconds > gracePeriod))
          errs.push(
            fieldErrors.invalid(
              p,
              seconds,
              `must be non-negative and less than terminationGracePeriodSeconds (${gracePeriod})`,
            ),
          );
        break;
      }
    }
  }
  if (count === 0) errs.push(fieldErrors.required(path, 'must specify a handler type'));
  return errs;
}

function validateProbe(
  value: unknown,
  which: 'liveness' | 'readiness' | 'startup',
  gp: number | undefined,
  path: string,
): FieldError[] {
  const probe = rec(value);
  if (!probe) return [];
  const errs = validateHandler(probe, 'probe', gp, path);
  for (const k of [
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
  ])
    errs.push(...nonNegative(num(probe[k]), `${path}.${k}`));
  const tgps = num(probe['terminationGracePeriodSeconds']);
  if (tgps !== undefined && tgps <= 0)
    errs.push(fieldErrors.invalid(`${path}.terminationGracePeriodSeconds`, tgps, 'must be greater than 0'));
  if (which !== 'readiness') {
    const st = num(probe['successThreshold']) ?? 0;
    if (st !== 1) errs.push(fieldErrors.invalid(`${path}.successThreshold`, st, 'must be 1'));
  } else if (isSet(probe['terminationGracePeriodSeconds'])) {
    errs.push(
      fieldErrors.invalid(
        `${path}.terminationGracePeriodSeconds`,
        probe['terminationGracePeriodSeconds'],
        'must not be set for readinessProbes',
      ),
    );
  }
  return errs;
}

function validateLifecycle(value: unknown, gp: number | undefined, path: string): FieldError[] {
  const lc = rec(value);
  if (!lc) return [];
  const errs: FieldError[] = [];
  for (const hook of ['postStart', 'preStop']) {
    const h = rec(lc[hook]);
    if (h) errs.push(...validateHandler(h, 'lifecycle', gp, `${path}.${hook}`));
  }
  return errs;
}

/** Lifecycle and the three probes, allowed on regular containers and sidecars. */
function validateProbesAndLifecycle(ctr: JsonObject, gp: number | undefined, path: string): FieldError[] {
  return [
    ...validateLifecycle(ctr['lifecycle'], gp, `${path}.lifecycle`),
    ...validateProbe(ctr['livenessProbe'], 'liveness', gp, `${path}.livenessProbe`),
    ...validateProbe(ctr['readinessProbe'], 'readiness', gp, `${path}.readinessProbe`),
    ...validateProbe(ctr['startupProbe'], 'startup', gp, `${path}.startupProbe`),
  ];
}

function validateResizePolicy(value: unknown, podRestartPolicy: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  for (const [p, i] of records(value)) {
    const name = str(p['resourceName']);
    const policy = str(p['restartPolicy']);
    if (seen.has(name)) errs.push(fieldErrors.duplicate(`${path}[${i}]`, name));
    seen.add(name);
    if (name === '') errs.push(fieldErrors.required(path));
    else if (name !== 'cpu' && name !== 'memory')
      errs.push(fieldErrors.notSupported(path, name, ['cpu', 'memory']));
    if (policy === '') errs.push(fieldErrors.required(path));
    else if (policy !== 'NotRequired' && policy !== 'RestartContainer')
      errs.push(fieldErrors.notSupported(path, policy, ['NotRequired', 'RestartContainer']));
    if (podRestartPolicy === 'Never' && policy !== 'NotRequired')
      errs.push(fieldErrors.invalid(path, policy, "must be 'NotRequired' when `restartPolicy` is 'Never'"));
  }
  return errs;
}

/** Checks every container kind shares (upstream's validateContainerCommon). */
function validateContainerCommon(ctr: JsonObject, ctx: ContainerContext, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(ctr['name']);
  if (name === '') errs.push(fieldErrors.required(`${path}.name`));
  else errs.push(...dns1123Label(name, `${path}.name`));
  if (str(ctr['image']) === '') errs.push(fieldErrors.required(`${path}.image`));
  const tmp = str(ctr['terminationMessagePolicy']);
  if (tmp === '') errs.push(fieldErrors.required(`${path}.terminationMessagePolicy`));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError')
    errs.push(
      fieldErrors.notSupported(`${path}.terminationMessagePolicy`, tmp, ['File', 'FallbackToLogsOnError']),
    );
  errs.push(...validatePorts(ctr['ports'], `${path}.ports`));
  errs.push(...validateEnv(ctr['env'], `${path}.env`));
  errs.push(...validateEnvFrom(ctr['envFrom'], `${path}.envFrom`));
  errs.push(...validateVolumeMounts(ctr, ctx, `${path}.volumeMounts`));
  errs.push(...validateVolumeDevices(ctr, ctx, `${path}.volumeDevices`));
  errs.push(...validatePullPolicy(ctr['imagePullPolicy'], `${path}.imagePullPolicy`));
  errs.push(
    ...validateResourceRequirements(ctr['resources'], `${path}.resources`, {
      podClaimNames: ctx.podClaimNames,
    }),
  );
  errs.push(...validateResizePolicy(ctr['resizePolicy'], ctx.podRestartPolicy, `${path}.resizePolicy`));
  errs.push(
    ...validateContainerSecurityContext(ctr['securityContext'], `${path}.securityContext`, ctx.hostUsers),
  );
  return errs;
}

/** Host ports must not collide (protocol, hostIP, port). */
function hostPortConflicts(containers: [JsonObject, number][], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach(([ctr], ci) => {
    for (const [port, pi] of records(ctr['ports'])) {
      const hp = num(port['hostPort']) ?? 0;
      if (hp === 0) continue;
      const key = `${str(port['protocol'])}/${str(port['hostIP'])}/${hp}`;
      if (seen.has(key)) errs.push(fieldErrors.duplicate(`${path}[${ci}].ports[${pi}].hostPort`, key));
      else seen.add(key);
    }
  });
  return errs;
}

/** Regular containers (upstream's validateContainers). */
export function validateContainers(value: unknown, ctx: ContainerContext, path: string): FieldError[] {
  const containers = records(value);
  if (containers.length === 0) return [fieldErrors.required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  for (const [ctr, i] of containers) {
    const p = `${path}[${i}]`;
    errs.push(...validateContainerCommon(ctr, ctx, p));
    const name = str(ctr['name']);
    if (names.has(name)) errs.push(fieldErrors.duplicate(`${p}.name`, name));
    else names.add(name);
    errs.push(...validateProbesAndLifecycle(ctr, ctx.gracePeriod, p));
    if (isSet(ctr['restartPolicy']))
      errs.push(fieldErrors.forbidden(`${p}.restartPolicy`, 'may not be set for non-init containers'));
  }
  errs.push(...hostPortConflicts(containers, path));
  return errs;
}

/** Init containers; those with restartPolicy Always are sidecars and may have probes and hooks. */
export function validateInitContainers(
  value: unknown,
  regular: unknown,
  ctx: ContainerContext,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set(records(regular).map(([c]) => str(c['name'])));
  for (const [ctr, i] of records(value)) {
    const p = `${path}[${i}]`;
    errs.push(...validateContainerCommon(ctr, ctx, p));
    let restartAlways = false;
    const rp = ctr['restartPolicy'];
    if (typeof rp === 'string') {
      if (rp !== 'Always') errs.push(fieldErrors.notSupported(`${p}.restartPolicy`, rp, ['Always']));
      restartAlways = rp === 'Always';
    }
    const name = str(ctr['name']);
    if (names.has(name)) errs.push(fieldErrors.duplicate(`${p}.name`, name));
    else if (name !== '') names.add(name);
    errs.push(...hostPortConflicts([[ctr, 0]], path));
    if (restartAlways) {
      errs.push(...validateProbesAndLifecycle(ctr, ctx.gracePeriod, p));
    } else {
      for (const key of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'])
        if (isSet(ctr[key]))
          errs.push(
            fieldErrors.forbidden(
              `${p}.${key}`,
              'may not be set for init containers without restartPolicy=Always',
            ),
          );
    }
  }
  return errs;
}

const EPHEMERAL_FORBIDDEN_FIELDS = [
  'ports',
  'resources',
  'resizePolicy',
  'restartPolicy',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle',
];

/** Ephemeral containers (debug containers added through the ephemeralcontainers subresource). */
export function validateEphemeralContainers(
  value: unknown,
  containers: unknown,
  initContainers: unknown,
  ctx: ContainerContext,
  path: string,
): FieldError[] {
  const list = records(value);
  if (list.length === 0) return [];
  const errs: FieldError[] = [];
  const other = new Set([...records(containers), ...records(initContainers)].map(([c]) => str(c['name'])));
  const all = new Set(other);
  for (const [ec, i] of list) {
    const p = `${path}[${i}]`;
    errs.push(...validateContainerCommon(ec, ctx, p));
    errs.push(...imageWhitespace(ec, p));
    const name = str(ec['name']);
    if (all.has(name)) errs.push(fieldErrors.duplicate(`${p}.name`, name));
    else all.add(name);
    const target = str(ec['targetContainerName']);
    if (target !== '' && !other.has(target))
      errs.push(fieldErrors.notFound(`${p}.targetContainerName`, target));
    for (const key of EPHEMERAL_FORBIDDEN_FIELDS)
      if (!isZero(ec[key]))
        errs.push(fieldErrors.forbidden(`${p}.${key}`, 'cannot be set for an Ephemeral Container'));
    for (const [vm, j] of records(ec['volumeMounts'])) {
      if (str(vm['subPath']) !== '')
        errs.push(
          fieldErrors.forbidden(
            `${p}.volumeMounts[${j}].subPath`,
            'cannot be set for an Ephemeral Container',
          ),
        );
      if (str(vm['subPathExpr']) !== '')
        errs.push(
          fieldErrors.forbidden(
            `${p}.volumeMounts[${j}].subPathExpr`,
            'cannot be set for an Ephemeral Container',
          ),
        );
    }
  }
  return errs;
}

/** Pods only (not templates): the image may not carry surrounding whitespace. */
export function imageWhitespace(ctr: JsonObject, path: string): FieldError[] {
  const image = str(ctr['image']);
  return image.trim() !== image
    ? [fieldErrors.invalid(`${path}.image`, image, 'must not have leading or trailing whitespace')]
    : [];
}
