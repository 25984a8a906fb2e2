/**
 * Many concurrent writes over HTTPS: a fixed number of requests with a bounded number in flight,
 * recording which ones the server acknowledged.
 */
import type { ApiResponse } from './api.js';

/** What a burst saw. */
export interface BurstResult {
  /** Indexes whose request got one of the accepted statuses. */
  acked: Set<number>;
  /** Other HTTP answers, by index (status and body start). */
  refused: Map<number, string>;
  /** Transport errors, by index. */
  failed: Map<number, string>;
}

/** Options of {@link burst}. */
export interface BurstOptions {
  count: number;
  inFlight: number;
  /** Statuses that count as acknowledged (default 201). */
  okStatuses?: number[];
  /** Called after each acknowledgement, with the number acknowledged so far. */
  onAck?: (acked: number) => void;
}

/** Sends `count` requests made by `send(i)`, `inFlight` at a time. */
export async function burst(
  send: (i: number) => Promise<ApiResponse>,
  opts: BurstOptions,
): Promise<BurstResult> {
  const ok = opts.okStatuses ?? [201];
  const result: BurstResult = { acked: new Set(), refused: new Map(), failed: new Map() };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < opts.count) {
      const i = next++;
      try {
        const res = await send(i);
        if (ok.includes(res.status)) {
          result.acked.add(i);
          opts.onAck?.(result.acked.size);
        } else {
          result.refused.set(i, `HTTP ${res.status}: ${res.body.slice(0, 200)}`);
        }
      } catch (err) {
        result.failed.set(i, err instanceof Error ? err.message : String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: opts.inFlight }, worker));
  return result;
}
