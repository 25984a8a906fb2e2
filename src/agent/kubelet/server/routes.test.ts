import { request } from 'node:https';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCertificateAuthority,
  issueCertificate,
  issueClientCertificate,
  type IssuedCertificate,
} from '../../../pki/certs.js';
import { allowUsers, isNodePeerRead } from './auth.js';
import { KubeletServer } from './server.js';
import { FakeRuntime, FakeStreamingServer } from './testing/fake-streaming.js';
import type { KubeletRequestAttributes } from './types.js';

const API_USER = 'kube-apiserver-kubelet-client';

let caPem: string;
let apiCert: IssuedCertificate;
let nodeCert: IssuedCertificate;
let janeCert: IssuedCertificate;
let otherCaNodeCert: IssuedCertificate;
let streaming: FakeStreamingServer;
let kubelet: KubeletServer;
let port: number;
/** Addresses the fake data path still routes to. */
const routed = new Set<string>();
/** What the fallback authorizer (SubjectAccessReview in the agent) was asked. */
const asked: { user: string; attrs: KubeletRequestAttributes }[] = [];

beforeAll(async () => {
  const serverCA = await createCertificateAuthority('test-server-ca');
  const clientCA = await createCertificateAuthority('test-client-ca');
  const strangerCA = await createCertificateAuthority('someone-else');
  caPem = serverCA.certPem;
  const serving = await issueCertificate(serverCA, {
    commonName: 'system:node:n1',
    usage: 'server',
    sans: { dns: ['localhost'], ips: ['127.0.0.1'] },
  });
  apiCert = await issueClientCertificate(clientCA, { name: API_USER });
  nodeCert = await issueClientCertificate(clientCA, { name: 'system:node:n2', groups: ['system:nodes'] });
  janeCert = await issueClientCertificate(clientCA, { name: 'jane', groups: ['dev'] });
  otherCaNodeCert = await issueClientCertificate(strangerCA, {
    name: 'system:node:n3',
    groups: ['system:nodes'],
  });
  streaming = new FakeStreamingServer();
  await streaming.start();
  kubelet = new KubeletServer({
    nodeName: 'n1',
    bindAddress: '127.0.0.1',
    port: 0,
    tls: { certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem: clientCA.certPem },
    runtime: new FakeRuntime(streaming),
    authorize: allowUsers([API_USER], async (user, attrs) => {
      asked.push({ user: user.username, attrs });
      return { allowed: user.username === 'ops' };
    }),
    // A token that claims the nodes group: tokens never take the node-to-node shortcut.
    authenticateToken: async (token) =>
      token === 'node-token'
        ? { username: 'system:node:n9', groups: ['system:nodes', 'system:authenticated'] }
        : token === 'ops-token'
          ? { username: 'ops', groups: ['system:authenticated'] }
          : undefined,
    routes: async (ip, waitMs, signal) => {
      const deadline = Date.now() + waitMs;
      while (routed.has(ip) && Date.now() < deadline && !signal.aborted)
        await new Promise((r) => setTimeout(r, 10));
      return routed.has(ip);
    },
    log: pino({ level: 'silent' }),
  });
  port = await kubelet.start();
});

afterAll(async () => {
  await kubelet.stop();
  await streaming.stop();
});

function get(
  path: string,
  auth: { cert?: IssuedCertificate; token?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        ca: caPem,
        ...(auth.cert ? { cert: auth.cert.certPem, key: auth.cert.keyPem } : {}),
        ...(auth.token ? { headers: { authorization: `Bearer ${auth.token}` } } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('isNodePeerRead', () => {
  const node = {
    username: 'system:node:n2',
    groups: ['system:nodes', 'system:authenticated'],
    authenticatedBy: 'certificate' as const,
  };
  it('lets a node certificate GET /k8ts/routes and nothing else', () => {
    expect(isNodePeerRead(node, 'GET', '/k8ts/routes')).toBe(true);
    expect(isNodePeerRead(node, 'POST', '/k8ts/routes')).toBe(false);
    expect(isNodePeerRead(node, 'GET', '/k8ts/routes/x')).toBe(false);
    expect(isNodePeerRead(node, 'GET', '/pods')).toBe(false);
    expect(isNodePeerRead(node, 'GET', '/containerLogs/default/p/c')).toBe(false);
  });
  it('needs the nodes group and a certificate', () => {
    expect(isNodePeerRead({ ...node, groups: ['system:authenticated'] }, 'GET', '/k8ts/routes')).toBe(false);
    expect(isNodePeerRead({ ...node, authenticatedBy: 'token' }, 'GET', '/k8ts/routes')).toBe(false);
    expect(isNodePeerRead({ username: node.username, groups: node.groups }, 'GET', '/k8ts/routes')).toBe(
      false,
    );
  });
});

describe('GET /k8ts/routes', () => {
  it('answers a node certificate without asking the API server', async () => {
    asked.length = 0;
    expect(await get('/k8ts/routes?ip=10.42.0.7&waitMs=0', { cert: nodeCert })).toEqual({
      status: 200,
      body: '{"routed":false}',
    });
    expect(asked).toEqual([]);
  });

  it('answers the API server identity too', async () => {
    expect(await get('/k8ts/routes?ip=10.42.0.7', { cert: apiCert })).toEqual({
      status: 200,
      body: '{"routed":false}',
    });
  });

  it('asks the authorizer for nodes/proxy for anyone else, tokens with the nodes group included', async () => {
    asked.length = 0;
    expect(await get('/k8ts/routes?ip=10.42.0.7', { cert: janeCert })).toEqual({
      status: 403,
      body: 'Forbidden (user=jane, verb=get, resource=nodes, subresource=proxy)\n',
    });
    expect((await get('/k8ts/routes?ip=10.42.0.7', { token: 'node-token' })).status).toBe(403);
    expect(asked.map((a) => [a.user, a.attrs.verb, a.attrs.subresource, a.attrs.name])).toEqual([
      ['jane', 'get', 'proxy', 'n1'],
      ['system:node:n9', 'get', 'proxy', 'n1'],
    ]);
    expect(await get('/k8ts/routes?ip=10.42.0.7', { token: 'ops-token' })).toEqual({
      status: 200,
      body: '{"routed":false}',
    });
  });

  it('refuses a certificate of another CA (401), even one naming the nodes group', async () => {
    expect(await get('/k8ts/routes?ip=10.42.0.7', { cert: otherCaNodeCert })).toEqual({
      status: 401,
      body: 'Unauthorized\n',
    });
  });

  it('long-polls until the address is no longer routed', async () => {
    routed.add('10.42.0.8');
    const started = Date.now();
    setTimeout(() => routed.delete('10.42.0.8'), 300);
    expect(await get('/k8ts/routes?ip=10.42.0.8&waitMs=5000', { cert: nodeCert })).toEqual({
      status: 200,
      body: '{"routed":false}',
    });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(3000);
  });

  it('answers routed when the wait runs out first', async () => {
    routed.add('10.42.0.9');
    try {
      const started = Date.now();
      expect(await get('/k8ts/routes?ip=10.42.0.9&waitMs=200', { cert: nodeCert })).toEqual({
        status: 200,
        body: '{"routed":true}',
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    } finally {
      routed.delete('10.42.0.9');
    }
  });

  it('refuses bad parameters', async () => {
    expect(await get('/k8ts/routes?ip=nope', { cert: nodeCert })).toEqual({
      status: 400,
      body: 'ip: invalid value "nope": want an IP address\n',
    });
    expect((await get('/k8ts/routes?ip=10.0.0.1&waitMs=-1', { cert: nodeCert })).status).toBe(400);
    expect((await get('/k8ts/routes?ip=10.0.0.1&waitMs=1.5', { cert: nodeCert })).status).toBe(400);
  });
});
