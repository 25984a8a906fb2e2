import { describe, expect, it } from 'vitest';
import { SchedulerCache } from './cache.js';
import { PodInfo } from './podinfo.js';
import { makeNode, makePod } from './testing/harness.js';

describe('SchedulerCache.refreshBoundPod', () => {
  it('moves a bound pod onto its later version without changing what it counts', () => {
    const cache = new SchedulerCache();
    cache.addOrUpdateNode(makeNode('a', { cpu: '2' }));
    const v1 = makePod('p', { cpu: '500m', labels: { app: 'web' } });
    const bound = { ...v1, spec: { ...v1.spec!, nodeName: 'a' } };
    cache.addOrUpdateBoundPod(new PodInfo(bound), 'a');
    // A status update: a new object, labels and spec equal in value.
    const v2 = structuredClone(bound);
    v2.status = { phase: 'Running' };
    expect(cache.refreshBoundPod('default/p', v2)).toBe(true);
    const info = cache.node('a')?.pods.get('default/p');
    expect(info?.pod).toBe(v2);
    expect(info?.labels).toBe(v2.metadata?.labels);
    expect(info?.tolerations).toBe(v2.spec?.tolerations ?? info?.tolerations);
    expect(cache.node('a')?.requested.milliCPU).toBe(500);
    expect(cache.node('a')?.pods.size).toBe(1);
  });

  it('leaves assumed and unknown pods alone', () => {
    const cache = new SchedulerCache();
    cache.addOrUpdateNode(makeNode('a', { cpu: '2' }));
    const p = new PodInfo(makePod('p', { cpu: '1' }));
    cache.assumePod(p, 'a');
    expect(cache.refreshBoundPod('default/p', makePod('p', { cpu: '1' }))).toBe(false);
    expect(cache.node('a')?.pods.get('default/p')).toBe(p);
    expect(cache.refreshBoundPod('default/none', makePod('none', {}))).toBe(false);
  });
});
