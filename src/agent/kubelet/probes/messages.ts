/**
 * The texts of probe events and probe-caused kills, as upstream's kubelet writes them
 * (`Liveness probe failed: HTTP probe failed with statuscode: 500`, `Container web failed liveness
 * probe, will be restarted`).
 */
import type { ProbeKind, ProbeOutcome } from './types.js';

/** Event reason of a failed or errored probe. */
export const UNHEALTHY = 'Unhealthy';
/** Event reason of a probe that passed with a warning (an HTTP redirect to another host). */
export const PROBE_WARNING = 'ProbeWarning';

/** A Warning event the pod worker records on the container (fieldPath `spec.containers{NAME}`). */
export interface ProbeEvent {
  type: 'Warning';
  reason: typeof UNHEALTHY | typeof PROBE_WARNING;
  message: string;
}

/** `Liveness`, `Readiness`, `Startup`. */
export function probeKindName(kind: ProbeKind): string {
  return kind.charAt(0).toUpperCase() + kind.slice(1);
}

/** The event one probe run deserves, if any (none for a plain success). */
export function probeEvent(kind: ProbeKind, outcome: ProbeOutcome): ProbeEvent | undefined {
  const name = probeKindName(kind);
  switch (outcome.result) {
    case 'failure':
      return { type: 'Warning', reason: UNHEALTHY, message: `${name} probe failed: ${outcome.output}` };
    case 'unknown':
      return {
        type: 'Warning',
        reason: UNHEALTHY,
        message: `${name} probe errored and resulted in unknown state: ${outcome.output}`,
      };
    case 'success':
      return outcome.warning
        ? { type: 'Warning', reason: PROBE_WARNING, message: `${name} probe warning: ${outcome.output}` }
        : undefined;
  }
}

/** `Container web failed liveness probe` (the Killing event's message, before the restart note). */
export function failedProbeMessage(container: string, kind: 'liveness' | 'startup'): string {
  return `Container ${container} failed ${kind} probe`;
}

/**
 * The Killing event's message for a container killed by a failed probe: `, will be restarted` is
 * added when the restart policy restarts it.
 */
export function killMessage(message: string, willRestart: boolean): string {
  return willRestart ? `${message}, will be restarted` : message;
}
