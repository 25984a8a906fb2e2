import { describe, expect, it } from 'vitest';
import { NODES, PODS } from '../../client/resources.js';
import { TaintEvictionController } from './taint-eviction.js';
import { Bench } from './testing/harness.js';
import { stopAfterEach } from '../framework/testing/harness.js';

const track = stopAfterEach();

function taint(b: Bench, node: string, key: string, timeAdded?: string): void {
  const n = b.node(node);
  b.fake.put(NODES, {
    ...n,
    spec: { ...n?.spec, taints: [{ key, effect: 'NoExecute', ...(timeAdded ? { timeAdded } : {}) }] },
  });
}

describe('taint eviction controller', () => {
  it('counts tolerationSeconds from the taint timeAdded, for pods that arrive later too', async () => {
    const b = new Bench();
    track(b);
    b.addNode('n1');
    const eviction = new TaintEvictionController({ timers: b.timers });
    await b.start(eviction);
    taint(b, 'n1', 'maintenance', b.nowString());
    await b.advance(4_000);
    b.addPod('late', 'n1', {
      tolerations: [{ key: 'maintenance', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }],
    });
    await b.advance(500);
    expect(eviction.scheduledAt('default/late')).toBe(
      Date.parse(b.node('n1')?.spec?.taints?.[0]?.timeAdded ?? '') + 10_000,
    );
    await b.advance(5_000);
    expect(b.pod('late')).toBeDefined();
    await b.advance(1_000);
    expect(b.pod('late')).toBeUndefined();
  });

  it('re-decides when tolerations change, and leaves terminating pods alone', async () => {
    const b = new Bench();
    track(b);
    b.addNode('n1');
    b.addPod('web', 'n1', { tolerations: [{ key: 'maintenance', operator: 'Exists', effect: 'NoExecute' }] });
    const eviction = new TaintEvictionController({ timers: b.timers });
    await b.start(eviction);
    taint(b, 'n1', 'maintenance');
    await b.advance(60_000);
    expect(b.pod('web')).toBeDefined(); // tolerated for ever
    const p = b.pod('web');
    b.fake.put(PODS, { ...p, spec: { ...p?.spec, tolerations: [] } });
    await b.advance(500);
    expect(b.pod('web')).toBeUndefined();
    expect(b.events()).toEqual(['TaintManagerEviction: Marking for deletion Pod default/web']);
    const disruption = b.fake.calls.filter((c) => c.startsWith('updateStatus pods'));
    expect(disruption).toEqual(['updateStatus pods default/web']);
  });
});
