import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { answersOnStream, StreamRequest, StreamResponse } from './h2-stream.js';

describe('answersOnStream', () => {
  const h = (method: string, path: string, extra: Record<string, string> = {}) =>
    answersOnStream({ ':method': method, ':path': path, ...extra });

  it('takes plain API requests', () => {
    expect(h('POST', '/api/v1/namespaces/default/configmaps')).toBe(true);
    expect(h('GET', '/apis/apps/v1/deployments?limit=500')).toBe(true);
    expect(h('PATCH', '/api/v1/namespaces/default/pods/web/status')).toBe(true);
    expect(h('DELETE', '/api/v1/namespaces/default/configmaps/a')).toBe(true);
    expect(h('PUT', '/apis/apps/v1/namespaces/x/deployments/d/scale')).toBe(true);
  });

  it('leaves watches, streaming subresources, other paths and odd requests to the compatibility layer', () => {
    expect(h('GET', '/api/v1/pods?watch=true')).toBe(false);
    expect(h('GET', '/api/v1/watch/pods')).toBe(false);
    expect(h('GET', '/api/v1/namespaces/a/pods/p/log?follow=true')).toBe(false);
    expect(h('POST', '/api/v1/namespaces/a/pods/p/exec?command=ls')).toBe(false);
    expect(h('GET', '/api/v1/nodes/n/proxy/metrics')).toBe(false);
    expect(h('GET', '/healthz')).toBe(false);
    expect(h('GET', '/openapi/v2')).toBe(false);
    expect(h('GET', '/api')).toBe(false);
    expect(h('HEAD', '/api/v1/pods')).toBe(false);
    expect(h('POST', '/api/v1/namespaces/a/configmaps', { expect: '100-continue' })).toBe(false);
  });
});

describe('StreamRequest and StreamResponse', () => {
  let server: http2.Http2Server | undefined;
  let client: http2.ClientHttp2Session | undefined;

  afterEach(() => {
    client?.close();
    server?.close();
  });

  /** Serves one handler over h2c and sends it one request; resolves with what came back. */
  async function exchange(
    handler: (req: StreamRequest, res: StreamResponse) => void | Promise<void>,
    body?: string,
  ): Promise<{ headers: http2.IncomingHttpHeaders; body: string; trailersAsked: boolean }> {
    server = http2.createServer();
    // Whether Node asked the server for trailers: then the stream ended only with them, later.
    let trailersAsked = false;
    server.on('stream', (stream, headers) => {
      stream.on('wantTrailers', () => (trailersAsked = true));
      void handler(new StreamRequest(stream, headers), new StreamResponse(stream));
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    client = http2.connect(`http://127.0.0.1:${port}`);
    const req = client.request(
      { ':method': body === undefined ? 'GET' : 'POST', ':path': '/api/v1/x' },
      { endStream: body === undefined },
    );
    if (body !== undefined) req.end(body);
    return new Promise((resolve, reject) => {
      let headers: http2.IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      req.on('response', (h) => (headers = h));
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve({ headers, body: Buffer.concat(chunks).toString('utf8'), trailersAsked }));
      req.on('error', reject);
    });
  }

  it('answers with the status, headers set before and in writeHead, and the body', async () => {
    const got = await exchange((req, res) => {
      expect(req.method).toBe('GET');
      expect(req.url).toBe('/api/v1/x');
      res.setHeader('Warning', ['299 - "one"', '299 - "two"']);
      res.writeHead(201, { 'Content-Type': 'application/json', 'content-length': 2 });
      expect(res.headersSent).toBe(true);
      expect(res.statusCode).toBe(201);
      res.end('{}');
    });
    expect(got.headers[':status']).toBe(201);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['warning']).toBe('299 - "one", 299 - "two"');
    expect(got.headers['date']).toBeDefined();
    expect(got.body).toBe('{}');
    // The stream ends with the DATA frame, not with trailers a loop round later (see the module).
    expect(got.trailersAsked).toBe(false);
  });

  it('reads the body from the stream and answers with the status set beforehand', async () => {
    const got = await exchange(async (req, res) => {
      const chunks: Buffer[] = [];
      await new Promise<void>((resolve) => {
        req.on('data', (c) => chunks.push(c as Buffer));
        req.on('end', () => resolve());
      });
      res.statusCode = 202;
      res.end(Buffer.concat(chunks).toString('utf8').toUpperCase());
    }, 'hello');
    expect(got.headers[':status']).toBe(202);
    expect(got.body).toBe('HELLO');
    expect(got.trailersAsked).toBe(false);
  });

  it('ignores writes after the end, and to a stream the client reset', async () => {
    const got = await exchange((_req, res) => {
      res.end('done');
      res.end('again');
      expect(res.write('more')).toBe(false);
    });
    expect(got.body).toBe('done');
    let ended: StreamResponse | undefined;
    server?.close();
    server = http2.createServer();
    const reset = new Promise<void>((resolve) => {
      server?.on('stream', (stream, headers) => {
        new StreamRequest(stream, headers);
        ended = new StreamResponse(stream);
        stream.on('close', () => resolve());
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const c = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const r = c.request({ ':method': 'POST', ':path': '/api/v1/x' });
    r.on('error', () => undefined);
    r.on('ready', () => r.close(http2.constants.NGHTTP2_CANCEL));
    await reset;
    expect(() => ended?.end('too late')).not.toThrow();
    c.close();
  });
});
