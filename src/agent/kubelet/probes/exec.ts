/**
 * Commands run in a container through the CRI (ExecSync) for exec probes and hooks: exit code 0 is
 * success, the output is stdout then stderr (at most 10 KiB), and a command that outlives its
 * timeout is a failure worded as upstream's: `command "sh -c sleep 10" timed out`.
 */
import type { Container } from 'kubernetes-types/core/v1.js';
import { expandVars } from '../pods/expand.js';
import { MAX_BODY_BYTES } from './constants.js';
import { goQuote } from './net-errors.js';
import type { ExecInContainer, ProbeOutcome } from './types.js';

/** gRPC's DEADLINE_EXCEEDED status code. */
const DEADLINE_EXCEEDED = 4;

/** Extra time past the command's own timeout before the agent stops waiting for the runtime. */
const RUNTIME_SLACK_MS = 5_000;

/** True when an ExecSync rejection means the command ran out of time. */
export function isExecTimeout(err: unknown): boolean {
  if (err instanceof ExecTimeout) return true;
  if (typeof err !== 'object' || err === null) return false;
  if ((err as { code?: unknown }).code === DEADLINE_EXCEEDED) return true;
  const msg = err instanceof Error ? err.message : '';
  return /deadline exceeded|timeout .* exceeded/i.test(msg);
}

class ExecTimeout extends Error {}

/** The text of a timed-out command, as upstream's runtime client words it. */
export function execTimeoutMessage(cmd: string[]): string {
  return `command ${goQuote(cmd.join(' '))} timed out`;
}

/** stdout then stderr, cut at 10 KiB, as text. */
export function combinedOutput(stdout: Buffer, stderr: Buffer): string {
  return Buffer.concat([stdout, stderr]).subarray(0, MAX_BODY_BYTES).toString('utf8');
}

/**
 * The probe command with `$(VAR)` references to the container's env expanded, as upstream does for
 * exec probes (every env entry counts; one set from a source expands to the empty string).
 */
export function expandProbeCommand(cmd: string[], container: Container): string[] {
  const env = new Map<string, string>();
  for (const e of container.env ?? []) env.set(e.name, e.value ?? '');
  return cmd.map((arg) => expandVars(arg, (name) => env.get(name)));
}

/**
 * Runs `cmd` with a timeout (0 = none), guarding against a runtime that never answers. Resolves
 * with the exit code and output, or rejects (a timeout rejects with an error `isExecTimeout` knows).
 */
export async function execWithTimeout(
  exec: ExecInContainer,
  containerId: string,
  cmd: string[],
  timeoutSeconds: number,
  signal?: AbortSignal,
): Promise<{ exitCode: number; stdout: Buffer; stderr: Buffer }> {
  const run = exec(containerId, cmd, timeoutSeconds);
  if (timeoutSeconds <= 0 && !signal) return run;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const guard = new Promise<never>((_, reject) => {
    if (timeoutSeconds > 0) {
      timer = setTimeout(
        () => reject(new ExecTimeout('timed out')),
        timeoutSeconds * 1000 + RUNTIME_SLACK_MS,
      );
      timer.unref?.();
    }
    if (signal) {
      onAbort = () => reject(new Error('context canceled'));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort);
    }
  });
  try {
    return await Promise.race([run, guard]);
  } finally {
    if (timer) clearTimeout(timer);
    if (signal && onAbort) signal.removeEventListener('abort', onAbort);
    run.catch(() => undefined);
  }
}

/** Runs an exec probe: exit 0 = success, other codes = failure, a runtime error = unknown. */
export async function execProbe(
  exec: ExecInContainer,
  containerId: string,
  command: string[],
  timeoutSeconds: number,
): Promise<ProbeOutcome> {
  try {
    const res = await execWithTimeout(exec, containerId, command, timeoutSeconds);
    const output = combinedOutput(res.stdout, res.stderr);
    return { result: res.exitCode === 0 ? 'success' : 'failure', output };
  } catch (err) {
    if (isExecTimeout(err)) return { result: 'failure', output: execTimeoutMessage(command) };
    return { result: 'unknown', output: err instanceof Error ? err.message : String(err) };
  }
}
