/**
 * /healthz, /livez and /readyz with upstream's output: `ok`, or with `?verbose` one `[+]name ok` line
 * per check and a closing `healthz check passed`; `/readyz/<check>` runs one check.
 */

export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

export interface HealthResult {
  code: number;
  body: string;
}

/** Runs the checks of one endpoint (`healthz`, `livez` or `readyz`). */
export async function runHealth(
  endpoint: string,
  checks: readonly HealthCheck[],
  subpath: string,
  query: URLSearchParams,
): Promise<HealthResult> {
  const excluded = new Set(query.getAll('exclude'));
  if (subpath) {
    const c = checks.find((x) => x.name === subpath);
    if (!c) return { code: 404, body: '404 page not found\n' };
    try {
      await c.check();
      return { code: 200, body: 'ok' };
    } catch (err) {
      return {
        code: 500,
        body: `internal server error: ${err instanceof Error ? err.message : String(err)}\n`,
      };
    }
  }
  const lines: string[] = [];
  let failed = false;
  for (const c of checks) {
    if (excluded.has(c.name)) {
      lines.push(`[+]${c.name} excluded: ok`);
      continue;
    }
    try {
      await c.check();
      lines.push(`[+]${c.name} ok`);
    } catch {
      failed = true;
      lines.push(`[-]${c.name} failed: reason withheld`);
    }
  }
  const verbose = query.has('verbose');
  if (failed) return { code: 500, body: `${lines.join('\n')}\n${endpoint} check failed\n` };
  if (!verbose) return { code: 200, body: 'ok' };
  return { code: 200, body: `${lines.join('\n')}\n${endpoint} check passed\n` };
}
