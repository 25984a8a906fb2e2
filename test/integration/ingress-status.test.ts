/**
 * The server side of Ingress against a real `k8ts server` (built: run `npm run build` first): the
 * bootstrapped default IngressClass `k8ts`, and the ingress-status controller filling
 * status.loadBalancer.ingress with the InternalIPs of Ready nodes, as `kubectl get ingress` shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
