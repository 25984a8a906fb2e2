/** CRI container statuses in the kubelet's own terms (read by runtime-cache.ts). */
import type { ContainerStatus as CriContainerStatus } from '../../cri/types.js';
import { CONTAINER_NAME_LABEL, SPEC_HASH_ANNOTATION } from './labels.js';
import type { ObservedContainer } from './runtime-state.js';

const fromNanos = (ns: number | undefined): Date | undefined =>
  ns ? new Date(Math.floor(ns / 1e6)) : undefined;

const STATE: Record<string, ObservedContainer['state']> = {
  CONTAINER_CREATED: 'created',
  CONTAINER_RUNNING: 'running',
  CONTAINER_EXITED: 'exited',
};

/** One CRI container status in kubelet terms. */
export function observedContainer(c: CriContainerStatus): ObservedContainer {
  return {
    id: c.id,
    name: c.metadata?.name ?? c.labels?.[CONTAINER_NAME_LABEL] ?? '',
    attempt: c.metadata?.attempt ?? 0,
    state: STATE[c.state] ?? 'unknown',
    createdAt: fromNanos(c.createdAt),
    startedAt: fromNanos(c.startedAt),
    finishedAt: fromNanos(c.finishedAt),
    exitCode: c.exitCode ?? 0,
    reason: c.reason ?? '',
    message: c.message ?? '',
    imageRef: c.imageRef ?? '',
    image: c.image?.image ?? '',
    specHash: c.annotations?.[SPEC_HASH_ANNOTATION] ?? '',
  };
}
