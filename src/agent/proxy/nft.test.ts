import { describe, expect, it } from 'vitest';
import { ep, slice, svc } from './fixtures.js';
import { buildState } from './generate.js';
import { emptyState, renderDiff, renderResync, type TableState } from './nft.js';

const node = { nodeName: 'node-a' };

function state(endpoints: string[], extra: { affinity?: boolean } = {}): TableState {
  const spec = extra.affinity ? { sessionAffinity: 'ClientIP' as const } : {};
  return buildState(
    [svc('web', '10.43.0.20', spec), svc('other', '10.43.0.21')],
    [
      slice(
        'web',
        endpoints.map((ip) => ep(ip)),
      ),
      slice('other', [ep('10.42.1.1')]),
    ],
    node,
    ['192.168.1.10'],
  ).state;
}

/** `b` with the fragments of `a` reused where they are equal, as the proxy keeps unchanged ones. */
function reuse(a: TableState, b: TableState): TableState {
  const fragments = new Map(b.fragments);
  for (const [k, f] of fragments) {
    const old = a.fragments.get(k);
    if (old && JSON.stringify([...old.chains, ...old.sets]) === JSON.stringify([...f.chains, ...f.sets])) {
      fragments.set(k, old);
    }
  }
  return { ...b, fragments };
}

describe('renderDiff', () => {
  it('is empty when nothing changed', () => {
    const a = state(['10.42.0.2']);
    expect(renderDiff('t', a, reuse(a, state(['10.42.0.2'])))).toBe('');
  });

  it('adds an endpoint by rewriting only the balancing chain and adding its hairpin element', () => {
    const a = state(['10.42.0.2']);
    const b = reuse(a, state(['10.42.0.2', '10.42.0.3']));
    expect(renderDiff('t', a, b).trim().split('\n')).toEqual([
      'flush chain ip t svc-default/web/tcp/http',
      'add rule ip t svc-default/web/tcp/http meta l4proto tcp dnat ip addr . port to numgen random mod 2 map { ' +
        '0 : 10.42.0.2 . 8080, 1 : 10.42.0.3 . 8080 }',
      'add element ip t hairpin-endpoints { 10.42.0.3 . 10.42.0.3 }',
    ]);
  });

  it('removes the last endpoint: map element moves to the reject map, chains are flushed then deleted', () => {
    const a = state(['10.42.0.2'], { affinity: true });
    const b = reuse(a, state([], { affinity: true }));
    const l = renderDiff('t', a, b).trim().split('\n');
    const at = (s: string): number => l.indexOf(s);
    expect(l).toContain('delete element ip t service-ips { 10.43.0.20 . tcp . 80 }');
    expect(l).toContain(
      'add element ip t no-endpoint-services { 10.43.0.20 . tcp . 80 : goto reject-chain }',
    );
    // unreferenced before deleted, and sets after the chains that use them
    expect(at('flush chain ip t svc-default/web/tcp/http')).toBeLessThan(
      at('delete chain ip t ep-default/web/tcp/http__10.42.0.2/8080'),
    );
    expect(at('delete element ip t service-ips { 10.43.0.20 . tcp . 80 }')).toBeLessThan(
      at('delete chain ip t cip-default/web/tcp/http'),
    );
    expect(at('delete chain ip t ep-default/web/tcp/http__10.42.0.2/8080')).toBeLessThan(
      at('delete set ip t aff-10800-default/web/tcp/http__10.42.0.2/8080'),
    );
    expect(l.some((x) => x.includes('other'))).toBe(false);
  });

  it('from an empty state writes everything, and back again removes everything', () => {
    const empty = emptyState(['192.168.1.10']);
    const a = state(['10.42.0.2']);
    const up = renderDiff('t', empty, a);
    expect(up).toContain('add element ip t service-ips');
    const down = renderDiff('t', a, empty).trim().split('\n');
    expect(down.filter((x) => x.startsWith('delete chain')).length).toBe(
      [...a.fragments.values()].reduce((n, f) => n + f.chains.size, 0),
    );
  });
});

describe('renderResync', () => {
  it('rewrites every rule and element without deleting the table, and drops what is gone', () => {
    const a = state(['10.42.0.2', '10.42.0.3'], { affinity: true });
    const b = state(['10.42.0.2'], { affinity: true });
    const l = renderResync('t', a, b).trim().split('\n');
    expect(l.slice(0, 2)).toEqual(['add table ip t', 'flush table ip t']);
    expect(l).not.toContain('delete table ip t');
    expect(l).toContain('flush map ip t service-ips');
    // the affinity set that stays is declared again (a no-op that keeps its entries), not deleted
    expect(l).toContain(
      'add set ip t aff-10800-default/web/tcp/http__10.42.0.2/8080 { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }',
    );
    expect(l).not.toContain('delete set ip t aff-10800-default/web/tcp/http__10.42.0.2/8080');
    expect(l).toContain('delete chain ip t ep-default/web/tcp/http__10.42.0.3/8080');
    expect(l.at(-1)).toBe('delete set ip t aff-10800-default/web/tcp/http__10.42.0.3/8080');
    const elements = l.find((x) => x.startsWith('add element ip t service-ips'));
    expect(elements).toContain('10.43.0.20 . tcp . 80 : goto cip-default/web/tcp/http');
    expect(elements).toContain('10.43.0.21 . tcp . 80 : goto cip-default/other/tcp/http');
  });
});
