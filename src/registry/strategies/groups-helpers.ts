/**
 * Pieces shared by the strategies of the non-core groups: status kept apart from spec, and
 * metadata.generation set as upstream's strategies set it.
 */
import type { KubeObject } from '../../api/meta.js';
import { clone, semanticEqual } from '../../api/validation/equality.js';

/** The object's metadata, created when missing, with generation writable (the type marks it read-only). */
function meta(obj: KubeObject): { generation?: number } {
  if (!obj.metadata) obj.metadata = {};
  return obj.metadata as { generation?: number };
}

/** On create: status replaced by the kind's zero status, generation 1. */
export function resetStatusOnCreate(obj: KubeObject, zeroStatus: Record<string, unknown> = {}): void {
  obj['status'] = clone(zeroStatus);
  meta(obj).generation = 1;
}

/** On create of a kind without status: generation 1. */
export function initGeneration(obj: KubeObject): void {
  meta(obj).generation = 1;
}

/** On update of the main resource: the stored status wins over whatever the client sent. */
export function keepOldStatus(obj: KubeObject, old: KubeObject): void {
  if (old['status'] === undefined) delete obj['status'];
  else obj['status'] = clone(old['status']);
}

/**
 * Generation: the old generation, plus one when `changed` says the desired state changed (by
 * default: the spec differs).
 */
export function bumpGeneration(
  obj: KubeObject,
  old: KubeObject,
  changed: boolean = !semanticEqual(obj['spec'], old['spec']),
): void {
  const oldGen = old.metadata?.generation ?? 0;
  meta(obj).generation = changed ? oldGen + 1 : oldGen;
}

/** On a /status update: everything but status and metadata comes from the stored object. */
export function keepOldSpec(obj: KubeObject, old: KubeObject): void {
  for (const key of Object.keys(obj)) {
    if (key !== 'status' && key !== 'metadata' && key !== 'apiVersion' && key !== 'kind') delete obj[key];
  }
  for (const [key, value] of Object.entries(old)) {
    if (key !== 'status' && key !== 'metadata' && key !== 'apiVersion' && key !== 'kind')
      obj[key] = clone(value);
  }
}
