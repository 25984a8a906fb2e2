import http from 'node:http';
import net from 'node:net';
import type { Service } from 'kubernetes-types/core/v1.js';
import { afterEach, describe, expect, it } from 'vitest';
import { logger } from '../../util/log.js';
import { healthCheckOf, ServiceHealthServers } from './health.js';
import type { EndpointModel, ServicePortModel } from './model.js';

const log = logger.child({ component: 'proxy-health-test' });
log.level = 'silent';

function lbLocal(port = 31000, extra: Partial<NonNullable<Service['spec']>> = {}): Service {
  return {
    metadata: { namespace: 'shop', name: 'web' },
    spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: port, ...extra },
  };
}

function portModel(endpoints: EndpointModel[], portName = 'http'): ServicePortModel {
  return {
    id: `shop/web/tcp/${portName}`,
    namespace: 'shop',
    name: 'web',
    portName,
    protocol: 'tcp',
    port: 80,
    externalIPs: [],
    loadBalancerIPs: [],
    sourceRanges: [],
    externalLocal: true,
    internalLocal: false,
    endpoints,
  };
}

const ep = (ip: string, port: number, nodeName: string, ready = true): EndpointModel => ({
  ip,
  port,
  nodeName,
  ready,
  serving: ready,
  terminating: false,
});

describe('healthCheckOf', () => {
  it('counts ready endpoints on this node once per address and port, over all ports', () => {
    const ports = [
      portModel([ep('10.42.0.5', 8080, 'a'), ep('10.42.0.6', 8080, 'a', false), ep('10.42.1.5', 8080, 'b')]),
      portModel([ep('10.42.0.5', 8080, 'a'), ep('10.42.0.5', 8443, 'a')], 'https'),
    ];
    expect(healthCheckOf(lbLocal(), ports, 'a')).toEqual({ port: 31000, localEndpoints: 2 });
    expect(healthCheckOf(lbLocal(), ports, 'b')).toEqual({ port: 31000, localEndpoints: 1 });
    expect(healthCheckOf(lbLocal(), ports, 'c')).toEqual({ port: 31000, localEndpoints: 0 });
  });

  it('is undefined unless LoadBalancer with externalTrafficPolicy Local and a port', () => {
    expect(healthCheckOf(lbLocal(31000, { externalTrafficPolicy: 'Cluster' }), [], 'a')).toBeUndefined();
    expect(healthCheckOf(lbLocal(31000, { type: 'NodePort' }), [], 'a')).toBeUndefined();
    expect(healthCheckOf(lbLocal(0), [], 'a')).toBeUndefined();
  });
});

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function get(port: number): Promise<{ status: number; body: unknown } | { error: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
  });
}

describe('ServiceHealthServers', () => {
  let servers: ServiceHealthServers | undefined;
  afterEach(async () => {
    await servers?.close();
    servers = undefined;
  });

  it('answers 200 with local endpoints, 503 without, and follows the port and the Service', async () => {
    let healthy = true;
    servers = new ServiceHealthServers({ nodeIPs: ['127.0.0.1'], logger: log, proxyHealthy: () => healthy });
    const port = await freePort();
    await servers.update('shop/web', { port, localEndpoints: 2 });
    expect(await get(port)).toEqual({
      status: 200,
      body: { service: { namespace: 'shop', name: 'web' }, localEndpoints: 2, serviceProxyHealthy: true },
    });
    await servers.update('shop/web', { port, localEndpoints: 0 });
    expect(await get(port)).toMatchObject({ status: 503, body: { localEndpoints: 0 } });
    await servers.update('shop/web', { port, localEndpoints: 1 });
    healthy = false;
    expect(await get(port)).toMatchObject({
      status: 503,
      body: { localEndpoints: 1, serviceProxyHealthy: false },
    });
    healthy = true;

    const moved = await freePort();
    await servers.update('shop/web', { port: moved, localEndpoints: 1 });
    expect(await get(port)).toEqual({ error: 'ECONNREFUSED' });
    expect(await get(moved)).toMatchObject({ status: 200 });

    await servers.update('shop/web', undefined);
    expect(await get(moved)).toEqual({ error: 'ECONNREFUSED' });
    expect(servers.targets.size).toBe(0);
  });

  it('reports a port it cannot open and keeps serving the others', async () => {
    const taken = net.createServer();
    const port = await freePort();
    await new Promise<void>((r) => taken.listen(port, '127.0.0.1', () => r()));
    const failed: string[] = [];
    servers = new ServiceHealthServers({
      nodeIPs: ['127.0.0.1'],
      logger: log,
      proxyHealthy: () => true,
      onListenError: (key, p, err) => failed.push(`${key} ${p} ${(err as NodeJS.ErrnoException).code}`),
    });
    const other = await freePort();
    await servers.update('shop/a', { port, localEndpoints: 1 });
    await servers.update('shop/b', { port: other, localEndpoints: 1 });
    expect(failed).toEqual([`shop/a ${port} EADDRINUSE`]);
    expect(await get(other)).toMatchObject({ status: 200 });
    expect([...servers.targets.keys()]).toEqual(['shop/b']);
    await new Promise<void>((r) => taken.close(() => r()));
  });
});
