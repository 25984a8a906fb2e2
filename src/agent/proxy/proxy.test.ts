import { afterEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../../../test/support/poll.js';
import { ENDPOINTSLICES, SERVICES } from '../../client/resources.js';
import { FakeClient } from '../../client/testing/fake-client.js';
import { logger } from '../../util/log.js';
import { NftError } from './apply.js';
import { ep, slice, svc } from './fixtures.js';
import { ServiceProxy } from './proxy.js';

const silent = logger.child({ component: 'proxy-test' });
silent.level = 'silent';

/** Records every transaction; refuses those that mention a poisoned name. */
function recorder(poison?: string): { scripts: string[]; run: (s: string) => Promise<void> } {
  const scripts: string[] = [];
  return {
    scripts,
    run: (s) => {
      if (poison && s.includes(poison)) return Promise.reject(new NftError('nft -f exited 1: refused', ''));
      scripts.push(s);
      return Promise.resolve();
    },
  };
}

const proxies: ServiceProxy[] = [];
const conntrackCalls: string[] = [];
afterEach(async () => {
  for (const p of proxies.splice(0)) await p.stop();
});

function newProxy(client: FakeClient, run: (s: string) => Promise<void>, minSyncPeriodMs = 0): ServiceProxy {
  const p = new ServiceProxy({
    client,
    nodeName: 'node-a',
    nodeIPs: ['192.168.1.10'],
    clusterCIDR: '10.42.0.0/16',
    logger: silent,
    minSyncPeriodMs,
    retryInitialMs: 20,
    table: 't',
    nft: run,
    conntrack: (args) => {
      conntrackCalls.push(args.join(' '));
      return Promise.resolve();
    },
  });
  proxies.push(p);
  return p;
}

describe('ServiceProxy', () => {
  it('tells whether the programmed rules send new connections to an address', async () => {
    const client = new FakeClient();
    client.put(SERVICES, svc('web', '10.43.0.20'));
    client.put(
      ENDPOINTSLICES,
      slice('web', [ep('10.42.0.2'), ep('10.42.0.3'), ep('10.42.0.4', 'node-a', { ready: false })]),
    );
    const proxy = newProxy(client, recorder().run);
    await proxy.start();
    expect(proxy.routes('10.42.0.2')).toBe(true);
    expect(proxy.routes('10.42.0.3')).toBe(true);
    expect(proxy.routes('10.42.0.4')).toBe(false);
    // The endpoint turns terminating (not ready) while another is ready: no new connections to it.
    client.put(
      ENDPOINTSLICES,
      slice('web', [
        ep('10.42.0.2'),
        ep('10.42.0.3', 'node-a', { ready: false, serving: true, terminating: true }),
      ]),
    );
    expect(await proxy.waitUnrouted('10.42.0.3', 5000)).toBe(true);
    expect(proxy.routes('10.42.0.2')).toBe(true);
  });

  it('starts with one full sync of what the caches hold, then writes only changes', async () => {
    const client = new FakeClient();
    client.put(SERVICES, svc('web', '10.43.0.20'));
    client.put(ENDPOINTSLICES, slice('web', [ep('10.42.0.2')]));
    const rec = recorder();
    const proxy = newProxy(client, rec.run);
    await proxy.start();
    expect(rec.scripts).toHaveLength(1);
    expect(rec.scripts[0]).toContain('delete table ip t');
    expect(rec.scripts[0]).toContain('10.43.0.20 . tcp . 80 : goto cip-default/web/tcp/http');

    client.put(ENDPOINTSLICES, slice('web', [ep('10.42.0.2'), ep('10.42.0.3')]));
    await pollUntil(
      'the incremental sync',
      () => rec.scripts.length,
      (n) => n === 2,
      { timeoutMs: 5000 },
    );
    expect(rec.scripts[1]).not.toContain('delete table');
    expect(rec.scripts[1]).toContain('add element ip t hairpin-endpoints { 10.42.0.3 . 10.42.0.3 }');

    client.remove(SERVICES, 'default/web');
    await pollUntil(
      'the removal',
      () => rec.scripts.length,
      (n) => n === 3,
      { timeoutMs: 5000 },
    );
    expect(rec.scripts[2]).toContain('delete element ip t service-ips { 10.43.0.20 . tcp . 80 }');
    expect(rec.scripts[2]).toContain('delete chain ip t cip-default/web/tcp/http');
    await pollUntil(
      'idle',
      () => proxy.idle(),
      (x) => x,
      { timeoutMs: 5000 },
    );
    const metrics = await proxy.metricsText();
    expect(metrics).toMatch(/kubeproxy_sync_proxy_rules_duration_seconds_count 3/);
    expect(metrics).toMatch(/kubeproxy_network_programming_duration_seconds_count 2/);
  });

  it('coalesces a burst of changes within the minimum sync period', async () => {
    const client = new FakeClient();
    client.put(SERVICES, svc('web', '10.43.0.20'));
    const rec = recorder();
    const proxy = newProxy(client, rec.run, 300);
    await proxy.start();
    for (let i = 2; i < 12; i++) client.put(ENDPOINTSLICES, slice('web', [ep(`10.42.0.${i}`)]));
    await pollUntil(
      'the burst is programmed',
      () => rec.scripts.join(''),
      (s) => s.includes('10.42.0.11'),
      {
        timeoutMs: 5000,
      },
    );
    // the first change right away (idle), the rest together after the minimum period
    expect(rec.scripts.length).toBeLessThanOrEqual(3);
    await pollUntil(
      'idle',
      () => proxy.idle(),
      (x) => x,
      { timeoutMs: 5000 },
    );
  });

  it('holds back a service the kernel refuses and programs the others', async () => {
    const client = new FakeClient();
    client.put(SERVICES, svc('good', '10.43.0.20'));
    client.put(SERVICES, svc('bad', '10.43.0.21'));
    client.put(ENDPOINTSLICES, slice('good', [ep('10.42.0.2')]));
    client.put(ENDPOINTSLICES, slice('bad', [ep('10.42.0.3')]));
    const rec = recorder('default/bad/');
    const proxy = newProxy(client, rec.run);
    await proxy.start();
    // the full sync was refused; the bare table and then the good service went in one by one
    expect(rec.scripts.join('')).toContain('goto cip-default/good/tcp/http');
    expect(rec.scripts.join('')).not.toContain('default/bad/');
    // other services keep being programmed while the bad one is retried
    client.put(SERVICES, svc('later', '10.43.0.22'));
    await pollUntil(
      'the later service',
      () => rec.scripts.join(''),
      (s) => s.includes('10.43.0.22'),
      {
        timeoutMs: 5000,
      },
    );
  });

  it('retries a failed sync with backoff until the kernel takes it', async () => {
    const client = new FakeClient();
    client.put(SERVICES, svc('web', '10.43.0.20'));
    let refusals = 2;
    const scripts: string[] = [];
    const proxy = newProxy(client, (s) => {
      if (refusals-- > 0) return Promise.reject(new Error('nft not ready'));
      scripts.push(s);
      return Promise.resolve();
    });
    await proxy.start();
    expect(scripts[0]).toContain('delete table ip t');
  });

  it('fails start() when nft is not installed', async () => {
    const client = new FakeClient();
    const proxy = newProxy(client, () =>
      Promise.reject(Object.assign(new Error('spawn nft ENOENT'), { code: 'ENOENT' })),
    );
    await expect(proxy.start()).rejects.toThrow(/cannot program the kernel: spawn nft ENOENT/);
  });

  it('stops syncing on stop(); cleanup() deletes the table', async () => {
    const client = new FakeClient();
    const rec = recorder();
    const proxy = newProxy(client, rec.run);
    await proxy.start();
    await proxy.stop();
    client.put(SERVICES, svc('web', '10.43.0.20'));
    await new Promise((r) => setTimeout(r, 100));
    expect(rec.scripts).toHaveLength(1);
    await proxy.cleanup();
    expect(rec.scripts[1]).toBe('add table ip t\ndelete table ip t\n');
  });
});

describe('ServiceProxy UDP flows', () => {
  it('clears conntrack entries of a removed UDP endpoint and of a UDP service that got endpoints', async () => {
    const client = new FakeClient();
    const dnsPorts = [{ name: 'dns', port: 53, protocol: 'UDP' as const }];
    const slicePorts = [{ name: 'dns', port: 10053, protocol: 'UDP' as const }];
    client.put(SERVICES, svc('dns', '10.43.0.10', {}, { ports: dnsPorts }));
    const rec = recorder();
    const proxy = newProxy(client, rec.run);
    conntrackCalls.length = 0;
    await proxy.start();
    client.put(ENDPOINTSLICES, slice('dns', [ep('10.42.0.2'), ep('10.42.0.3')], { ports: slicePorts }));
    await pollUntil(
      'flows to the new service',
      () => conntrackCalls.slice(),
      (c) => c.length > 0,
      { timeoutMs: 5000 },
    );
    expect(conntrackCalls).toEqual(['-D -p udp --orig-dst 10.43.0.10 --orig-port-dst 53']);
    client.put(ENDPOINTSLICES, slice('dns', [ep('10.42.0.2')], { ports: slicePorts }));
    await pollUntil(
      'flows of the gone endpoint',
      () => conntrackCalls.slice(),
      (c) => c.length > 1,
      { timeoutMs: 5000 },
    );
    expect(conntrackCalls[1]).toBe('-D -p udp --reply-src 10.42.0.3 --reply-port-src 10053');
  });
});
