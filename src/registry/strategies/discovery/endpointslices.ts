/**
 * EndpointSlice strategy: defaults, generation bumped when anything but metadata (or when the
 * labels) change, the alpha hints.forNodes dropped.
 */
import { defaultEndpointSlice } from '../../../api/discovery/defaults.js';
import { validateEndpointSlice, validateEndpointSliceUpdate } from '../../../api/discovery/validation.js';
import type { KubeObject } from '../../../api/meta.js';
import { semanticEqual } from '../../../api/validation/equality.js';
import type { Strategy } from '../../strategy.js';
import { bumpGeneration, initGeneration } from '../groups-helpers.js';

function withoutMetadata(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

/** Topology hints for nodes are an alpha feature in v1.33 (off): dropped unless already used. */
function dropDisabledFields(obj: KubeObject, old: KubeObject | undefined): void {
  const inUse = (o: KubeObject | undefined): boolean =>
    Array.isArray(o?.['endpoints']) &&
    (o['endpoints'] as { hints?: { forNodes?: unknown } }[]).some((e) => e.hints?.forNodes !== undefined);
  if (inUse(old) || !Array.isArray(obj['endpoints'])) return;
  for (const e of obj['endpoints'] as { hints?: { forNodes?: unknown } }[]) {
    if (e.hints) delete e.hints.forNodes;
  }
}

export const endpointSliceStrategy: Strategy = {
  generation: true,
  defaults: defaultEndpointSlice,
  prepareForCreate(obj) {
    initGeneration(obj);
    dropDisabledFields(obj, undefined);
  },
  prepareForUpdate(obj, old) {
    dropDisabledFields(obj, old);
    const changed =
      !semanticEqual(withoutMetadata(obj), withoutMetadata(old)) ||
      !semanticEqual(obj.metadata?.labels, old.metadata?.labels);
    bumpGeneration(obj, old, changed);
  },
  validate: (obj) => validateEndpointSlice(obj),
  validateUpdate: (obj, old) => validateEndpointSliceUpdate(obj, old),
};
