/**
 * postStart and preStop hooks, run as upstream's kubelet runs them: exec (no timeout of its own),
 * httpGet (only a transport failure fails it, whatever the status code; an HTTPS hook answered in
 * plain HTTP is retried over HTTP), sleep; tcpSocket is accepted by the API for compatibility but
 * cannot run. Failures come back with upstream's message, which the pod worker puts in its
 * FailedPostStartHook event (preStop failures are reported with the fixed text `PreStopHook
 * failed`, so a hook's output never lands in an event).
 */
import type { LifecycleHandler, Pod } from 'kubernetes-types/core/v1.js';
import { combinedOutput, execWithTimeout, isExecTimeout, execTimeoutMessage } from './exec.js';
import { httpGet, httpGetRequest, type HttpGetRequest } from './http.js';
import { goQuote } from './net-errors.js';
import type { ExecInContainer, ProbeTarget } from './types.js';

/** The two lifecycle hooks. */
export type HookKind = 'postStart' | 'preStop';

/** Event reason of a failed postStart hook. */
export const FAILED_POST_START_HOOK = 'FailedPostStartHook';
/** Event reason of a failed preStop hook. */
export const FAILED_PRE_STOP_HOOK = 'FailedPreStopHook';
/** Event message of a failed preStop hook (upstream keeps hook output out of events). */
export const PRE_STOP_HOOK_FAILED = 'PreStopHook failed';
/**
 * Waiting reason of a container whose postStart hook failed (it is killed, with `FailedPostStartHook`
 * as the Killing event's message, and restarted per the restart policy).
 */
export const POST_START_HOOK_ERROR = 'PostStartHookError';

/** What running a hook gave. */
export interface HookOutcome {
  /** Upstream's failure message; undefined when the hook succeeded. */
  error?: string;
  /** A Warning event to record even though the hook went on (`LifecycleHTTPFallback`). */
  warning?: { reason: string; message: string };
}

/** Options of {@link runHook}. */
export interface HookOptions {
  /** Aborts the hook (the grace period ran out, the container went away). */
  signal?: AbortSignal;
}

/** The pod as upstream's kubelet names it in messages: `name_namespace(uid)`. */
export function podDesc(pod: Pod): string {
  const m = pod.metadata ?? {};
  return `${m.name ?? ''}_${m.namespace ?? ''}(${m.uid ?? ''})`;
}

/** Go's `%v` of a string slice: `[sh -c exit 1]`. */
function goList(items: string[]): string {
  return `[${items.join(' ')}]`;
}

/** Runs a lifecycle hook handler against `target`. Never throws. */
export async function runHook(
  handler: LifecycleHandler,
  target: ProbeTarget,
  exec: ExecInContainer,
  opts: HookOptions = {},
): Promise<HookOutcome> {
  const where = `for Container ${goQuote(target.container.name)} in Pod ${goQuote(podDesc(target.pod))}`;
  if (handler.exec) {
    const cmd = handler.exec.command ?? [];
    const error = await runExecHook(exec, target.containerId, cmd, opts.signal);
    if (error === undefined) return {};
    return {
      error: `Exec lifecycle hook (${goList(cmd)}) ${where} failed - error: ${error.err}, message: ${goQuote(error.output)}`,
    };
  }
  if (handler.httpGet) {
    const path = handler.httpGet.path ?? '';
    const res = await runHttpHook(handler, target, opts.signal);
    if (res.error === undefined) return res;
    return { error: `HTTP lifecycle hook (${path}) ${where} failed - error: ${res.error}` };
  }
  if (handler.sleep) {
    const seconds = handler.sleep.seconds;
    const finished = await sleep(seconds * 1000, opts.signal);
    if (finished) return {};
    return {
      error: `Sleep lifecycle hook (${seconds}) ${where} failed - error: container terminated before sleep hook finished`,
    };
  }
  return { error: `Cannot run handler: invalid handler: ${describeHandler(handler)}` };
}

async function runExecHook(
  exec: ExecInContainer,
  containerId: string,
  cmd: string[],
  signal: AbortSignal | undefined,
): Promise<{ err: string; output: string } | undefined> {
  try {
    const res = await execWithTimeout(exec, containerId, cmd, 0, signal);
    if (res.exitCode === 0) return undefined;
    return {
      err: `command '${cmd.join(' ')}' exited with ${res.exitCode}: ${res.stderr.toString('utf8')}`,
      output: combinedOutput(res.stdout, res.stderr),
    };
  } catch (err) {
    const text = isExecTimeout(err)
      ? execTimeoutMessage(cmd)
      : err instanceof Error
        ? err.message
        : String(err);
    return { err: text, output: '' };
  }
}

async function runHttpHook(
  handler: LifecycleHandler,
  target: ProbeTarget,
  signal: AbortSignal | undefined,
): Promise<{ error?: string; warning?: HookOutcome['warning'] }> {
  const action = handler.httpGet;
  if (!action) return {};
  if (!action.host && !target.podIP) return { error: 'failed to find networking container' };
  let request: HttpGetRequest;
  try {
    request = httpGetRequest(action, target.container, target.podIP);
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
  const opts = { purpose: 'lifecycle' as const, followOtherHosts: true, ...(signal ? { signal } : {}) };
  const res = await httpGet(request, opts);
  if (res.ok) return {};
  if (res.plainHttpAnswer && request.url.startsWith('https://')) {
    const plain: HttpGetRequest = {
      url: `http://${request.url.slice('https://'.length)}`,
      headers: request.headers.filter(([name]) => name.toLowerCase() !== 'authorization'),
    };
    const retry = await httpGet(plain, opts);
    if (retry.ok) {
      const hostPort = new URL(plain.url).host;
      return {
        warning: {
          reason: 'LifecycleHTTPFallback',
          message: `request to HTTPS lifecycle hook ${hostPort} got HTTP response, retry with HTTP succeeded`,
        },
      };
    }
  }
  return { error: res.error };
}

/** Waits `ms`; false when aborted first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    if (signal?.aborted) {
      resolve(false);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A handler the runner cannot run, printed roughly as Go prints it. */
function describeHandler(h: LifecycleHandler): string {
  const tcp = h.tcpSocket
    ? `&TCPSocketAction{Port:${h.tcpSocket.port},Host:${h.tcpSocket.host ?? ''},}`
    : 'nil';
  return `&LifecycleHandler{Exec:nil,HTTPGet:nil,TCPSocket:${tcp},Sleep:nil,}`;
}

/**
 * The event the pod worker records for a failed hook: `FailedPostStartHook` with the hook's message,
 * or `FailedPreStopHook` with `PreStopHook failed`.
 */
export function hookFailureEvent(kind: HookKind, error: string): { reason: string; message: string } {
  return kind === 'postStart'
    ? { reason: FAILED_POST_START_HOOK, message: error }
    : { reason: FAILED_PRE_STOP_HOOK, message: PRE_STOP_HOOK_FAILED };
}
