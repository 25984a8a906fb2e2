import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import {
  containerEnv,
  ContainerConfigError,
  resourceFieldValue,
  serviceEnv,
  type EnvSources,
} from './env.js';

const sources: EnvSources = {
  configMap: async (_ns, name) => (name === 'cfg' ? { MODE: 'prod', 'log-level': 'debug' } : undefined),
  secret: async (_ns, name) => (name === 'sec' ? { PASSWORD: 's3cret' } : undefined),
};
const ctx = { hostIP: '10.0.0.5', podIPs: ['10.42.0.9'], nodeAllocatable: { cpu: '2', memory: '1Gi' } };

function pod(container: NonNullable<Pod['spec']>['containers'][number]): Pod {
  return {
    metadata: { name: 'p', namespace: 'ns1', uid: 'u', labels: { app: 'web' } },
    spec: { nodeName: 'n1', containers: [container] },
  };
}

const asMap = (env: { key: string; value: string }[]): Record<string, string> =>
  Object.fromEntries(env.map((e) => [e.key, e.value]));

describe('containerEnv', () => {
  it('applies envFrom then env, expands $(VAR) and reads the downward API', async () => {
    const c = {
      name: 'c',
      image: 'i',
      resources: { limits: { memory: '64Mi' } },
      envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { secretRef: { name: 'sec' } }],
      env: [
        { name: 'GREETING', value: 'hello $(CFG_MODE) $$(NOPE)' },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'KEY', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'log-level' } } },
      ],
    };
    const env = asMap(await containerEnv(pod(c), c, sources, [], ctx));
    expect(env).toMatchObject({
      CFG_MODE: 'prod',
      PASSWORD: 's3cret',
      GREETING: 'hello prod $(NOPE)',
      POD: 'p',
      APP: 'web',
      IP: '10.42.0.9',
      MEM: '64',
      CPU: '2',
      KEY: 'debug',
    });
  });

  it('reports missing sources with upstream wording, unless optional', async () => {
    const missingCm = { name: 'c', image: 'i', envFrom: [{ configMapRef: { name: 'nope' } }] };
    await expect(containerEnv(pod(missingCm), missingCm, sources, [], ctx)).rejects.toThrow(
      new ContainerConfigError('configmap "nope" not found'),
    );
    const missingKey = {
      name: 'c',
      image: 'i',
      env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'sec', key: 'user' } } }],
    };
    await expect(containerEnv(pod(missingKey), missingKey, sources, [], ctx)).rejects.toThrow(
      "couldn't find key user in Secret ns1/sec",
    );
    const optional = {
      name: 'c',
      image: 'i',
      env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'gone', key: 'k', optional: true } } }],
    };
    expect(await containerEnv(pod(optional), optional, sources, [], ctx)).toEqual([]);
  });

  it('adds service links and always the kubernetes service variables', async () => {
    const c = { name: 'c', image: 'i' };
    const kube = { name: 'kubernetes', clusterIP: '10.43.0.1', ports: [{ name: 'https', port: 443 }] };
    const p = pod(c);
    p.spec = { ...p.spec!, enableServiceLinks: false };
    const env = asMap(
      await containerEnv(
        p,
        c,
        sources,
        [kube, { name: 'db', clusterIP: '10.43.0.9', ports: [{ port: 5432 }] }],
        ctx,
      ),
    );
    expect(env['KUBERNETES_SERVICE_HOST']).toBe('10.43.0.1');
    expect(env['KUBERNETES_SERVICE_PORT_HTTPS']).toBe('443');
    expect(env['KUBERNETES_PORT_443_TCP']).toBe('tcp://10.43.0.1:443');
    expect(env['DB_SERVICE_HOST']).toBeUndefined();
  });
});

describe('serviceEnv and resourceFieldValue', () => {
  it('names variables after the service, upper-cased with underscores', () => {
    const env = Object.fromEntries(
      serviceEnv({ name: 'my-db', clusterIP: '10.43.0.9', ports: [{ port: 5432, protocol: 'TCP' }] }),
    );
    expect(env['MY_DB_SERVICE_PORT']).toBe('5432');
    expect(env['MY_DB_PORT_5432_TCP_ADDR']).toBe('10.43.0.9');
  });
  it('rounds cpu up to whole divisors', () => {
    const c = { name: 'c', resources: { requests: { cpu: '250m' } } };
    expect(resourceFieldValue(c, 'requests.cpu', undefined, ctx)).toBe('1');
    expect(resourceFieldValue(c, 'requests.cpu', '1m', ctx)).toBe('250');
  });
});
