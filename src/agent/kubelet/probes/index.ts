/** Probes and lifecycle hooks of the node agent: handlers, the probe manager, their messages. */
export type { ExecInContainer, ProbeKind, ProbeOutcome, ProbeResults, ProbeTarget } from './types.js';
export { runProbe, type ProbeRunner } from './probe.js';
export { ProbeManager, type ProbeManagerOptions, type UnhealthyInfo } from './manager.js';
export {
  FAILED_POST_START_HOOK,
  FAILED_PRE_STOP_HOOK,
  POST_START_HOOK_ERROR,
  PRE_STOP_HOOK_FAILED,
  hookFailureEvent,
  runHook,
  type HookKind,
  type HookOptions,
  type HookOutcome,
} from './hooks.js';
export {
  PROBE_WARNING,
  UNHEALTHY,
  failedProbeMessage,
  killMessage,
  probeEvent,
  type ProbeEvent,
} from './messages.js';
export { realTimers, type Timers } from './timers.js';
