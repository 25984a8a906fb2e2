/**
 * Pod and container security contexts: user and group IDs, seccomp and AppArmor profiles, sysctls,
 * Windows options.
 */
import { fieldErrors, type FieldError } from '../../errors.js';
import { isDNS1123Subdomain } from '../../validation/names.js';
import { arr, num, rec, records, str, type JsonObject } from '../util.js';
import { inclusiveRangeError, localDescendingPath } from './common.js';

const MAX_ID = 4294967295;

function idErrors(value: unknown, field: string): FieldError[] {
  const v = num(value);
  if (v === undefined) return [];
  return v < 0 || v > MAX_ID ? [fieldErrors.invalid(field, v, inclusiveRangeError(0, MAX_ID))] : [];
}

/** seccompProfile: a known type; localhostProfile exactly when Localhost. */
export function validateSeccompProfile(value: unknown, path: string): FieldError[] {
  const sp = rec(value);
  if (!sp) return [];
  const errs: FieldError[] = [];
  const type = str(sp['type']);
  const types = ['Localhost', 'RuntimeDefault', 'Unconfined'];
  if (type === '')
    errs.push(fieldErrors.required(`${path}.type`, 'type is required when seccompProfile is set'));
  else if (!types.includes(type)) errs.push(fieldErrors.notSupported(`${path}.type`, type, types));
  const local = sp['localhostProfile'];
  if (type === 'Localhost') {
    if (typeof local !== 'string')
      errs.push(
        fieldErrors.required(`${path}.localhostProfile`, 'must be set when seccomp type is Localhost'),
      );
    else errs.push(...localDescendingPath(local, `${path}.localhostProfile`));
  } else if (typeof local === 'string') {
    errs.push(
      fieldErrors.invalid(`${path}.localhostProfile`, sp, 'can only be set when seccomp type is Localhost'),
    );
  }
  return errs;
}

/** appArmorProfile: a known type; localhostProfile exactly when Localhost. */
export function validateAppArmorProfile(value: unknown, path: string): FieldError[] {
  const p = rec(value);
  if (!p) return [];
  const errs: FieldError[] = [];
  const type = str(p['type']);
  const local = p['localhostProfile'];
  switch (type) {
    case 'Localhost':
      if (typeof local !== 'string') {
        errs.push(
          fieldErrors.required(`${path}.localhostProfile`, 'must be set when AppArmor type is Localhost'),
        );
      } else {
        if (local.trim() !== local)
          errs.push(
            fieldErrors.invalid(`${path}.localhostProfile`, local, 'must not be padded with whitespace'),
          );
        else if (local === '')
          errs.push(
            fieldErrors.required(`${path}.localhostProfile`, 'must be set when AppArmor type is Localhost'),
          );
        if (local.length > 4095)
          errs.push({
            type: 'FieldValueTooLong',
            field: `${path}.localhostProfile`,
            detail: 'may not be more than 4095 bytes',
          });
      }
      break;
    case 'RuntimeDefault':
    case 'Unconfined':
      if (typeof local === 'string')
        errs.push(
          fieldErrors.invalid(
            `${path}.localhostProfile`,
            local,
            'can only be set when AppArmor type is Localhost',
          ),
        );
      break;
    case '':
      errs.push(fieldErrors.required(`${path}.type`, 'type is required when appArmorProfile is set'));
      break;
    default:
      errs.push(
        fieldErrors.notSupported(`${path}.type`, type, ['Localhost', 'RuntimeDefault', 'Unconfined']),
      );
  }
  return errs;
}

const NETBIOS_RE = /^[^\\/:*?"<>|.][^\\/:*?"<>|]{0,14}$/;
const WIN_DNS_RE =
  /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** windowsOptions: GMSA credential spec and runAsUserName rules. */
export function validateWindowsOptions(value: unknown, path: string): FieldError[] {
  const w = rec(value);
  if (!w) return [];
  const errs: FieldError[] = [];
  const gmsaName = w['gmsaCredentialSpecName'];
  if (typeof gmsaName === 'string')
    for (const m of isDNS1123Subdomain(gmsaName))
      errs.push(fieldErrors.invalid(`${path}.gmsaCredentialSpecName`, gmsaName, m));
  const gmsa = w['gmsaCredentialSpec'];
  if (typeof gmsa === 'string') {
    if (gmsa.length === 0)
      errs.push(
        fieldErrors.invalid(
          `${path}.gmsaCredentialSpec`,
          gmsa,
          'gmsaCredentialSpec cannot be an empty string',
        ),
      );
    else if (gmsa.length > 64 * 1024)
      errs.push(
        fieldErrors.invalid(
          `${path}.gmsaCredentialSpec`,
          gmsa,
          'gmsaCredentialSpec size must be under 64 KiB',
        ),
      );
  }
  const user = w['runAsUserName'];
  if (typeof user === 'string') {
    const f = `${path}.runAsUserName`;
    const parts = user.split('\\');
    if (user.length === 0) errs.push(fieldErrors.invalid(f, user, 'runAsUserName cannot be an empty string'));
    // eslint-disable-next-line no-control-regex
    else if (/[\x00-\x1f\x7f]/.test(user))
      errs.push(fieldErrors.invalid(f, user, 'runAsUserName cannot contain control characters'));
    else if (parts.length > 2)
      errs.push(fieldErrors.invalid(f, user, 'runAsUserName cannot contain more than one backslash'));
    else {
      const hasDomain = parts.length === 2;
      const domain = hasDomain ? (parts[0] ?? '') : '';
      const u = hasDomain ? (parts[1] ?? '') : (parts[0] ?? '');
      if (domain.length >= 256)
        errs.push(fieldErrors.invalid(f, user, "runAsUserName's Domain length must be under 256 characters"));
      if (hasDomain && !(NETBIOS_RE.test(domain) || WIN_DNS_RE.test(domain)))
        errs.push(
          fieldErrors.invalid(f, user, "runAsUserName's Domain doesn't match the NetBios nor the DNS format"),
        );
      if (u.length === 0) errs.push(fieldErrors.invalid(f, user, "runAsUserName's User cannot be empty"));
      else if (u.length > 104)
        errs.push(
          fieldErrors.invalid(f, user, "runAsUserName's User length must not be longer than 104 characters"),
        );
      if (/^[. ]+$/.test(u))
        errs.push(fieldErrors.invalid(f, user, "runAsUserName's User cannot contain only periods or spaces"));
      if (/["/\\:;|=,+*?<>@[\]]/.test(u))
        errs.push(
          fieldErrors.invalid(
            f,
            user,
            `runAsUserName's User cannot contain the following characters: "/\\:;|=,+*?<>@[]`,
          ),
        );
    }
  }
  return errs;
}

/** A container's securityContext. `hostUsers` is false when the pod uses a user namespace. */
export function validateContainerSecurityContext(
  value: unknown,
  path: string,
  hostUsers: boolean,
): FieldError[] {
  const sc = rec(value);
  if (!sc) return [];
  const errs: FieldError[] = [];
  errs.push(...idErrors(sc['runAsUser'], `${path}.runAsUser`));
  errs.push(...idErrors(sc['runAsGroup'], `${path}.runAsGroup`));
  const procMount = sc['procMount'];
  if (typeof procMount === 'string') {
    if (procMount !== 'Default' && procMount !== 'Unmasked')
      errs.push(fieldErrors.notSupported(`${path}.procMount`, procMount, ['Default', 'Unmasked']));
    if (hostUsers && procMount === 'Unmasked')
      errs.push(
        fieldErrors.invalid(`${path}.procMount`, procMount, '`hostUsers` must be false to use `Unmasked`'),
      );
  }
  errs.push(...validateSeccompProfile(sc['seccompProfile'], `${path}.seccompProfile`));
  if (sc['allowPrivilegeEscalation'] === false) {
    if (sc['privileged'] === true)
      errs.push(
        fieldErrors.invalid(
          path,
          sc,
          'cannot set `allowPrivilegeEscalation` to false and `privileged` to true',
        ),
      );
    for (const cap of arr(rec(sc['capabilities'])?.['add']))
      if (cap === 'CAP_SYS_ADMIN')
        errs.push(
          fieldErrors.invalid(
            path,
            sc,
            'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN',
          ),
        );
  }
  errs.push(...validateWindowsOptions(sc['windowsOptions'], `${path}.windowsOptions`));
  errs.push(...validateAppArmorProfile(sc['appArmorProfile'], `${path}.appArmorProfile`));
  return errs;
}

const SYSCTL_SEGMENT = '[a-z0-9]([-_a-z0-9]*[a-z0-9])?';
const SYSCTL_FMT = `(${SYSCTL_SEGMENT}[\\./])*${SYSCTL_SEGMENT}`;
const SYSCTL_RE = new RegExp(`^${SYSCTL_FMT}$`);

/** The namespace a sysctl belongs to ('net', 'ipc' or none), per upstream's sysctl tables. */
function sysctlNamespace(name: string): 'net' | 'ipc' | undefined {
  const n = name.replace(/\//g, '.');
  if (n.startsWith('net.')) return 'net';
  if (['kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced'].includes(n))
    return 'ipc';
  if (n.startsWith('kernel.msg') || n.startsWith('fs.mqueue.')) return 'ipc';
  return undefined;
}

/** A pod's securityContext (the spec-level fields it carries: hostNetwork, hostPID, hostIPC). */
export function validatePodSecurityContext(spec: JsonObject, path: string): FieldError[] {
  const sc = rec(spec['securityContext']);
  if (!sc) return [];
  const errs: FieldError[] = [];
  errs.push(...idErrors(sc['fsGroup'], `${path}.fsGroup`));
  errs.push(...idErrors(sc['runAsUser'], `${path}.runAsUser`));
  errs.push(...idErrors(sc['runAsGroup'], `${path}.runAsGroup`));
  arr(sc['supplementalGroups']).forEach((g, i) =>
    errs.push(...idErrors(g, `${path}.supplementalGroups[${i}]`)),
  );
  if (spec['shareProcessNamespace'] === true && spec['hostPID'] === true)
    errs.push(
      fieldErrors.invalid(
        `${path}.shareProcessNamespace`,
        true,
        'ShareProcessNamespace and HostPID cannot both be enabled',
      ),
    );
  const names = new Set<string>();
  for (const [s, i] of records(sc['sysctls'])) {
    const p = `${path}.sysctls[${i}].name`;
    const name = str(s['name']);
    if (name === '') errs.push(fieldErrors.required(p));
    else if (name.length > 253 || !SYSCTL_RE.test(name))
      errs.push(
        fieldErrors.invalid(p, name, `must have at most 253 characters and match regex ^${SYSCTL_FMT}$`),
      );
    else if (names.has(name)) errs.push(fieldErrors.duplicate(p, name));
    const ns = sysctlNamespace(name);
    if (spec['hostNetwork'] === true && ns === 'net')
      errs.push(fieldErrors.invalid(p, name, "may not be specified when 'hostNetwork' is true"));
    else if (spec['hostIPC'] === true && ns === 'ipc')
      errs.push(fieldErrors.invalid(p, name, "may not be specified when 'hostIPC' is true"));
    names.add(name);
  }
  const fsgcp = sc['fsGroupChangePolicy'];
  if (typeof fsgcp === 'string' && fsgcp !== 'Always' && fsgcp !== 'OnRootMismatch')
    errs.push(fieldErrors.notSupported(`${path}.fsGroupChangePolicy`, fsgcp, ['Always', 'OnRootMismatch']));
  errs.push(...validateSeccompProfile(sc['seccompProfile'], `${path}.seccompProfile`));
  errs.push(...validateWindowsOptions(sc['windowsOptions'], `${path}.windowsOptions`));
  errs.push(...validateAppArmorProfile(sc['appArmorProfile'], `${path}.appArmorProfile`));
  const sgp = sc['supplementalGroupsPolicy'];
  if (typeof sgp === 'string' && sgp !== 'Merge' && sgp !== 'Strict')
    errs.push(fieldErrors.notSupported(`${path}.supplementalGroupsPolicy`, sgp, ['Merge', 'Strict']));
  const selinux = sc['seLinuxChangePolicy'];
  if (typeof selinux === 'string' && selinux !== 'MountOption' && selinux !== 'Recursive')
    errs.push(fieldErrors.notSupported(`${path}.seLinuxChangePolicy`, selinux, ['MountOption', 'Recursive']));
  return errs;
}
