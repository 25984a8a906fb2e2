/**
 * Ingress against a real `k8ts server` (built: run `npm run build` first): the bootstrapped default
 * IngressClass `k8ts`; the ingress-status controller filling status.loadBalancer.ingress with the
 * InternalIPs of Ready nodes, as `kubectl get ingress` shows; and the agent's IngressController
 * with a node's credentials (RBAC role system:node) routing to a loopback backend through HAProxy.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngressController } from '../../src/agent/ingress/controller.js';
import { clientFromKubeconfig } from '../../src/client/http.js';
import { freePort } from '../../src/storage/testing/etcd.js';
import { kubectlOk } from '../support/kubectl.js';
import { uniqueName } from '../support/manifests.js';
import { create, createNamespace, mergePatch } from '../support/objects.js';
import { pollUntil } from '../support/poll.js';
import { startServer, type TestServer } from '../support/server.js';
import { rowNamed } from '../support/table.js';

let server: TestServer;
let ns: string;

beforeAll(async () => {
  server = await startServer();
  ns = await createNamespace(server, uniqueName('ing'));
});

afterAll(async () => {
  await server?.stop();
});

async function readyNode(name: string, ip: string, ready = 'True'): Promise<void> {
  await mergePatch(server, `/api/v1/nodes/${name}/status`, {
    status: {
      conditions: [{ type: 'Ready', status: ready, reason: 'KubeletReady', message: 'test node' }],
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
    },
  });
}

describe('Ingress on a real server', () => {
  it('bootstraps the default IngressClass k8ts', async () => {
    const out = await kubectlOk(server, ['get', 'ingressclass', 'k8ts']);
    expect(rowNamed(out, 'k8ts')).toMatchObject({ CONTROLLER: 'k8ts.io/ingress' });
    const yaml = await kubectlOk(server, [
      'get',
      'ingressclass',
      'k8ts',
      '-o',
      'jsonpath={.metadata.annotations.ingressclass\\.kubernetes\\.io/is-default-class}',
    ]);
    expect(yaml.trim()).toBe('true');
  });

  it('shows the Ready nodes as ADDRESS of an Ingress of the default class', async () => {
    const n1 = uniqueName('ing-n1');
    const n2 = uniqueName('ing-n2');
    for (const name of [n1, n2]) await create(server, { apiVersion: 'v1', kind: 'Node', metadata: { name } });
    await readyNode(n1, '192.0.2.11');
    await readyNode(n2, '192.0.2.12');
    await create(server, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', namespace: ns },
      spec: {
        rules: [
          {
            host: 'web.example.test',
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'web', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    });
    const row = await pollUntil(
      'the Ingress ADDRESS',
      async () => rowNamed(await kubectlOk(server, ['get', 'ingress', 'web', '-n', ns]), 'web'),
      (r) => r?.['ADDRESS'] === '192.0.2.11,192.0.2.12',
    );
    expect(row).toMatchObject({ HOSTS: 'web.example.test', PORTS: '80' });

    await readyNode(n2, '192.0.2.12', 'False');
    await pollUntil(
      'the not-Ready node to leave the ADDRESS',
      async () => rowNamed(await kubectlOk(server, ['get', 'ingress', 'web', '-n', ns]), 'web'),
      (r) => r?.['ADDRESS'] === '192.0.2.11',
    );
  });
});

function haproxyInstalled(): boolean {
  try {
    execFileSync('haproxy', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!haproxyInstalled())('the agent data path with a node identity', () => {
  it('routes to the ready endpoints of an EndpointSlice through HAProxy', async () => {
    const backend = http.createServer((req, res) => res.end(`backend saw ${req.url ?? ''}`));
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    const port = (backend.address() as AddressInfo).port;
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-ingress-srv-'));
    const kubeconfig = await server.userKubeconfig('system:node:ing-agent', ['system:nodes']);
    const client = clientFromKubeconfig(kubeconfig, { component: 'ingress-test' });
    const httpPort = await freePort();
    const controller = new IngressController({
      client,
      nodeName: 'ing-agent',
      listen: { host: '127.0.0.1', httpPort, httpsPort: await freePort() },
      logger: pino({ enabled: false }),
      runDir,
    });
    try {
      await create(server, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'app', namespace: ns },
        spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
      });
      await create(server, {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'app-1', namespace: ns, labels: { 'kubernetes.io/service-name': 'app' } },
        addressType: 'IPv4',
        ports: [{ name: 'http', port, protocol: 'TCP' }],
        endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
      });
      await create(server, {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'app', namespace: ns },
        spec: {
          ingressClassName: 'k8ts',
          rules: [
            {
              host: 'app.example.test',
              http: {
                paths: [
                  {
                    path: '/api',
                    pathType: 'Prefix',
                    backend: { service: { name: 'app', port: { name: 'http' } } },
                  },
                ],
              },
            },
          ],
        },
      });
      await controller.start();
      const get = (p: string): Promise<{ status: number; body: string }> =>
        new Promise((resolve, reject) => {
          http
            .get(
              { host: '127.0.0.1', port: httpPort, path: p, headers: { host: 'app.example.test' } },
              (res) => {
                let body = '';
                res.on('data', (c: Buffer) => (body += c.toString()));
                res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
              },
            )
            .on('error', reject);
        });
      const answer = await pollUntil(
        'the routed answer',
        () => get('/api/x'),
        (a) => a.status === 200,
      );
      expect(answer.body).toBe('backend saw /api/x');
      expect((await get('/other')).status).toBe(404);
    } finally {
      await controller.stop();
      client.close();
      backend.close();
      fs.rmSync(runDir, { recursive: true, force: true });
    }
  });
});
