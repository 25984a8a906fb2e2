/**
 * Static pods: Pod manifests in a directory on the node, run by the agent without the API server (for
 * system components). Each gets a stable uid derived from its manifest and node, and a *mirror pod*
 * in the API (annotation kubernetes.io/config.mirror) so `kubectl get pods` shows it; the mirror
 * pod is recreated when deleted and removed when the manifest goes away. As upstream, the pod name
 * is the manifest's name with `-<node>` appended.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseAllDocuments } from 'yaml';
import { defaultPod } from '../../../api/core/defaults/pod.js';
import { aggregateMessage, fieldErrorString } from '../../../api/errors.js';
import type { Logger } from '../../../util/log.js';

export const CONFIG_MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
export const CONFIG_SOURCE_ANNOTATION = 'kubernetes.io/config.source';
export const CONFIG_HASH_ANNOTATION = 'kubernetes.io/config.hash';

/** A static pod read from a file. */
export interface StaticPod {
  file: string;
  pod: Pod;
}

/** A uid-shaped hash of the manifest and node (stable across restarts, changes with the manifest). */
export function staticPodUid(content: string, node: string): string {
  const h = createHash('md5').update(node).update('\0').update(content).digest('hex');
  return h;
}

/**
 * Parses one manifest file into pods for `node`; errors name the file. Pod validation is loaded on
 * the first manifest: most agents have none, and the validators stay in memory once loaded.
 */
export async function parseStaticPods(file: string, text: string, node: string): Promise<Pod[]> {
  const { validatePodCreate } = await import('../../../api/core/validation/pod.js');
  const out: Pod[] = [];
  const docs = parseAllDocuments(text);
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
    const obj = doc.toJS() as unknown;
    if (obj === null || obj === undefined) continue;
    if (typeof obj !== 'object' || Array.isArray(obj)) throw new Error(`${file}: not an object`);
    const o = obj as Record<string, unknown>;
    if (o['kind'] !== 'Pod' || o['apiVersion'] !== 'v1')
      throw new Error(
        `${file}: only v1 Pods are allowed, got ${String(o['apiVersion'])}/${String(o['kind'])}`,
      );
    const meta = (o['metadata'] ?? {}) as Record<string, unknown>;
    if (typeof meta['name'] !== 'string' || meta['name'] === '')
      throw new Error(`${file}: metadata.name is required`);
    const uid = staticPodUid(JSON.stringify(o), node);
    defaultPod(o);
    const annotations = { ...(meta['annotations'] as Record<string, string> | undefined) };
    annotations[CONFIG_SOURCE_ANNOTATION] = 'file';
    annotations[CONFIG_HASH_ANNOTATION] = uid;
    o['metadata'] = {
      ...meta,
      name: `${meta['name']}-${node}`,
      namespace: typeof meta['namespace'] === 'string' && meta['namespace'] ? meta['namespace'] : 'default',
      uid,
      annotations,
    };
    const spec = (o['spec'] ?? {}) as Record<string, unknown>;
    spec['nodeName'] = node;
    o['spec'] = spec;
    const errs = validatePodCreate(o);
    if (errs.length) throw new Error(`${file}: invalid pod: ${aggregateMessage(errs.map(fieldErrorString))}`);
    out.push(o as Pod);
  }
  return out;
}

/** Reads every manifest in `dir` (*.yaml, *.yml, *.json); a bad file is logged and skipped. */
export async function readStaticPods(dir: string, node: string, log: Logger): Promise<StaticPod[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: StaticPod[] = [];
  for (const name of names.sort()) {
    if (!/\.(ya?ml|json)$/.test(name) || name.startsWith('.')) continue;
    const file = join(dir, name);
    try {
      for (const pod of await parseStaticPods(file, await readFile(file, 'utf8'), node))
        out.push({ file, pod });
    } catch (err) {
      log.warn({ err, file }, 'static pod manifest skipped');
    }
  }
  return out;
}

/** The mirror pod to create in the API for a static pod. */
export function mirrorPod(pod: Pod, nodeUid: string | undefined): Pod {
  const meta = pod.metadata ?? {};
  const { uid: _uid, ...rest } = meta;
  void _uid;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...rest,
      annotations: { ...meta.annotations, [CONFIG_MIRROR_ANNOTATION]: meta.uid ?? '' },
      ...(nodeUid
        ? {
            ownerReferences: [
              {
                apiVersion: 'v1',
                kind: 'Node',
                name: pod.spec?.nodeName ?? '',
                uid: nodeUid,
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: pod.spec,
  };
}

/** True for a mirror pod in the API (the agent runs the static pod itself, not this object). */
export function isMirrorPod(pod: Pod): boolean {
  return pod.metadata?.annotations?.[CONFIG_MIRROR_ANNOTATION] !== undefined;
}
