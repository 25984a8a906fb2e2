/**
 * Bounded waiting for end-to-end tests: poll until a condition holds or a deadline passes, and fail
 * with what was last seen (never a bare "timed out").
 */

/** Options of {@link pollUntil}. */
export interface PollOptions {
  /** Give up after this long (default 20 s). */
  timeoutMs?: number;
  /** Pause between attempts (default 50 ms). */
  intervalMs?: number;
}

/** Shortens a value for a failure message. */
export function preview(value: unknown, max = 2000): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    try {
      text = JSON.stringify(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/**
 * Calls `probe` until `accept(value)` is true and returns that value. A probe that throws counts as a
 * failed attempt. After the deadline it throws, naming `what` and showing the last value or error.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T> | T,
  accept: (value: T) => boolean,
  opts: PollOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const intervalMs = opts.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let last: { value: T } | { error: unknown } | undefined;
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      const value = await probe();
      if (accept(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const seen =
    last === undefined
      ? 'nothing'
      : 'error' in last
        ? `error: ${last.error instanceof Error ? last.error.message : preview(last.error)}`
        : preview(last.value);
  throw new Error(
    `timed out after ${timeoutMs} ms (${attempts} attempts) waiting for ${what}; last saw: ${seen}`,
  );
}

/** Waits until `check()` is true; `seen()` describes the state for the failure message. */
export async function waitFor(
  what: string,
  check: () => boolean,
  seen: () => unknown,
  opts: PollOptions = {},
): Promise<void> {
  await pollUntil(
    what,
    () => {
      const ok = check();
      return { ok, seen: ok ? undefined : seen() };
    },
    (v) => v.ok,
    opts,
  );
}
