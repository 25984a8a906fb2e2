/**
 * Where pod volumes live on the host: `<dataDir>/agent/pods/<uid>/volumes/<plugin>/<volume>`, with
 * the plugin directory names upstream's kubelet uses (so tools that know that layout find things).
 */
import path from 'node:path';

/** Plugin names (and on-disk directory names) per volume type. */
export const PLUGINS = {
  emptyDir: 'kubernetes.io~empty-dir',
  hostPath: 'kubernetes.io~host-path',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
} as const;

/** A plugin directory name. */
export type PluginName = (typeof PLUGINS)[keyof typeof PLUGINS];

/** A single path segment we are willing to join into a host path (pod UID, volume or container name). */
export function isSafeSegment(s: string): boolean {
  return s.length > 0 && s.length <= 255 && s !== '.' && s !== '..' && !s.includes('/') && !s.includes('\0');
}

function segment(kind: string, s: string): string {
  if (!isSafeSegment(s)) throw new Error(`invalid ${kind} ${JSON.stringify(s)} for a host path`);
  return s;
}

/** `<dataDir>/agent/pods`: one directory per pod. */
export function podsRoot(dataDir: string): string {
  return path.join(dataDir, 'agent', 'pods');
}

/** `<dataDir>/agent/pods/<uid>`. */
export function podDir(dataDir: string, uid: string): string {
  return path.join(podsRoot(dataDir), segment('pod UID', uid));
}

/** The host directory of one volume of a pod. */
export function volumeDir(pod: string, plugin: PluginName, volume: string): string {
  return path.join(pod, 'volumes', plugin, segment('volume name', volume));
}

/** Where a subPath of a volume is bind-mounted for one container (as upstream: volume-subpaths/…). */
export function subPathDir(pod: string, volume: string, container: string, index: number): string {
  return path.join(
    pod,
    'volume-subpaths',
    segment('volume name', volume),
    segment('container name', container),
    String(index),
  );
}

/** True when `child` is `parent` or lies below it (both absolute, normalised). */
export function isWithin(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !path.isAbsolute(rel));
}
