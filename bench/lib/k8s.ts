/** Small Kubernetes API helpers on top of {@link H2Client}. */
import type { H2Client } from './h2client.js';

/** Creates a namespace (201), or accepts that it exists (409). */
export async function ensureNamespace(client: H2Client, name: string): Promise<void> {
  const res = await client.request('POST', '/api/v1/namespaces', {
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
  });
  if (res.status !== 201 && res.status !== 409)
    throw new Error(`creating namespace ${name}: ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
}

/** The resourceVersion of a list, read with a limit=1 LIST (consistent read). */
export async function listRevision(client: H2Client, path: string): Promise<string> {
  const res = await client.expect(200, 'GET', `${path}?limit=1`);
  const body = JSON.parse(res.body.toString('utf8')) as { metadata?: { resourceVersion?: string } };
  const rv = body.metadata?.resourceVersion;
  if (!rv) throw new Error(`LIST ${path} answered without metadata.resourceVersion`);
  return rv;
}

/** A deterministic filler of `n` printable characters. */
export function filler(n: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[(i * 7 + 3) % alphabet.length];
  return s;
}

/**
 * A ConfigMap body with `dataBytes` of data, built as text so the client spends almost nothing on it.
 */
export function configMapJson(name: string, payload: string): string {
  return `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}","labels":{"app":"bench"}},"data":{"settings.conf":"${payload}"}}`;
}

/**
 * A realistic Pod: two containers (app + sidecar) with ports, env, resources, probes and mounts,
 * labels and annotations, two volumes. About 2 KB as sent; more once the server adds its defaults.
 */
export function podJson(name: string, i: number): string {
  const app = `shop-${i % 20}`;
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      labels: {
        app,
        tier: 'backend',
        release: 'stable',
        'pod-template-hash': `7d9f${(i % 97).toString(16)}c5b`,
      },
      annotations: {
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '9090',
        'kubectl.kubernetes.io/default-container': 'app',
      },
    },
    spec: {
      containers: [
        {
          name: 'app',
          image: `registry.example.com/shop/${app}:1.${i % 7}.3`,
          args: ['--listen=:8080', '--metrics=:9090', '--log-level=info'],
          ports: [
            { name: 'http', containerPort: 8080, protocol: 'TCP' },
            { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
          ],
          env: [
            { name: 'APP_NAME', value: app },
            { name: 'APP_ENV', value: 'production' },
            { name: 'DB_HOST', value: 'postgres.db.svc.cluster.local' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          ],
          resources: {
            requests: { cpu: '100m', memory: '128Mi' },
            limits: { cpu: '500m', memory: '256Mi' },
          },
          livenessProbe: {
            httpGet: { path: '/healthz', port: 'http' },
            initialDelaySeconds: 10,
            periodSeconds: 10,
          },
          readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 5 },
          volumeMounts: [
            { name: 'config', mountPath: '/etc/shop', readOnly: true },
            { name: 'cache', mountPath: '/var/cache/shop' },
          ],
        },
        {
          name: 'proxy',
          image: 'registry.example.com/infra/envoy:1.29.1',
          ports: [{ name: 'proxy', containerPort: 15001 }],
          env: [{ name: 'ENVOY_LOG_LEVEL', value: 'warn' }],
          resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
          readinessProbe: { tcpSocket: { port: 15001 }, periodSeconds: 10 },
        },
      ],
      volumes: [
        { name: 'config', configMap: { name: `${app}-config` } },
        { name: 'cache', emptyDir: { sizeLimit: '1Gi' } },
      ],
      terminationGracePeriodSeconds: 30,
      nodeSelector: { 'kubernetes.io/os': 'linux' },
    },
  });
}
