import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ApiMetrics, DURATION_BUCKETS, type RequestLabels } from './metrics.js';

const LABELS = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'];

function labels(verb: string, resource: string, extra: Partial<RequestLabels> = {}): RequestLabels {
  return {
    verb,
    dry_run: '',
    group: '',
    version: 'v1',
    resource,
    subresource: '',
    scope: 'namespace',
    component: 'apiserver',
    ...extra,
  };
}

/** The lines of one metric family (TYPE and samples) in a registry's text. */
function family(text: string, name: string): string[] {
  return text
    .split('\n')
    .filter(
      (l) =>
        l.startsWith(`${name}{`) ||
        l.startsWith(`${name}_`) ||
        l === `# TYPE ${name} ${l.split(' ').pop() ?? ''}`,
    );
}

describe('ApiMetrics', () => {
  it('exports request counts and latencies exactly as prom-client would', async () => {
    const m = new ApiMetrics();
    const ref = new Registry();
    const counter = new Counter({
      name: 'apiserver_request_total',
      help: 'x',
      labelNames: [...LABELS, 'code'],
      registers: [ref],
    });
    const histogram = new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'x',
      labelNames: LABELS,
      buckets: DURATION_BUCKETS,
      registers: [ref],
    });
    const requests: [RequestLabels, string, number | undefined][] = [
      [labels('POST', 'configmaps'), '201', 0.002],
      [labels('POST', 'configmaps'), '201', 0.005],
      [labels('POST', 'configmaps'), '409', 0.03],
      [labels('GET', 'pods', { scope: 'resource', subresource: 'status' }), '200', 2.5],
      [labels('LIST', 'pods', { dry_run: 'All', group: 'apps' }), '200', 120],
      [labels('WATCH', 'pods'), '200', undefined],
    ];
    for (const [l, code, seconds] of requests) {
      m.requests.record(l, code, seconds);
      counter.inc({ ...l, code });
      if (seconds !== undefined) histogram.observe({ ...l }, seconds);
    }
    const ours = await m.registry.metrics();
    const theirs = await ref.metrics();
    for (const name of ['apiserver_request_total', 'apiserver_request_duration_seconds']) {
      const o = family(ours, name);
      expect(o.length).toBeGreaterThan(0);
      expect(o).toEqual(family(theirs, name));
    }
    expect(ours).toContain(
      'apiserver_request_total{verb="POST",dry_run="",group="",version="v1",resource="configmaps",subresource="",scope="namespace",component="apiserver",code="201"} 2',
    );
    expect(ours).toContain('# TYPE apiserver_request_duration_seconds histogram');
    // Watches are counted, but have no latency.
    expect(ours).not.toMatch(/apiserver_request_duration_seconds_count\{verb="WATCH"/);
  });
});
