/**
 * Reads etcd's own Prometheus metrics (`/metrics` on the client URL) while a benchmark runs: how many
 * unary KV calls (Range, Put, Txn, DeleteRange) are inside etcd at a time, from the difference of
 * `grpc_server_started_total` and `grpc_server_handled_total`. A low figure while many clients wait
 * means the requests queue before etcd (in the server or the client), not in etcd.
 */

/** Unary KV calls started minus handled, summed over the methods above. */
export async function etcdCallsInFlight(endpoint: string): Promise<number> {
  const text = await (await fetch(`${endpoint}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
  let started = 0;
  let handled = 0;
  for (const m of text.matchAll(
    /^grpc_server_(started|handled)_total\{[^}]*grpc_method="(?:Range|Put|Txn|DeleteRange)"[^}]*\} (\d+)/gm,
  )) {
    if (m[1] === 'started') started += Number(m[2]);
    else handled += Number(m[2]);
  }
  return started - handled;
}

/** Samples {@link etcdCallsInFlight} every `everyMs` until the returned stop() is called. */
export function sampleInFlight(endpoint: string, everyMs = 100): { stop(): Promise<number[]> } {
  const samples: number[] = [];
  let stopped = false;
  const loop = (async (): Promise<void> => {
    while (!stopped) {
      await new Promise((r) => setTimeout(r, everyMs));
      if (stopped) break;
      try {
        samples.push(await etcdCallsInFlight(endpoint));
      } catch {
        // A missed sample (etcd busy past the timeout) only thins the figures.
      }
    }
  })();
  return {
    async stop(): Promise<number[]> {
      stopped = true;
      await loop;
      return samples;
    },
  };
}
