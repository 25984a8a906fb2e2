/**
 * Daemon pods: building one for a node (template, daemon tolerations, the revision and template
 * generation labels, pinned to the node by affinity), telling updated pods from old ones, and the
 * order in which duplicates are kept.
 */
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { podFromTemplate } from '../framework/pods.js';
import { POD_REVISION_LABEL } from '../history/revision.js';
import { addDaemonTolerations, pinToNode, type Ds, type DsPod } from './eligibility.js';

/** The annotation holding a DaemonSet's template generation (bumped by the API on template changes). */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';
/** The (deprecated, still set) label with the template generation a pod was made from. */
export const POD_TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

/** The template generation, or undefined when the annotation is missing or not a number. */
export function templateGeneration(ds: Ds): string | undefined {
  const v = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  return v !== undefined && /^-?\d+$/.test(v) ? String(Number(v)) : undefined;
}

/** The template daemon pods are made from: tolerations added, generation and hash labels set. */
export function daemonPodTemplate(ds: Ds, hash: string): PodTemplateSpec {
  const t = structuredClone(ds.spec?.template ?? {});
  const spec = (t.spec ??= { containers: [] });
  addDaemonTolerations(spec);
  const labels: Record<string, string> = { ...(t.metadata?.labels ?? {}) };
  const gen = templateGeneration(ds);
  if (gen !== undefined) labels[POD_TEMPLATE_GENERATION_LABEL] = gen;
  if (hash) labels[POD_REVISION_LABEL] = hash;
  t.metadata = { ...(t.metadata ?? {}), labels };
  return t;
}

/** A new daemon pod for `nodeName` (generateName `<ds>-`). */
export function newDaemonPod(ds: Ds, template: PodTemplateSpec, nodeName: string): DsPod {
  const pod = podFromTemplate(template, { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: ds.metadata });
  const spec = (pod.spec ??= { containers: [] });
  spec.affinity = pinToNode(spec.affinity, nodeName);
  return pod;
}

/** True when the pod runs the DaemonSet's current template (by hash, or by template generation). */
export function isPodUpdated(pod: DsPod, hash: string, generation: string | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  const hashMatches = hash !== '' && labels[POD_REVISION_LABEL] === hash;
  const generationMatches = generation !== undefined && labels[POD_TEMPLATE_GENERATION_LABEL] === generation;
  return hashMatches || generationMatches;
}

function createdAt(p: DsPod): number {
  const t = p.metadata.creationTimestamp;
  return t ? Date.parse(t) : 0;
}

/** Scheduled pods first, then oldest first, then by name: the first is the one kept. */
export function byScheduledThenAge(a: DsPod, b: DsPod): number {
  const sa = a.spec?.nodeName ? 0 : 1;
  const sb = b.spec?.nodeName ? 0 : 1;
  if (sa !== sb) return sa - sb;
  return createdAt(a) - createdAt(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** Failed or Succeeded. */
export function isTerminal(p: DsPod): boolean {
  return p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';
}

/** Exponential backoff per key (1 s doubling to 15 min), for deleting failed daemon pods. */
export class FailedPodBackoff {
  private readonly entries = new Map<string, { delayMs: number; at: number }>();

  constructor(
    private readonly initialMs = 1000,
    private readonly maxMs = 15 * 60_000,
  ) {}

  /** True while the last deletion for `key` is less than its delay ago. */
  inBackoff(key: string, now: number): boolean {
    const e = this.entries.get(key);
    return e !== undefined && now - e.at < e.delayMs;
  }

  /** The current delay of `key`. */
  delay(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  /** Records a deletion for `key` now, doubling its delay (or starting over after a long quiet spell). */
  next(key: string, now: number): void {
    const e = this.entries.get(key);
    if (!e || now - e.at > 2 * this.maxMs) this.entries.set(key, { delayMs: this.initialMs, at: now });
    else this.entries.set(key, { delayMs: Math.min(e.delayMs * 2, this.maxMs), at: now });
  }

  /** Forgets the keys starting with `prefix` (a deleted DaemonSet). */
  forget(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}
