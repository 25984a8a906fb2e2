import { describe, expect, it } from 'vitest';
import { formatGoFloat, resourceMetricsText } from './prometheus.js';
import type { Summary } from './types.js';

describe('formatGoFloat', () => {
  it("writes floats as Go's strconv 'g' with the shortest precision", () => {
    expect(formatGoFloat(0)).toBe('0');
    expect(formatGoFloat(1)).toBe('1');
    expect(formatGoFloat(28.549683)).toBe('28.549683');
    expect(formatGoFloat(123456)).toBe('123456');
    expect(formatGoFloat(1234567)).toBe('1.234567e+06');
    expect(formatGoFloat(24576000)).toBe('2.4576e+07');
    expect(formatGoFloat(1_700_000_000)).toBe('1.7e+09');
    expect(formatGoFloat(0.0001)).toBe('0.0001');
    expect(formatGoFloat(0.00001234)).toBe('1.234e-05');
    expect(formatGoFloat(1e21)).toBe('1e+21');
    expect(formatGoFloat(-2.5e-7)).toBe('-2.5e-07');
    expect(formatGoFloat(Number.NaN)).toBe('NaN');
    expect(formatGoFloat(Infinity)).toBe('+Inf');
  });
});

const T = '2024-05-01T10:00:00Z';
const MS = Date.parse(T);

const summary: Summary = {
  node: {
    nodeName: 'n1',
    startTime: '2024-04-01T00:00:00Z',
    cpu: { time: T, usageNanoCores: 5e8, usageCoreNanoSeconds: 12_500_000_000 },
    memory: { time: T, workingSetBytes: 1_616_646_144 },
    swap: { time: T, swapUsageBytes: 0 },
  },
  pods: [
    {
      podRef: { name: 'web', namespace: 'default', uid: 'u1' },
      startTime: T,
      containers: [
        {
          name: 'nginx',
          startTime: '2024-05-01T09:00:00Z',
          cpu: { time: T, usageCoreNanoSeconds: 28_549_683_000 },
          memory: { time: T, workingSetBytes: 3_145_728 },
        },
        {
          name: 'app"x',
          startTime: '2024-05-01T09:30:00Z',
          cpu: { time: T, usageCoreNanoSeconds: 1e9 },
          memory: { time: T, workingSetBytes: 0 },
          swap: { time: T, swapAvailableBytes: 100, swapUsageBytes: 20 },
        },
      ],
      cpu: { time: T, usageCoreNanoSeconds: 30e9 },
      memory: { time: T, workingSetBytes: 4_000_000 },
    },
    {
      podRef: { name: 'api', namespace: 'apps', uid: 'u2' },
      startTime: T,
      containers: [{ name: 'main', startTime: '1970-01-01T00:00:00Z' }],
    },
  ],
};

describe('resourceMetricsText', () => {
  it("renders upstream's families, labels, values and timestamps, sorted as the Go client does", () => {
    expect(resourceMetricsText(summary)).toBe(
      [
        '# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds',
        '# TYPE container_cpu_usage_seconds_total counter',
        `container_cpu_usage_seconds_total{container="app\\"x",namespace="default",pod="web"} 1 ${MS}`,
        `container_cpu_usage_seconds_total{container="nginx",namespace="default",pod="web"} 28.549683 ${MS}`,
        '# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes',
        '# TYPE container_memory_working_set_bytes gauge',
        `container_memory_working_set_bytes{container="app\\"x",namespace="default",pod="web"} 0 ${MS}`,
        `container_memory_working_set_bytes{container="nginx",namespace="default",pod="web"} 3.145728e+06 ${MS}`,
        '# HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch in seconds',
        '# TYPE container_start_time_seconds gauge',
        'container_start_time_seconds{container="app\\"x",namespace="default",pod="web"} 1.7145558e+09',
        'container_start_time_seconds{container="nginx",namespace="default",pod="web"} 1.714554e+09',
        '# HELP container_swap_limit_bytes [ALPHA] Current amount of the container swap limit in bytes. Reported only on non-windows systems',
        '# TYPE container_swap_limit_bytes gauge',
        `container_swap_limit_bytes{container="app\\"x",namespace="default",pod="web"} 120 ${MS}`,
        '# HELP container_swap_usage_bytes [ALPHA] Current amount of the container swap usage in bytes. Reported only on non-windows systems',
        '# TYPE container_swap_usage_bytes gauge',
        `container_swap_usage_bytes{container="app\\"x",namespace="default",pod="web"} 20 ${MS}`,
        '# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds',
        '# TYPE node_cpu_usage_seconds_total counter',
        `node_cpu_usage_seconds_total 12.5 ${MS}`,
        '# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes',
        '# TYPE node_memory_working_set_bytes gauge',
        `node_memory_working_set_bytes 1.616646144e+09 ${MS}`,
        '# HELP node_swap_usage_bytes [ALPHA] Current swap usage of the node in bytes. Reported only on non-windows systems',
        '# TYPE node_swap_usage_bytes gauge',
        `node_swap_usage_bytes 0 ${MS}`,
        '# HELP pod_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the pod in core-seconds',
        '# TYPE pod_cpu_usage_seconds_total counter',
        `pod_cpu_usage_seconds_total{namespace="default",pod="web"} 30 ${MS}`,
        '# HELP pod_memory_working_set_bytes [STABLE] Current working set of the pod in bytes',
        '# TYPE pod_memory_working_set_bytes gauge',
        `pod_memory_working_set_bytes{namespace="default",pod="web"} 4e+06 ${MS}`,
        '# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise',
        '# TYPE resource_scrape_error gauge',
        'resource_scrape_error 0',
        '',
      ].join('\n'),
    );
  });

  it('reports only resource_scrape_error 1 when the summary failed', () => {
    expect(resourceMetricsText(undefined)).toBe(
      '# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise\n' +
        '# TYPE resource_scrape_error gauge\nresource_scrape_error 1\n',
    );
  });
});
