/**
 * Issue 5 acceptance, Ingress on the node's ports 80/443 (requests from the host to the node's
 * address with Host headers and SNI names): two hosts and two paths routed to two Services, 404 for
 * an unknown host when no Ingress has a default backend, TLS from a kubernetes.io/tls Secret picked
 * by SNI, and the node address in the ADDRESS column of `kubectl get ingress`.
 */
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { HTTPIngressPath, Ingress } from 'kubernetes-types/networking/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueCertificate } from '../../src/pki/certs.js';
import { kubectlOk } from '../support/kubectl.js';
import { apply } from '../support/node.js';
import { pollUntil } from '../support/poll.js';
import {
  NODE_IP,
  WAIT_MS,
  hostGet,
  newNamespace,
  requestsFromHost,
  service,
  showTally,
  startNetNode,
  stopNetNode,
  waitEndpoints,
  waitHostAnswers,
  waitWebPods,
  webDeployment,
  type NetNode,
} from './support.js';

const HTTP = `http://${NODE_IP}:80`;
const SECURE_HOST = 'secure.example.com';

let net: NetNode;
let ns: string;
let podA: string;
let podB: string;
let caPem: string;

/** An Ingress rule path to a Service's port 80. */
function path(p: string, svc: string, pathType = 'Prefix'): HTTPIngressPath {
  return { path: p, pathType, backend: { service: { name: svc, port: { number: 80 } } } };
}

function ingress(name: string, spec: Ingress['spec']): Ingress {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: ns }, spec };
}

/** An HTTPS GET to the node's port 443 with an SNI name; the body and the certificate it was served. */
function httpsGet(
  servername: string,
  verify: boolean,
): Promise<{ status: number; body: string; sans: string; authorized: boolean }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      {
        host: NODE_IP,
        port: 443,
        path: '/',
        servername,
        headers: { host: servername },
        ca: caPem,
        rejectUnauthorized: verify,
        agent: false,
        timeout: 5000,
      },
      (res) => {
        const socket = res.socket as TLSSocket;
        const cert = socket.getPeerCertificate();
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: body.trim(),
            sans: cert.subjectaltname ?? '',
            authorized: socket.authorized,
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`https ${servername}: no answer within 5 s`)));
    req.on('error', reject);
  });
}

beforeAll(async () => {
  net = await startNetNode();
  ns = await newNamespace(net, 'ing');
  const ca = await createCertificateAuthority('k8ts agent-net test CA');
  const leaf = await issueCertificate(ca, {
    commonName: SECURE_HOST,
    usage: 'server',
    sans: { dns: [SECURE_HOST], ips: [] },
  });
  caPem = ca.certPem;
  await apply(net.node, [
    webDeployment(ns, 'a', 1),
    webDeployment(ns, 'b', 1),
    service(ns, 'a'),
    service(ns, 'b'),
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'secure-tls', namespace: ns },
      type: 'kubernetes.io/tls',
      stringData: { 'tls.crt': leaf.certPem, 'tls.key': leaf.keyPem },
    },
    // No ingressClassName: admission gives it the default class (k8ts).
    ingress('routes', {
      rules: [
        {
          host: 'one.example.com',
          http: { paths: [path('/', 'a'), path('/api', 'b')] },
        },
        { host: 'two.example.com', http: { paths: [path('/', 'b')] } },
      ],
    }),
    ingress('secure', {
      ingressClassName: 'k8ts',
      tls: [{ hosts: [SECURE_HOST], secretName: 'secure-tls' }],
      rules: [{ host: SECURE_HOST, http: { paths: [path('/', 'a')] } }],
    }),
  ]);
  [podA = ''] = await waitWebPods(net.node, ns, 'a', 1);
  [podB = ''] = await waitWebPods(net.node, ns, 'b', 1);
  await waitEndpoints(net.node, ns, 'a', 1);
  await waitEndpoints(net.node, ns, 'b', 1);
});

afterAll(async () => {
  await stopNetNode(net);
});

describe('Ingress on the node', () => {
  it('routes two hosts and two paths to two Services', async () => {
    const one = { host: 'one.example.com' };
    expect(await waitHostAnswers('one.example.com/ through the ingress', `${HTTP}/`, one)).toBe(podA);
    expect(await waitHostAnswers('one.example.com/api/ through the ingress', `${HTTP}/api/`, one)).toBe(podB);
    expect(
      await waitHostAnswers('two.example.com/ through the ingress', `${HTTP}/`, { host: 'two.example.com' }),
    ).toBe(podB);
    // Host matching ignores case and the port.
    const upper = await hostGet(`${HTTP}/`, { host: 'ONE.example.com:80' });
    expect(upper).toEqual({ status: 200, body: `${podA}\n` });
    const t = await requestsFromHost(`${HTTP}/api/`, 100, one);
    expect(t.failed, showTally(t)).toBe(0);
    expect([...t.answers.keys()], showTally(t)).toEqual([podB]);
  });

  it('answers 404 for an unknown host when no Ingress has a default backend', async () => {
    await waitHostAnswers('the ingress to be serving', `${HTTP}/`, { host: 'one.example.com' });
    const r = await hostGet(`${HTTP}/`, { host: 'unknown.example.com' });
    expect(r).toMatchObject({ status: 404 });
    expect(await hostGet(`${HTTP}/`)).toMatchObject({ status: 404 });
  });

  it('serves TLS from the Secret for its SNI name, and another certificate for other names', async () => {
    const ok = await pollUntil(
      `https://${SECURE_HOST} to answer with the Secret's certificate`,
      () => httpsGet(SECURE_HOST, true),
      (r) => r.status === 200,
      { timeoutMs: WAIT_MS, intervalMs: 500 },
    );
    expect(ok.authorized).toBe(true);
    expect(ok.sans).toBe(`DNS:${SECURE_HOST}`);
    expect(ok.body).toBe(podA);
    const other = await httpsGet('other.example.com', false);
    expect(other.authorized).toBe(false);
    expect(other.sans).not.toContain(SECURE_HOST);
  });

  it('shows the node address in the ADDRESS column', async () => {
    const out = await pollUntil(
      'the ingresses to show the node address',
      () => kubectlOk(net.node, ['get', 'ingress', '-n', ns]),
      (o) => o.split('\n').filter((l) => l.includes(NODE_IP)).length === 2,
      { timeoutMs: WAIT_MS, intervalMs: 500 },
    );
    expect(out).toMatch(/^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE$/m);
    expect(out).toMatch(
      new RegExp(
        `^routes\\s+k8ts\\s+one\\.example\\.com,two\\.example\\.com\\s+${NODE_IP.replace(/\./g, '\\.')}\\s+80\\s`,
        'm',
      ),
    );
    expect(out).toMatch(
      new RegExp(
        `^secure\\s+k8ts\\s+${SECURE_HOST.replace(/\./g, '\\.')}\\s+${NODE_IP.replace(/\./g, '\\.')}\\s+80, 443\\s`,
        'm',
      ),
    );
  });
});
