import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors.js';
import type { KubeObject, StoredObject } from '../../api/meta.js';
import type { ServedResources } from '../../apiserver/served.js';
import { openSqliteServed, type SqliteServed } from '../../apiserver/testing/sqlite-served.js';
import type { SqliteBackend } from '../../storage/sqlite/sqlite.js';
import { logger } from '../../util/log.js';
import type { Store } from '../store.js';
import type { StrategyContext } from '../strategy.js';
import { NODE_PORT_PREFIX, SERVICE_IP_PREFIX, ServiceRanges } from './service-ranges.js';

let fixture: SqliteServed;
let backend: SqliteBackend;
let served: ServedResources;
let ranges: ServiceRanges;
const now = new Date('2026-11-29T08:00:00Z');
const log = logger.child({});
log.level = 'silent';

const ctx: StrategyContext = {
  user: { username: 'admin', groups: ['system:masters'] },
  namespace: 'default',
  now: () => now,
};

function services(): Store {
  const s = served.get('', 'v1', 'services')?.store;
  if (!s) throw new Error('no service store');
  return s;
}

function svc(name: string, spec: Record<string, unknown>): StoredObject {
  const obj = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }], selector: { app: name }, ...spec },
  } as unknown as StoredObject;
  served.get('', 'v1', 'services')?.strategy.defaults?.(obj);
  return obj;
}

function specOf(o: KubeObject): {
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: { nodePort?: number; protocol?: string }[];
  healthCheckNodePort?: number;
} {
  return (o as { spec?: ReturnType<typeof specOf> }).spec ?? {};
}

async function create(name: string, spec: Record<string, unknown>, dryRun = false): Promise<StoredObject> {
  return services().create(svc(name, spec), ctx, { dryRun });
}

async function refused(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err.message;
    throw err;
  }
  throw new Error('expected an ApiError');
}

async function keys(prefix: string): Promise<string[]> {
  return (await backend.list(prefix)).kvs.map((kv) => kv.key.slice(prefix.length)).sort();
}

beforeEach(async () => {
  fixture = await openSqliteServed('ranges', {
    clock: { now: () => now },
    log,
    // The ranges need the fixture's backend, so the store's hooks reach them once they exist.
    hooksFor: (g, r) =>
      g === '' && r === 'services'
        ? { beforeWrite: (o, old, dry) => ranges.beforeWrite(o, old, dry), removed: (o) => ranges.removed(o) }
        : undefined,
  });
  ({ served, backend } = fixture);
  ranges = new ServiceRanges({ backend, serviceCidr: '10.43.0.0/16', log });
});

afterEach(() => fixture.close());

describe('service cluster IPs', () => {
  it('allocates one from the dynamic band, keeps it on updates and frees it on delete', async () => {
    const a = await create('a', {});
    const ip = specOf(a).clusterIP ?? '';
    expect(specOf(a).clusterIPs).toEqual([ip]);
    const [, , o3 = 0, o4 = 0] = ip.split('.').map(Number);
    // Above the static band (the first 256 addresses of a /16).
    expect(o3 * 256 + o4).toBeGreaterThan(256);
    expect(await keys(SERVICE_IP_PREFIX)).toEqual([ip]);

    // An update that leaves the IP out keeps it.
    const updated = await services().update('a', svc('a', { sessionAffinity: 'ClientIP' }), ctx, {
      dryRun: false,
      subresource: '',
    });
    expect(specOf(updated.object).clusterIP).toBe(ip);

    await services().delete('a', ctx, { dryRun: false });
    expect(await keys(SERVICE_IP_PREFIX)).toEqual([]);
    const again = await create('b', { clusterIP: ip });
    expect(specOf(again).clusterIP).toBe(ip);
  });

  it('gives a requested IP once, refuses it twice and outside the range with upstream wording', async () => {
    await create('dns', { clusterIP: '10.43.0.10' });
    expect(await refused(create('other', { clusterIP: '10.43.0.10' }))).toBe(
      'Service "other" is invalid: spec.clusterIPs: Invalid value: []string{"10.43.0.10"}: failed to allocate IP 10.43.0.10: provided IP is already allocated',
    );
    expect(await refused(create('far', { clusterIP: '10.0.0.1' }))).toBe(
      'Service "far" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.1"}: failed to allocate IP 10.0.0.1: the provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.43.0.0/16',
    );
    expect(await keys(SERVICE_IP_PREFIX)).toEqual(['10.43.0.10']);
  });

  it('gives nothing to headless and ExternalName services; a dry run claims nothing', async () => {
    const headless = await create('h', { clusterIP: 'None' });
    expect(specOf(headless).clusterIP).toBe('None');
    await create('x', { type: 'ExternalName', externalName: 'example.org', selector: undefined });
    const dry = await create('d', {}, true);
    expect(specOf(dry).clusterIP).toMatch(/^10\.43\./);
    expect(await keys(SERVICE_IP_PREFIX)).toEqual([]);
  });

  it('gives an allocation back when validation refuses the Service', async () => {
    const msg = await refused(create('bad', { ports: [{ name: 'Not_A_Name', port: 80 }], type: 'NodePort' }));
    expect(msg).toContain('spec.ports[0].name');
    expect(await keys(SERVICE_IP_PREFIX)).toEqual([]);
    expect(await keys(NODE_PORT_PREFIX)).toEqual([]);
  });
});

describe('service node ports', () => {
  it('allocates in 30000-32767, shares one between TCP and UDP of a port, and frees on type change', async () => {
    const s = await create('np', {
      type: 'NodePort',
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        { name: 'http', port: 80 },
      ],
    });
    const [udp, tcp, http] = (specOf(s).ports ?? []).map((p) => p.nodePort ?? 0);
    expect(udp).toBeGreaterThanOrEqual(30000);
    expect(http).toBeLessThanOrEqual(32767);
    expect(tcp).toBe(udp);
    expect(http).not.toBe(udp);
    expect(await keys(NODE_PORT_PREFIX)).toHaveLength(2);

    await services().update('np', svc('np', { type: 'ClusterIP', clusterIP: specOf(s).clusterIP }), ctx, {
      dryRun: false,
      subresource: '',
    });
    expect(await keys(NODE_PORT_PREFIX)).toEqual([]);
  });

  it('refuses a port in use and one out of range with upstream wording', async () => {
    await create('one', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] });
    expect(await refused(create('two', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }))).toBe(
      'Service "two" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    );
    expect(await refused(create('low', { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] }))).toBe(
      'Service "low" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
    );
    // Neither refused Service kept its cluster IP.
    expect(await keys(SERVICE_IP_PREFIX)).toHaveLength(1);
  });

  it('gives a LoadBalancer with externalTrafficPolicy Local a health-check node port', async () => {
    const lb = await create('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' });
    expect(specOf(lb).healthCheckNodePort).toBeGreaterThanOrEqual(30000);
    expect(await keys(NODE_PORT_PREFIX)).toHaveLength(2);
  });
});

describe('repair', () => {
  it('claims what Services hold without a key and frees a leak seen twice', async () => {
    const a = await create('a', { type: 'NodePort' });
    const ip = specOf(a).clusterIP ?? '';
    // A key lost (a data dir from before allocation) and a key leaked (a crash before the write).
    await backend.delete(`${SERVICE_IP_PREFIX}${ip}`);
    await backend.create(
      `${SERVICE_IP_PREFIX}10.43.0.99`,
      Buffer.from(JSON.stringify({ owner: 'default/gone' })),
    );
    const list = (): KubeObject[] => [a];
    expect(await ranges.repair(list())).toEqual({ claimed: 1, released: 0 });
    expect(await keys(SERVICE_IP_PREFIX)).toEqual([ip, '10.43.0.99'].sort());
    expect(await ranges.repair(list())).toEqual({ claimed: 0, released: 1 });
    expect(await keys(SERVICE_IP_PREFIX)).toEqual([ip]);
  });
});
