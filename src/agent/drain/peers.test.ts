import type { Node } from 'kubernetes-types/core/v1.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueCertificate, issueClientCertificate } from '../../pki/certs.js';
import { allowUsers } from '../kubelet/server/auth.js';
import { KubeletServer } from '../kubelet/server/server.js';
import { FakeRuntime, FakeStreamingServer } from '../kubelet/server/testing/fake-streaming.js';
import { PeerClient, PeerError, peerOf, type PeerCredentials } from './peers.js';

function node(over: { ready?: string; ip?: string; port?: number } = {}): Node {
  return {
    metadata: { name: 'b' },
    status: {
      conditions: [{ type: 'Ready', status: over.ready ?? 'True' }],
      addresses: [
        { type: 'Hostname', address: 'b' },
        ...(over.ip === '' ? [] : [{ type: 'InternalIP', address: over.ip ?? '10.250.1.2' }]),
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: over.port ?? 10250 } },
    },
  };
}

describe('peerOf', () => {
  it('reaches a Ready node at its InternalIP and kubelet port', () => {
    expect(peerOf(node())).toEqual({ name: 'b', url: 'https://10.250.1.2:10250' });
    expect(peerOf(node({ ip: 'fd00::2', port: 4000 }))?.url).toBe('https://[fd00::2]:4000');
  });
  it('skips nodes that are not Ready or cannot be reached', () => {
    expect(peerOf(node({ ready: 'Unknown' }))).toBeUndefined();
    expect(peerOf(node({ ip: '' }))).toBeUndefined();
    expect(peerOf(node({ port: 0 }))).toBeUndefined();
  });
});

describe('PeerClient against a kubelet server', () => {
  let streaming: FakeStreamingServer;
  let kubelet: KubeletServer;
  let url: string;
  let creds: PeerCredentials;
  let strangerCreds: PeerCredentials;
  let routed = true;

  beforeAll(async () => {
    const serverCA = await createCertificateAuthority('test-server-ca');
    const clientCA = await createCertificateAuthority('test-client-ca');
    const serving = await issueCertificate(serverCA, {
      commonName: 'system:node:b',
      usage: 'server',
      sans: { dns: [], ips: ['127.0.0.1'] },
    });
    const mine = await issueClientCertificate(clientCA, { name: 'system:node:a', groups: ['system:nodes'] });
    const notNode = await issueClientCertificate(clientCA, { name: 'jane' });
    creds = { cert: mine.certPem, key: mine.keyPem, ca: serverCA.certPem };
    strangerCreds = { cert: notNode.certPem, key: notNode.keyPem, ca: serverCA.certPem };
    streaming = new FakeStreamingServer();
    await streaming.start();
    kubelet = new KubeletServer({
      nodeName: 'b',
      bindAddress: '127.0.0.1',
      port: 0,
      tls: { certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem: clientCA.certPem },
      runtime: new FakeRuntime(streaming),
      authorize: allowUsers([]),
      routes: async (_ip, waitMs, signal) => {
        const deadline = Date.now() + waitMs;
        while (routed && Date.now() < deadline && !signal.aborted)
          await new Promise((r) => setTimeout(r, 10));
        return routed;
      },
      log: pino({ level: 'silent' }),
    });
    url = `https://127.0.0.1:${await kubelet.start()}`;
  });

  afterAll(async () => {
    await kubelet.stop();
    await streaming.stop();
  });

  it('long-polls with the node certificate', async () => {
    const client = new PeerClient(creds);
    try {
      routed = true;
      setTimeout(() => (routed = false), 150);
      const start = Date.now();
      expect(await client.ask({ name: 'b', url }, '10.42.0.7', 5000, new AbortController().signal)).toBe(
        false,
      );
      expect(Date.now() - start).toBeGreaterThanOrEqual(140);
      routed = true;
      expect(await client.ask({ name: 'b', url }, '10.42.0.7', 50, new AbortController().signal)).toBe(true);
    } finally {
      client.close();
    }
  });

  it('rejects with a PeerError when refused, and with the abort when aborted', async () => {
    const stranger = new PeerClient(strangerCreds);
    const client = new PeerClient(creds);
    try {
      await expect(
        stranger.ask({ name: 'b', url }, '10.42.0.7', 0, new AbortController().signal),
      ).rejects.toThrow(/HTTP 403/);
      await expect(
        client.ask({ name: 'b', url: 'https://127.0.0.1:1' }, '10.42.0.7', 0, new AbortController().signal),
      ).rejects.toBeInstanceOf(PeerError);
      routed = true;
      const ac = new AbortController();
      setTimeout(() => ac.abort(new Error('budget')), 100);
      await expect(client.ask({ name: 'b', url }, '10.42.0.7', 5000, ac.signal)).rejects.not.toBeInstanceOf(
        PeerError,
      );
    } finally {
      stranger.close();
      client.close();
    }
  });
});
