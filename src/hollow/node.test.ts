import { describe, expect, it } from 'vitest';
import { IpPool, fallbackPodCidr } from './ips.js';
import { hollowNode, hollowNodeIP, zoneName } from './node.js';
import { DEFAULT_HOLLOW_OPTIONS, parseDurationMs, parseLabels, parseTaints } from './options.js';

describe('hollow node objects', () => {
  const opts = { ...DEFAULT_HOLLOW_OPTIONS, count: 5, zones: 3, labels: { team: 'a' } };

  it('spreads nodes over zones round-robin and labels them as a kubelet does', () => {
    const zones = [0, 1, 2, 3, 4].map(
      (i) => hollowNode(opts, i, 'now').metadata.labels?.['topology.kubernetes.io/zone'],
    );
    expect(zones).toEqual(['zone-a', 'zone-b', 'zone-c', 'zone-a', 'zone-b']);
    expect(zoneName(30)).toBe('zone-30');
    const n = hollowNode(opts, 1, '2026-11-29T10:00:00Z');
    expect(n.metadata.name).toBe('hollow-1');
    expect(n.metadata.labels).toMatchObject({
      'kubernetes.io/hostname': 'hollow-1',
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      team: 'a',
    });
    expect(n.status?.capacity).toMatchObject({ cpu: '4', memory: '16Gi', pods: '110' });
    expect(n.status?.allocatable).toEqual(n.status?.capacity);
    expect(n.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'True',
      reason: 'KubeletReady',
      lastHeartbeatTime: '2026-11-29T10:00:00Z',
    });
    expect(n.status?.addresses).toEqual([
      { type: 'InternalIP', address: hollowNodeIP('hollow-', 1) },
      { type: 'Hostname', address: 'hollow-1' },
    ]);
    expect(n.spec).toEqual({});
  });

  it('registers with the taints asked for', () => {
    const n = hollowNode({ ...opts, taints: parseTaints('dedicated=db:NoSchedule,gpu:NoExecute') }, 0, 'now');
    expect(n.spec?.taints).toEqual([
      { key: 'dedicated', value: 'db', effect: 'NoSchedule' },
      { key: 'gpu', effect: 'NoExecute' },
    ]);
  });

  it('gives distinct node IPs', () => {
    const ips = new Set(Array.from({ length: 2000 }, (_, i) => hollowNodeIP('hollow-', i)));
    expect(ips.size).toBe(2000);
    for (const ip of ips) expect(ip).toMatch(/^172\.(1[6-9]|2\d|3[01])\.\d+\.([1-9]\d*)$/);
  });
});

describe('flag values', () => {
  it('parses labels, taints and durations, and says what is wrong', () => {
    expect(parseLabels('a=1, b=2,c=')).toEqual({ a: '1', b: '2', c: '' });
    expect(() => parseLabels('nope')).toThrow('invalid label "nope": want key=value');
    expect(() => parseTaints('k=v:Sometimes')).toThrow('invalid taint "k=v:Sometimes"');
    expect(parseDurationMs('1m30s')).toBe(90_000);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('1.5s')).toBe(1500);
    expect(() => parseDurationMs('soon')).toThrow('invalid duration "soon"');
  });
});

describe('pod IP pool', () => {
  it('hands out the addresses of the range but the network, gateway and broadcast', () => {
    const pool = new IpPool('10.42.7.0/24');
    expect(pool.allocate()).toBe('10.42.7.2');
    expect(pool.allocate()).toBe('10.42.7.3');
    const all = new Set<string>(['10.42.7.2', '10.42.7.3']);
    for (;;) {
      const ip = pool.allocate();
      if (!ip) break;
      all.add(ip);
    }
    expect(all.size).toBe(253);
    expect(all.has('10.42.7.255')).toBe(false);
    pool.release('10.42.7.100');
    expect(pool.allocate()).toBe('10.42.7.100');
    expect(pool.contains('10.42.8.1')).toBe(false);
  });

  it('has a simulated range for nodes without a podCIDR', () => {
    const cidr = fallbackPodCidr('hollow-3');
    expect(cidr).toMatch(/^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.\d+\.0\/24$/);
    expect(new IpPool(cidr).allocate()).toMatch(/\.2$/);
  });
});
