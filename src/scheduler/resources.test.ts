import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { nodeAllocatable, podRequests } from './resources.js';

function pod(spec: Partial<NonNullable<Pod['spec']>>): Pod {
  return { spec: { containers: [], ...spec } };
}
const c = (name: string, requests: Record<string, string>, restartPolicy?: string) => ({
  name,
  resources: { requests },
  ...(restartPolicy ? { restartPolicy } : {}),
});

describe('podRequests', () => {
  it('sums containers and takes the largest init container when that is more', () => {
    const r = podRequests(
      pod({
        containers: [c('a', { cpu: '2', memory: '1G' }), c('b', { cpu: '1', memory: '1G' })],
        initContainers: [c('i1', { cpu: '2', memory: '1G' }), c('i2', { cpu: '2', memory: '3G' })],
      }),
    ).requests;
    expect(r.milliCPU).toBe(3000);
    expect(r.memory).toBe(3e9);
  });

  it('counts sidecars next to the containers and under every later init container', () => {
    const r = podRequests(
      pod({
        initContainers: [c('side', { cpu: '500m' }, 'Always'), c('init', { cpu: '1' })],
        containers: [c('app', { cpu: '1' })],
      }),
    ).requests;
    // app + sidecar = 1.5; init step = 1 + sidecar 0.5 = 1.5.
    expect(r.milliCPU).toBe(1500);
    const bigInit = podRequests(
      pod({
        initContainers: [c('side', { cpu: '500m' }, 'Always'), c('init', { cpu: '2' })],
        containers: [c('app', { cpu: '1' })],
      }),
    ).requests;
    expect(bigInit.milliCPU).toBe(2500);
  });

  it('adds overhead and keeps extended resources', () => {
    const r = podRequests(
      pod({
        containers: [c('a', { cpu: '100m', 'example.com/gpu': '2' })],
        overhead: { cpu: '250m', memory: '64Mi' },
      }),
    ).requests;
    expect(r.milliCPU).toBe(350);
    expect(r.memory).toBe(64 * 1024 * 1024);
    expect(r.scalar?.get('example.com/gpu')).toBe(2);
  });

  it('gives containers without requests the scoring defaults (100m, 200Mi), not explicit zeros', () => {
    const r = podRequests(pod({ containers: [c('a', {}), c('b', { cpu: '0', memory: '0' })] }));
    expect(r.requests.isZero()).toBe(true);
    expect(r.nonZeroMilliCPU).toBe(100);
    expect(r.nonZeroMemory).toBe(200 * 1024 * 1024);
  });
});

describe('nodeAllocatable', () => {
  it('reads allocatable, falling back to capacity', () => {
    expect(nodeAllocatable({ allocatable: { cpu: '3500m', pods: '110' } }).milliCPU).toBe(3500);
    expect(nodeAllocatable({ capacity: { memory: '1Ki' } }).memory).toBe(1024);
  });
});
