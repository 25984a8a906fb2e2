/**
 * A real resolver against the server: busybox's nslookup (when busybox is installed), which sends
 * its own A and AAAA queries and prints what it understood.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINTSLICES, SERVICES } from '../../client/resources.js';
import { FakeClient } from '../../client/testing/fake-client.js';
import { logger } from '../../util/log.js';
import { ClusterDns } from './cluster-dns.js';
import { sliceObj, svcObj } from './testing/fixtures.js';

const run = promisify(execFile);
const hasBusybox = spawnSync('busybox', ['nslookup'], { encoding: 'utf8' }).error === undefined;

describe.skipIf(!hasBusybox)('busybox nslookup against the cluster DNS server', () => {
  let dns: ClusterDns;
  const log = logger.child({ component: 'dns-test' });
  log.level = 'silent';

  beforeAll(async () => {
    const c = new FakeClient();
    c.put(
      SERVICES,
      svcObj('default', 'kubernetes', { clusterIP: '10.43.0.1', ports: [{ name: 'https', port: 443 }] }),
    );
    c.put(SERVICES, svcObj('db', 'web', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }));
    c.put(
      ENDPOINTSLICES,
      sliceObj(
        'db',
        'web-1',
        'web',
        [
          { ip: '10.42.0.5', hostname: 'web-0' },
          { ip: '10.42.0.6', hostname: 'web-1' },
        ],
        [{ name: 'http', port: 8080 }],
      ),
    );
    dns = new ClusterDns({ client: c, listen: { host: '127.0.0.1', port: 0 }, upstreams: [], logger: log });
    await dns.start();
  });
  afterAll(async () => {
    await dns?.stop();
  });

  const nslookup = async (...args: string[]): Promise<string> => {
    try {
      const r = await run('busybox', ['nslookup', `-port=${dns.address.port}`, ...args, '127.0.0.1'], {
        timeout: 10_000,
      });
      return r.stdout;
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      return `${e.stdout ?? ''}${e.stderr ?? ''}`;
    }
  };

  it('resolves a service, a StatefulSet pod name, SRV and PTR', async () => {
    expect(await nslookup('kubernetes.default.svc.cluster.local')).toMatch(/Address: 10\.43\.0\.1/);
    expect(await nslookup('web-0.web.db.svc.cluster.local')).toMatch(/Address: 10\.42\.0\.5/);
    const srv = await nslookup('-type=srv', '_http._tcp.web.db.svc.cluster.local');
    expect(srv).toContain('8080 web-0.web.db.svc.cluster.local');
    expect(srv).toContain('8080 web-1.web.db.svc.cluster.local');
    expect(await nslookup('-type=ptr', '1.0.43.10.in-addr.arpa')).toContain(
      'name = kubernetes.default.svc.cluster.local',
    );
  });

  it('reports NXDOMAIN for a missing service', async () => {
    expect(await nslookup('nope.default.svc.cluster.local')).toContain('NXDOMAIN');
  });
});
