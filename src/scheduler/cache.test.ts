import { describe, expect, it } from 'vitest';
import { SchedulerCache } from './cache.js';
import { PodInfo } from './podinfo.js';
import { makeNode, makePod } from './testing/harness.js';

const zone = 'topology.kubernetes.io/zone';

describe('SchedulerCache', () => {
  it('counts assumed pods at once, confirms them on binding, and forgets them on failure', () => {
    const cache = new SchedulerCache();
    cache.addOrUpdateNode(makeNode('a', { cpu: '2' }));
    const p = new PodInfo(makePod('p', { cpu: '1' }));
    cache.assumePod(p, 'a');
    expect(cache.node('a')?.requested.milliCPU).toBe(1000);
    expect(cache.isAssumed('default/p')).toBe(true);
    const q = new PodInfo(makePod('q', { cpu: '500m' }));
    cache.assumePod(q, 'a');
    cache.forgetPod('default/q');
    expect(cache.node('a')?.requested.milliCPU).toBe(1000);
    expect(cache.confirm('default/p', { ...p.pod, spec: { ...p.pod.spec!, nodeName: 'a' } })).toBe(true);
    expect(cache.isAssumed('default/p')).toBe(false);
    cache.forgetPod('default/p'); // bound pods stay
    expect(cache.node('a')?.pods.size).toBe(1);
    cache.removePod('default/p');
    expect(cache.node('a')?.requested.milliCPU).toBe(0);
  });

  it('keeps per-node and per-domain counts of matching pods through pod and node label changes', () => {
    const cache = new SchedulerCache();
    cache.addOrUpdateNode(makeNode('a', { labels: { [zone]: 'z1' } }));
    cache.addOrUpdateNode(makeNode('b', { labels: { [zone]: 'z2' } }));
    const web = (n: string, ns = 'default'): PodInfo =>
      new PodInfo(makePod(n, { namespace: ns, labels: { app: 'web' } }));
    cache.addOrUpdateBoundPod(web('w1'), 'a');
    const idx = cache.selectorCounts('test:app=web', (p) => p.labels['app'] === 'web');
    expect(idx.perDomain(zone).get('z1')?.get('default')).toBe(1);
    cache.addOrUpdateBoundPod(web('w2'), 'b');
    cache.addOrUpdateBoundPod(web('w3', 'other'), 'b');
    cache.addOrUpdateBoundPod(new PodInfo(makePod('db', { labels: { app: 'db' } })), 'b');
    expect(idx.perNode.get('b')?.get('default')).toBe(1);
    expect(idx.perDomain(zone).get('z2')?.get('other')).toBe(1);
    // Node b moves to zone z1: the domains follow.
    cache.addOrUpdateNode(makeNode('b', { labels: { [zone]: 'z1' } }));
    expect(cache.domains(zone)).toEqual(new Map([['z1', 2]]));
    expect(idx.perDomain(zone).get('z1')?.get('default')).toBe(2);
    cache.removePod('default/w1');
    expect(idx.perDomain(zone).get('z1')?.get('default')).toBe(1);
    cache.removeNode('b');
    expect(cache.domains(zone)).toEqual(new Map([['z1', 1]]));
  });

  it('tracks images and how many nodes have each', () => {
    const cache = new SchedulerCache();
    const img = { names: ['k8ts.local/app:1'], sizeBytes: 100 };
    cache.addOrUpdateNode(makeNode('a', { images: [img] }));
    cache.addOrUpdateNode(makeNode('b', { images: [img] }));
    expect(cache.node('a')?.images.get('k8ts.local/app:1')?.numNodes.count).toBe(2);
    cache.removeNode('b');
    expect(cache.node('a')?.images.get('k8ts.local/app:1')?.numNodes.count).toBe(1);
  });
});
