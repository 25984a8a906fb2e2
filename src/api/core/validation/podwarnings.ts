/**
 * Warnings (sent as `Warning` headers) for pods and pod templates that are valid but probably not
 * what the user meant: deprecated node labels and volume plugins, fractional byte quantities,
 * duplicate env vars and ports, non-functional annotations.
 */
import { Quantity } from '../../quantity.js';
import { rec, records, str, stringMap, type JsonObject } from '../util.js';

const DEPRECATED_NODE_LABELS: Readonly<Record<string, string>> = {
  'beta.kubernetes.io/arch': 'deprecated since v1.14; use "kubernetes.io/arch" instead',
  'beta.kubernetes.io/os': 'deprecated since v1.14; use "kubernetes.io/os" instead',
  'failure-domain.beta.kubernetes.io/region':
    'deprecated since v1.17; use "topology.kubernetes.io/region" instead',
  'failure-domain.beta.kubernetes.io/zone':
    'deprecated since v1.17; use "topology.kubernetes.io/zone" instead',
  'beta.kubernetes.io/instance-type':
    'deprecated since v1.17; use "node.kubernetes.io/instance-type" instead',
};

const DEPRECATED_ANNOTATIONS: Readonly<Record<string, string>> = {
  'scheduler.alpha.kubernetes.io/critical-pod':
    'non-functional in v1.16+; use the "priorityClassName" field instead',
  'security.alpha.kubernetes.io/sysctls': 'non-functional in v1.11+; use the "sysctls" field instead',
  'security.alpha.kubernetes.io/unsafe-sysctls': 'non-functional in v1.11+; use the "sysctls" field instead',
};

const DEPRECATED_VOLUMES: [string, string, string][] = [
  ['photonPersistentDisk', 'photonPersistentDisk', 'deprecated in v1.11, non-functional in v1.16+'],
  ['gitRepo', 'gitRepo', 'deprecated in v1.11'],
  ['scaleIO', 'scaleIO', 'deprecated in v1.16, non-functional in v1.22+'],
  ['flocker', 'flocker', 'deprecated in v1.22, non-functional in v1.25+'],
  ['storageos', 'storageOS', 'deprecated in v1.22, non-functional in v1.25+'],
  ['quobyte', 'quobyte', 'deprecated in v1.22, non-functional in v1.25+'],
  ['glusterfs', 'glusterfs', 'deprecated in v1.25, non-functional in v1.26+'],
  ['cephfs', 'cephfs', 'deprecated in v1.28, non-functional in v1.31+'],
  ['rbd', 'rbd', 'deprecated in v1.28, non-functional in v1.31+'],
];

function fractional(list: unknown, name: string, path: string): string[] {
  const v = rec(list)?.[name];
  const q = Quantity.tryParse(v);
  if (!q || q.milliValue() % 1000n === 0n) return [];
  return [
    `${path}[${name}]: fractional byte value ${JSON.stringify(q.toString())} is invalid, must be an integer`,
  ];
}

function nodeSelectorTermWarnings(term: JsonObject, path: string): string[] {
  const out: string[] = [];
  for (const [e, i] of records(term['matchExpressions'])) {
    const key = str(e['key']);
    const msg = DEPRECATED_NODE_LABELS[key];
    if (msg) out.push(`${path}.matchExpressions[${i}].key: ${key} is ${msg}`);
  }
  return out;
}

/**
 * Upstream's warningsForPodSpecAndMeta. `prefix` is '' for pods and e.g. 'spec.template' for
 * templates (paths then read `spec.template.spec.nodeSelector[…]`).
 */
export function podSpecWarnings(specValue: unknown, metaValue: unknown, prefix = ''): string[] {
  const spec = rec(specValue) ?? {};
  const annotations = stringMap(rec(metaValue)?.['annotations']);
  const p = (s: string): string => (prefix ? `${prefix}.${s}` : s);
  const out: string[] = [];

  for (const k of Object.keys(stringMap(spec['nodeSelector']))) {
    const msg = DEPRECATED_NODE_LABELS[k];
    if (msg) out.push(`${p('spec.nodeSelector')}[${k}]: ${msg}`);
  }
  const na = rec(rec(spec['affinity'])?.['nodeAffinity']);
  if (na) {
    const termPath = p(
      'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms',
    );
    for (const [t, i] of records(
      rec(na['requiredDuringSchedulingIgnoredDuringExecution'])?.['nodeSelectorTerms'],
    ))
      out.push(...nodeSelectorTermWarnings(t, `${termPath}[${i}]`));
    const prefPath = p('spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution');
    for (const [t, i] of records(na['preferredDuringSchedulingIgnoredDuringExecution']))
      out.push(...nodeSelectorTermWarnings(rec(t['preference']) ?? {}, `${prefPath}[${i}].preference`));
  }
  for (const [c, i] of records(spec['topologySpreadConstraints'])) {
    const tp = p(`spec.topologySpreadConstraints[${i}]`);
    const key = str(c['topologyKey']);
    const msg = DEPRECATED_NODE_LABELS[key];
    if (msg) out.push(`${tp}.topologyKey: ${key} is ${msg}`);
    if (!rec(c['labelSelector']))
      out.push(`${tp}.labelSelector: a null labelSelector results in matching no pod`);
  }
  for (const [key, msg] of Object.entries(DEPRECATED_ANNOTATIONS))
    if (key in annotations) out.push(`${p('metadata.annotations')}[${key}]: ${msg}`);
  for (const [v, i] of records(spec['volumes']))
    for (const [key, shown, msg] of DEPRECATED_VOLUMES)
      if (rec(v[key])) out.push(`${p(`spec.volumes[${i}]`)}.${shown}: ${msg}`);

  const aliases = new Set<string>();
  for (const [a, i] of records(spec['hostAliases'])) {
    const ip = str(a['ip']);
    if (aliases.has(ip)) out.push(`${p(`spec.hostAliases[${i}]`)}.ip: duplicate ip ${JSON.stringify(ip)}`);
    aliases.add(ip);
  }
  const pullSecrets = new Set<string>();
  const secretList = records(spec['imagePullSecrets']);
  for (const [s, i] of secretList) {
    const name = str(s['name']);
    if (secretList.length > 1 && pullSecrets.has(name))
      out.push(`${p(`spec.imagePullSecrets[${i}]`)}.name: duplicate name ${JSON.stringify(name)}`);
    pullSecrets.add(name);
  }
  for (const [s, i] of secretList)
    if (str(s['name']) === '') out.push(`${p(`spec.imagePullSecrets[${i}]`)}.name: invalid empty name ""`);
  for (const name of ['memory', 'ephemeral-storage'])
    out.push(...fractional(spec['overhead'], name, p('spec.overhead')));

  const sc = rec(spec['securityContext']);
  if (!rec(sc?.['seccompProfile']) && 'seccomp.security.alpha.kubernetes.io/pod' in annotations)
    out.push(
      `${p('metadata.annotations')}[seccomp.security.alpha.kubernetes.io/pod]: non-functional in v1.27+; use the "seccompProfile" field instead`,
    );
  const podAppArmor = rec(sc?.['appArmorProfile']);
  const ports = new Map<string, [string, JsonObject][]>();
  for (const key of ['initContainers', 'containers', 'ephemeralContainers'])
    for (const [c, ci] of records(spec[key])) {
      const cp = p(`spec.${key}[${ci}]`);
      const name = str(c['name']);
      const csc = rec(c['securityContext']);
      const seccompKey = `container.seccomp.security.alpha.kubernetes.io/${name}`;
      if (!rec(csc?.['seccompProfile']) && seccompKey in annotations)
        out.push(
          `${p('metadata.annotations')}[${seccompKey}]: non-functional in v1.27+; use the "seccompProfile" field instead`,
        );
      const appArmorKey = `container.apparmor.security.beta.kubernetes.io/${name}`;
      if (prefix && !podAppArmor && !rec(csc?.['appArmorProfile']) && appArmorKey in annotations)
        out.push(
          `${p('metadata.annotations')}[${appArmorKey}]: deprecated since v1.30; use the "appArmorProfile" field instead`,
        );
      const res = rec(c['resources']) ?? {};
      for (const side of ['limits', 'requests'])
        for (const rn of ['memory', 'ephemeral-storage'])
          out.push(...fractional(res[side], rn, `${cp}.resources.${side}`));
      const envNames = new Set<string>();
      for (const [e, ei] of records(c['env'])) {
        const en = str(e['name']);
        if (envNames.has(en)) {
          const ref = `$(${en})`;
          const value = str(e['value']);
          if (rec(e['valueFrom']) || value === ref || !value.includes(ref))
            out.push(
              `${cp}.env[${ei}]: hides previous definition of ${JSON.stringify(en)}, which may be dropped when using apply`,
            );
        } else envNames.add(en);
      }
      for (const [port, pi] of records(c['ports'])) {
        const key2 = `${port['containerPort'] as number}/${str(port['protocol'])}`;
        const here = `${cp}.ports[${pi}]`;
        for (const [otherPath, other] of ports.get(key2) ?? []) {
          if (
            str(port['hostIP']) === str(other['hostIP']) &&
            (port['hostPort'] ?? 0) === (other['hostPort'] ?? 0)
          )
            out.push(`${here}: duplicate port definition with ${otherPath}`);
          else if (!port['hostPort'] || !other['hostPort'])
            out.push(`${here}: overlapping port definition with ${otherPath}`);
        }
        ports.set(key2, [...(ports.get(key2) ?? []), [here, port]]);
      }
    }
  return out;
}
