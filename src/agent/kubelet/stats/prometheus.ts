/**
 * `/metrics/resource`: the kubelet's resource metrics in the Prometheus text format (0.0.4), derived
 * from a CPU-and-memory Summary, with upstream's metric names, labels, HELP texts (with their
 * stability level in brackets) and sample timestamps.
 *
 * Formatted by hand rather than with prom-client: the series are rebuilt from scratch on every scrape
 * (containers come and go, so long-lived gauges would leak series), and samples carry the time the
 * figure was measured, which prom-client cannot express. Output follows the Go client's rules:
 * families sorted by name, labels sorted by name, series sorted by label values, values in Go's
 * shortest `%g` form, timestamps in integer milliseconds, families without samples left out.
 * (`scrape_error`, deprecated in 1.29, is hidden from 1.30 on; only `resource_scrape_error` remains.)
 */
import { sampleTimeMs } from './convert.js';
import type { ContainerStats, PodStats, Summary } from './types.js';

type Stability = 'STABLE' | 'ALPHA';

interface Family {
  help: string;
  type: 'counter' | 'gauge';
  stability: Stability;
}

/** The families of /metrics/resource. */
const FAMILIES: Record<string, Family> = {
  node_cpu_usage_seconds_total: {
    help: 'Cumulative cpu time consumed by the node in core-seconds',
    type: 'counter',
    stability: 'STABLE',
  },
  node_memory_working_set_bytes: {
    help: 'Current working set of the node in bytes',
    type: 'gauge',
    stability: 'STABLE',
  },
  node_swap_usage_bytes: {
    help: 'Current swap usage of the node in bytes. Reported only on non-windows systems',
    type: 'gauge',
    stability: 'ALPHA',
  },
  container_cpu_usage_seconds_total: {
    help: 'Cumulative cpu time consumed by the container in core-seconds',
    type: 'counter',
    stability: 'STABLE',
  },
  container_memory_working_set_bytes: {
    help: 'Current working set of the container in bytes',
    type: 'gauge',
    stability: 'STABLE',
  },
  container_swap_usage_bytes: {
    help: 'Current amount of the container swap usage in bytes. Reported only on non-windows systems',
    type: 'gauge',
    stability: 'ALPHA',
  },
  container_swap_limit_bytes: {
    help: 'Current amount of the container swap limit in bytes. Reported only on non-windows systems',
    type: 'gauge',
    stability: 'ALPHA',
  },
  container_start_time_seconds: {
    help: 'Start time of the container since unix epoch in seconds',
    type: 'gauge',
    stability: 'STABLE',
  },
  pod_cpu_usage_seconds_total: {
    help: 'Cumulative cpu time consumed by the pod in core-seconds',
    type: 'counter',
    stability: 'STABLE',
  },
  pod_memory_working_set_bytes: {
    help: 'Current working set of the pod in bytes',
    type: 'gauge',
    stability: 'STABLE',
  },
  pod_swap_usage_bytes: {
    help: 'Current amount of the pod swap usage in bytes. Reported only on non-windows systems',
    type: 'gauge',
    stability: 'ALPHA',
  },
  resource_scrape_error: {
    help: '1 if there was an error while getting container metrics, 0 otherwise',
    type: 'gauge',
    stability: 'STABLE',
  },
};

interface Sample {
  labels: [string, string][];
  value: number;
  timestampMs?: number;
}

/**
 * A float64 as Go's `strconv.FormatFloat(v, 'g', -1, 64)` writes it (what the Prometheus Go client
 * emits): the shortest digits that read back to the same value, in exponent form (`2.4576e+07`, at
 * least two exponent digits) when the decimal exponent is below -4 or at least 6.
 */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant = '0', expText = '0'] = v.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    const abs = Math.abs(exp);
    return `${mant}e${sign}${abs < 10 ? '0' : ''}${abs}`;
  }
  return String(v);
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function epochMs(time: string): number | undefined {
  const ms = Date.parse(time);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Collects samples per family. */
class Collector {
  readonly samples = new Map<string, Sample[]>();

  /** Adds a sample, stamped with the sample time of the Summary piece `at` when given. */
  add(name: string, value: number, labels: Record<string, string> = {}, at?: { time: string }): void {
    const list = this.samples.get(name) ?? [];
    const ts = at === undefined ? undefined : sampleTimeMs(at);
    list.push({
      labels: Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      value,
      ...(ts !== undefined && Number.isFinite(ts) ? { timestampMs: ts } : {}),
    });
    this.samples.set(name, list);
  }

  text(): string {
    let out = '';
    for (const name of [...this.samples.keys()].sort()) {
      const fam = FAMILIES[name];
      const list = this.samples.get(name) ?? [];
      if (!fam || !list.length) continue;
      out += `# HELP ${name} ${escapeHelp(`[${fam.stability}] ${fam.help}`)}\n# TYPE ${name} ${fam.type}\n`;
      const keyed = list.map((s) => ({ s, key: s.labels.map(([, v]) => v).join('\u0000') }));
      keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      for (const { s } of keyed) {
        const labels = s.labels.length
          ? `{${s.labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`
          : '';
        const ts = s.timestampMs !== undefined ? ` ${s.timestampMs}` : '';
        out += `${name}${labels} ${formatGoFloat(s.value)}${ts}\n`;
      }
    }
    return out;
  }
}

function containerSamples(c: Collector, pod: PodStats, ctr: ContainerStats): void {
  const labels = { container: ctr.name, pod: pod.podRef.name, namespace: pod.podRef.namespace };
  const start = epochMs(ctr.startTime);
  if (start !== undefined && start > 0) c.add('container_start_time_seconds', start / 1000, labels);
  if (ctr.cpu?.usageCoreNanoSeconds !== undefined)
    c.add('container_cpu_usage_seconds_total', ctr.cpu.usageCoreNanoSeconds / 1e9, labels, ctr.cpu);
  if (ctr.memory?.workingSetBytes !== undefined)
    c.add('container_memory_working_set_bytes', ctr.memory.workingSetBytes, labels, ctr.memory);
  if (ctr.swap) {
    if (ctr.swap.swapUsageBytes !== undefined)
      c.add('container_swap_usage_bytes', ctr.swap.swapUsageBytes, labels, ctr.swap);
    if (ctr.swap.swapAvailableBytes !== undefined)
      c.add(
        'container_swap_limit_bytes',
        ctr.swap.swapAvailableBytes + (ctr.swap.swapUsageBytes ?? 0),
        labels,
        ctr.swap,
      );
  }
}

/**
 * The text of /metrics/resource for a CPU-and-memory Summary; `summary` undefined means collecting
 * it failed (only `resource_scrape_error 1` is reported then).
 */
export function resourceMetricsText(summary: Summary | undefined): string {
  const c = new Collector();
  if (summary) {
    const node = summary.node;
    if (node.cpu?.usageCoreNanoSeconds !== undefined)
      c.add('node_cpu_usage_seconds_total', node.cpu.usageCoreNanoSeconds / 1e9, {}, node.cpu);
    if (node.memory?.workingSetBytes !== undefined)
      c.add('node_memory_working_set_bytes', node.memory.workingSetBytes, {}, node.memory);
    if (node.swap?.swapUsageBytes !== undefined)
      c.add('node_swap_usage_bytes', node.swap.swapUsageBytes, {}, node.memory ?? node.swap);
    for (const pod of summary.pods) {
      for (const ctr of pod.containers) containerSamples(c, pod, ctr);
      const labels = { pod: pod.podRef.name, namespace: pod.podRef.namespace };
      if (pod.cpu?.usageCoreNanoSeconds !== undefined)
        c.add('pod_cpu_usage_seconds_total', pod.cpu.usageCoreNanoSeconds / 1e9, labels, pod.cpu);
      if (pod.memory?.workingSetBytes !== undefined)
        c.add('pod_memory_working_set_bytes', pod.memory.workingSetBytes, labels, pod.memory);
      if (pod.swap?.swapUsageBytes !== undefined)
        c.add('pod_swap_usage_bytes', pod.swap.swapUsageBytes, labels, pod.swap);
    }
  }
  c.add('resource_scrape_error', summary ? 0 : 1);
  return c.text();
}
