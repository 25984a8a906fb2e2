import type { Secret, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Ingress, IngressClass } from 'kubernetes-types/networking/v1.js';
import { describe, expect, it } from 'vitest';
import { renderHaproxyConfig } from './haproxy-config.js';
import { servesIngress } from '../../api/networking/ingressclass.js';
import { buildModel, tlsPem, type ModelInputs } from './model.js';
import { matchRoute } from './routes.js';

const defaultClass: IngressClass = {
  metadata: { name: 'k8ts', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
  spec: { controller: 'k8ts.io/ingress' },
};

function svc(name: string, ports: { name?: string; port: number }[]): Service {
  return { metadata: { namespace: 'ns', name }, spec: { ports } };
}

function slice(
  service: string,
  port: { name?: string; port: number },
  eps: [string, boolean?][],
): EndpointSlice {
  return {
    metadata: { namespace: 'ns', name: `${service}-x`, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: [port],
    endpoints: eps.map(([ip, ready]) => ({
      addresses: [ip],
      ...(ready === undefined ? {} : { conditions: { ready } }),
    })),
  };
}

function ingress(name: string, spec: Ingress['spec'], created = '2026-01-01T00:00:00Z'): Ingress {
  return { metadata: { namespace: 'ns', name, creationTimestamp: created }, spec };
}

function inputs(over: Partial<ModelInputs>): ModelInputs {
  return {
    ingresses: [],
    classes: [defaultClass],
    services: [],
    slices: [],
    secret: () => undefined,
    ...over,
  };
}

const web = { service: { name: 'web', port: { name: 'http' } } };

describe('which Ingresses are served', () => {
  it('serves class k8ts, and class-less ones while k8ts is the default', () => {
    expect(servesIngress(ingress('a', { ingressClassName: 'k8ts' }), [])).toBe(true);
    expect(servesIngress(ingress('a', { ingressClassName: 'nginx' }), [defaultClass])).toBe(false);
    expect(servesIngress(ingress('a', {}), [defaultClass])).toBe(true);
    expect(servesIngress(ingress('a', {}), [{ metadata: { name: 'k8ts' } }])).toBe(false);
    expect(servesIngress(ingress('a', {}), [])).toBe(false);
  });

  it('serves other classes whose controller is k8ts.io/ingress', () => {
    const pub: IngressClass = { metadata: { name: 'public' }, spec: { controller: 'k8ts.io/ingress' } };
    const nginx: IngressClass = {
      metadata: { name: 'nginx', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
      spec: { controller: 'k8s.io/ingress-nginx' },
    };
    expect(servesIngress(ingress('a', { ingressClassName: 'public' }), [pub])).toBe(true);
    expect(servesIngress(ingress('a', { ingressClassName: 'public' }), [])).toBe(false);
    expect(servesIngress(ingress('a', {}), [pub, nginx])).toBe(false);
    const defaultPub: IngressClass = {
      ...pub,
      metadata: { name: 'public', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    };
    expect(servesIngress(ingress('a', {}), [defaultPub])).toBe(true);
    const annotated: Ingress = {
      metadata: { annotations: { 'kubernetes.io/ingress.class': 'public' } },
      spec: {},
    };
    expect(servesIngress(annotated, [pub])).toBe(true);
  });
});

describe('backends', () => {
  it('resolves a port by name or number through the Service to ready endpoints only', () => {
    const model = buildModel(
      inputs({
        ingresses: [
          ingress('a', {
            rules: [
              {
                host: 'a.example',
                http: {
                  paths: [
                    { path: '/', pathType: 'Prefix', backend: web },
                    {
                      path: '/n',
                      pathType: 'Prefix',
                      backend: { service: { name: 'web', port: { number: 80 } } },
                    },
                  ],
                },
              },
            ],
          }),
        ],
        services: [svc('web', [{ name: 'http', port: 80 }])],
        slices: [
          slice('web', { name: 'http', port: 8080 }, [['10.0.0.1'], ['10.0.0.2', false], ['10.0.0.3', true]]),
        ],
      }),
    );
    expect(model.problems).toEqual([]);
    const servers = model.backends.map((b) => [b.name, b.servers.map((s) => `${s.address}:${s.port}`)]);
    expect(servers).toEqual([
      ['be_ns_web_80', ['10.0.0.1:8080', '10.0.0.3:8080']],
      ['be_ns_web_http', ['10.0.0.1:8080', '10.0.0.3:8080']],
    ]);
  });

  it('reports a missing Service or port and still routes the rest', () => {
    const model = buildModel(
      inputs({
        ingresses: [
          ingress('a', {
            rules: [
              {
                http: {
                  paths: [
                    {
                      path: '/gone',
                      pathType: 'Prefix',
                      backend: { service: { name: 'gone', port: { number: 1 } } },
                    },
                    {
                      path: '/bad',
                      pathType: 'Prefix',
                      backend: { service: { name: 'web', port: { number: 9 } } },
                    },
                    { path: '/', pathType: 'Prefix', backend: web },
                  ],
                },
              },
            ],
          }),
        ],
        services: [svc('web', [{ name: 'http', port: 80 }])],
        slices: [slice('web', { name: 'http', port: 8080 }, [['10.0.0.1']])],
      }),
    );
    expect(model.problems.map((p) => p.message)).toEqual([
      'service "ns/gone" not found',
      'service "ns/web" has no port 9',
    ]);
    expect(matchRoute(model.routes, 'x', '/gone/a')?.backend).toBe('be_ns_gone_1');
    expect(model.backends.find((b) => b.name === 'be_ns_gone_1')?.servers).toEqual([]);
    expect(matchRoute(model.routes, 'x', '/ok')?.backend).toBe('be_ns_web_http');
  });

  it('takes the default backend of the oldest Ingress that has one', () => {
    const model = buildModel(
      inputs({
        ingresses: [
          ingress(
            'new',
            { defaultBackend: { service: { name: 'b', port: { number: 80 } } } },
            '2026-02-01T00:00:00Z',
          ),
          ingress(
            'old',
            { defaultBackend: { service: { name: 'a', port: { number: 80 } } } },
            '2026-01-01T00:00:00Z',
          ),
        ],
      }),
    );
    expect(model.defaultBackend).toBe('be_ns_a_80');
  });

  it('refuses paths and hosts that cannot go into the proxy configuration', () => {
    const model = buildModel(
      inputs({
        ingresses: [
          ingress('a', {
            rules: [
              { host: 'ok.example', http: { paths: [{ path: '/a b"', pathType: 'Prefix', backend: web }] } },
            ],
          }),
        ],
      }),
    );
    expect(model.routes).toEqual([]);
    expect(model.problems[0]?.reason).toBe('Unsupported');
  });
});

describe('TLS', () => {
  it('reports a missing Secret and a Secret without a key pair', () => {
    const bad: Secret = { metadata: { namespace: 'ns', name: 'bad' }, type: 'kubernetes.io/tls', data: {} };
    const model = buildModel(
      inputs({
        ingresses: [
          ingress('a', { tls: [{ hosts: ['a.example'], secretName: 'missing' }, { secretName: 'bad' }] }),
        ],
        secret: (key) => (key === 'ns/bad' ? bad : undefined),
      }),
    );
    expect(model.certificates).toEqual([]);
    expect(model.problems.map((p) => p.reason)).toEqual(['SecretNotFound', 'BadSecret']);
    expect(tlsPem(bad)).toEqual({ error: 'tls.crt and tls.key are required' });
  });
});

describe('HAProxy configuration', () => {
  it('lists rules in match order, a 404 default and one backend per Service port', () => {
    const model = buildModel(
      inputs({
        ingresses: [
          ingress('a', {
            rules: [
              { host: '*.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: web }] } },
              { host: 'a.example.com', http: { paths: [{ path: '/api', pathType: 'Exact', backend: web }] } },
            ],
          }),
        ],
        services: [svc('web', [{ name: 'http', port: 80 }])],
        slices: [slice('web', { name: 'http', port: 8080 }, [['10.0.0.1']])],
      }),
    );
    const { config } = renderHaproxyConfig(model, {
      host: '0.0.0.0',
      httpPort: 80,
      httpsPort: 443,
      dir: '/run/x/gen-1',
      defaultCert: '/run/x/default.pem',
      socket: '/run/x/admin.sock',
    });
    const lines = config.split('\n').map((l) => l.trim());
    expect(lines).toContain('acl host0 var(txn.host) -m str a.example.com');
    expect(lines).toContain('acl host1 var(txn.host) -m reg ^[^.]+[.]example[.]com$');
    const uses = lines.filter((l) => l.startsWith('use_backend') || l.startsWith('default_backend'));
    expect(uses).toEqual([
      'use_backend be_ns_web_http if host0 path0',
      'use_backend be_ns_web_http if host1',
      'default_backend k8ts_404',
    ]);
    expect(lines).toContain('server ep0 10.0.0.1:8080');
    expect(lines).toContain('bind 0.0.0.0:443 ssl crt /run/x/default.pem alpn h2,http/1.1');
  });
});
