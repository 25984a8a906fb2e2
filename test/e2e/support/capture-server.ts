/**
 * A throwaway HTTPS server for protobuf tests: it serves just enough discovery for the real kubectl,
 * records every request body it receives, and answers writes with the body decoded by
 * decodeProtobufObject (or parsed, when JSON). A self-signed certificate is made with openssl.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtobufObject, isKubernetesProtobuf } from '../../../src/api/protobuf/index.js';
import { definitions } from '../../../src/api/types/index.js';
import { apiGroupList, apiResourceList, apiVersions } from '../../../src/apiserver/discovery.js';

/** One recorded request. */
export interface Captured {
  method: string;
  url: string;
  contentType: string;
  body: Buffer;
  /** The body decoded (protobuf) or parsed (JSON), or the error message. */
  decoded?: Record<string, unknown>;
  error?: string;
}

/** Extra routes: return a JSON body to answer the request, or undefined to fall through. */
export type Route = (
  method: string,
  path: string,
  req: Captured,
) => { status: number; body: unknown } | undefined;

export interface CaptureServer {
  url: string;
  /** A kubeconfig file pointing at the server with a bearer token and no TLS verification. */
  kubeconfig: string;
  requests: Captured[];
  routes: Route[];
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
  res.end(data);
}

/** Starts the server on 127.0.0.1 with a fresh self-signed certificate. */
export async function startCaptureServer(): Promise<CaptureServer> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-pb-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const requests: Captured[] = [];
  const routes: Route[] = [];
  const server: Server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const url = req.url ?? '/';
      const path = url.split('?')[0] ?? '/';
      const captured: Captured = {
        method,
        url,
        contentType: String(req.headers['content-type'] ?? ''),
        body: Buffer.concat(chunks),
      };
      if (captured.body.length > 0) {
        try {
          captured.decoded = isKubernetesProtobuf(captured.body)
            ? decodeProtobufObject(captured.body, definitions).object
            : (JSON.parse(captured.body.toString('utf8')) as Record<string, unknown>);
        } catch (err) {
          captured.error = (err as Error).message;
        }
      }
      requests.push(captured);
      for (const route of routes) {
        const answer = route(method, path, captured);
        if (answer) return json(res, answer.status, answer.body);
      }
      if (method === 'GET') {
        if (path === '/version')
          return json(res, 200, { major: '1', minor: '33', gitVersion: 'v1.33.0', platform: 'linux/amd64' });
        if (path === '/api') return json(res, 200, apiVersions('127.0.0.1:443'));
        if (path === '/apis') return json(res, 200, apiGroupList());
        const core = /^\/api\/(v1)$/.exec(path);
        const grouped = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
        const list = core
          ? apiResourceList('', core[1] ?? '')
          : grouped
            ? apiResourceList(grouped[1] ?? '', grouped[2] ?? '')
            : undefined;
        if (list) return json(res, 200, list);
        return json(res, 404, {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'NotFound',
          code: 404,
        });
      }
      if (captured.error !== undefined)
        return json(res, 400, {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          message: captured.error,
          code: 400,
        });
      return json(res, method === 'POST' ? 201 : 200, captured.decoded ?? {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `https://127.0.0.1:${port}`;
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: capture',
      '  cluster:',
      `    server: ${url}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: tester',
      '  user:',
      '    token: capture-token',
      'contexts:',
      '- name: capture',
      '  context:',
      '    cluster: capture',
      '    user: tester',
      '    namespace: default',
      'current-context: capture',
      '',
    ].join('\n'),
  );
  return {
    url,
    kubeconfig,
    requests,
    routes,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
