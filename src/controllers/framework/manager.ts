/**
 * Runs a set of controllers: starts each, restarts one that fails with backoff (a rejected `run` is
 * a bug, logged with its stack), and stops them all when the signal aborts.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from '../../util/log.js';
import type { Controller, ControllerContext } from './types.js';

const RESTART_MIN_MS = 1_000;
const RESTART_MAX_MS = 60_000;

/** Runs `controllers` until `signal` aborts; resolves when all have returned. */
export async function runControllers(
  controllers: readonly Controller[],
  ctx: ControllerContext,
  signal: AbortSignal,
  log: Logger,
): Promise<void> {
  // Every controller and informer listens for the stop signal: more than Node's default 10.
  setMaxListeners(0, signal);
  ctx.informers.start(signal);
  await Promise.all(controllers.map((c) => runOne(c, ctx, signal, log)));
}

async function runOne(
  c: Controller,
  ctx: ControllerContext,
  signal: AbortSignal,
  log: Logger,
): Promise<void> {
  let delay = RESTART_MIN_MS;
  while (!signal.aborted) {
    const started = Date.now();
    try {
      log.info({ controller: c.name }, 'starting controller');
      await c.run(ctx, signal);
      return;
    } catch (err) {
      if (signal.aborted) return;
      if (Date.now() - started > RESTART_MAX_MS) delay = RESTART_MIN_MS;
      log.error({ err, controller: c.name, restartInMs: delay }, 'controller failed; restarting');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        signal.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        });
      });
      delay = Math.min(delay * 2, RESTART_MAX_MS);
    }
  }
}

/** Something started and stopped by hand (the controllers that predate this framework). */
export interface StartStop {
  start(): void;
  stop(): void;
}

/** A {@link Controller} that builds and starts `make()` and stops it when the signal aborts. */
export function startStopController(name: string, make: () => StartStop): Controller {
  return {
    name,
    run: async (_ctx, signal) => {
      const c = make();
      c.start();
      await untilAborted(signal);
      c.stop();
    },
  };
}

/**
 * Holds a controller's syncs until its informers have synced (opened by start()): no decision is made
 * from a half-loaded cache. close() (from stop()) releases every waiting sync without letting it act.
 */
export class SyncGate {
  open: () => void = () => undefined;
  private readonly opened = new Promise<void>((resolve) => (this.open = resolve));
  private closed = false;

  /** Stops the gate for good: syncs waiting or still to come return false from {@link pass}. */
  close(): void {
    this.closed = true;
    this.open();
  }

  /** Waits until the gate opened; true when the sync may act, false once the gate is closed. */
  async pass(): Promise<boolean> {
    await this.opened;
    return !this.closed;
  }
}

/** Resolves once `signal` aborts (at once if it has). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * The body of a controller's run() that hands its work to `sync`: waits for the informers, starts
 * it, and stops it when `signal` aborts (or the wait fails).
 */
export async function runSynced(ctx: ControllerContext, signal: AbortSignal, sync: StartStop): Promise<void> {
  try {
    await ctx.informers.waitForSync(signal);
    sync.start();
    await untilAborted(signal);
  } finally {
    sync.stop();
  }
}
