/**
 * Conversion between an API version and the version a resource is stored in, for resources served in
 * several versions or groups (autoscaling/v1 ↔ v2 HorizontalPodAutoscaler, events.k8s.io/v1 ↔ core/v1
 * Event). Resources served in their storage version need none.
 */
import { hpaV1Converter } from './autoscaling/conversion.js';
import { eventsV1Converter } from './events/conversion.js';
import type { GroupVersionKind, KubeObject } from './meta.js';

export interface Converter {
  /** The served version's object → the stored version's object (apiVersion and kind set). */
  toStorage(obj: KubeObject): KubeObject;
  /** The stored version's object → the served version's object (apiVersion and kind set). */
  fromStorage(obj: KubeObject): KubeObject;
}

const converters = new Map<string, Converter>([
  ['autoscaling/v1/HorizontalPodAutoscaler', hpaV1Converter],
  ['events.k8s.io/v1/Event', eventsV1Converter],
]);

function key(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}/${gvk.kind}`;
}

/** Registers the converter for a served group/version/kind. */
export function registerConverter(gvk: GroupVersionKind, c: Converter): void {
  converters.set(key(gvk), c);
}

/** The converter for a served group/version/kind, when it is not stored as is. */
export function converterFor(gvk: GroupVersionKind): Converter | undefined {
  return converters.get(key(gvk));
}
