import { describe, it, expect } from 'vitest';
import type { KubeObject } from '../../../api/meta.js';
import { coreStrategies, coreSubresourceStrategies } from './index.js';
import { testContext } from './testing.js';

/** A small deterministic generator of odd JSON: wrong types, nulls, nesting, near-valid shapes. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const KEYS = [
  'spec',
  'status',
  'containers',
  'initContainers',
  'ephemeralContainers',
  'volumes',
  'ports',
  'name',
  'image',
  'resources',
  'limits',
  'requests',
  'cpu',
  'memory',
  'storage',
  'env',
  'valueFrom',
  'fieldRef',
  'livenessProbe',
  'httpGet',
  'port',
  'selector',
  'type',
  'clusterIP',
  'clusterIPs',
  'ipFamilies',
  'data',
  'binaryData',
  'subsets',
  'addresses',
  'ip',
  'taints',
  'effect',
  'key',
  'affinity',
  'nodeAffinity',
  'tolerations',
  'capacity',
  'accessModes',
  'hard',
  'scopes',
  'involvedObject',
  'eventTime',
  'finalizers',
  'securityContext',
  'projected',
  'sources',
  'podIPs',
  'volumeMounts',
  'mountPath',
  'topologySpreadConstraints',
  'dnsConfig',
  'conditions',
  'containerStatuses',
  'state',
];

function value(r: () => number, depth: number): unknown {
  const pick = Math.floor(r() * (depth > 3 ? 6 : 9));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return Math.floor(r() * 70000) - 5;
    case 2:
      return ['', 'None', '10.0.0.1', '1Gi', 'x', 'Always', 'TCP', '-1', '..'][Math.floor(r() * 9)];
    case 3:
      return r() > 0.5;
    case 4:
      return 1.5;
    case 5:
      return {};
    case 6:
    case 7: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 5);
      for (let i = 0; i < n; i++) o[KEYS[Math.floor(r() * KEYS.length)] ?? 'x'] = value(r, depth + 1);
      return o;
    }
    default: {
      const n = Math.floor(r() * 4);
      return Array.from({ length: n }, () => value(r, depth + 1));
    }
  }
}

function object(r: () => number): KubeObject {
  const o = value(r, 0);
  const base = typeof o === 'object' && o !== null && !Array.isArray(o) ? (o as Record<string, unknown>) : {};
  return {
    ...base,
    apiVersion: 'v1',
    kind: 'X',
    metadata: { name: 'n', namespace: 'default', resourceVersion: '1' },
  };
}

describe('strategies never throw on odd shapes', () => {
  for (const [name, strategy] of Object.entries(coreStrategies)) {
    it(name, () => {
      const r = rng(name.length * 7919);
      for (let i = 0; i < 400; i++) {
        const a = object(r);
        const b = object(r);
        expect(
          () => {
            strategy.defaults?.(a);
            strategy.prepareForCreate?.(a, testContext);
            strategy.validate(a, testContext);
            strategy.defaults?.(b);
            strategy.prepareForUpdate?.(b, a, testContext);
            strategy.validateUpdate?.(b, a, testContext);
            strategy.warnings?.(b, a);
            strategy.selectableFields?.(b);
            strategy.gracePeriod?.(b, undefined);
            if (strategy.status) {
              const c = object(r);
              strategy.status.prepareForUpdate(c, a, testContext);
              strategy.status.validateUpdate(c, a, testContext);
            }
          },
          JSON.stringify([a, b]),
        ).not.toThrow();
      }
    });
  }
  it('subresources', () => {
    const r = rng(42);
    for (const sub of Object.values(coreSubresourceStrategies))
      for (let i = 0; i < 200; i++) {
        const a = object(r);
        const b = object(r);
        expect(() => {
          sub.prepareForUpdate(b, a);
          sub.validateUpdate(b, a);
        }).not.toThrow();
      }
  });
});

/** Valid, feature-rich objects whose subtrees the mutation test replaces with odd values. */
const SEEDS: Record<string, KubeObject> = {
  pods: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'p',
      namespace: 'default',
      annotations: { 'container.apparmor.security.beta.kubernetes.io/app': 'runtime/default' },
    },
    spec: {
      initContainers: [
        { name: 'init', image: 'b', restartPolicy: 'Always', startupProbe: { grpc: { port: 9 } } },
      ],
      containers: [
        {
          name: 'app',
          image: 'nginx',
          ports: [{ containerPort: 80, hostPort: 80, name: 'http' }],
          env: [{ name: 'A', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } }],
          envFrom: [{ prefix: 'X_', configMapRef: { name: 'c' } }],
          resources: { limits: { cpu: '1', 'hugepages-2Mi': '4Mi' }, requests: { memory: '1Gi' } },
          volumeMounts: [
            { name: 'v', mountPath: '/v', subPathExpr: '$(A)', recursiveReadOnly: 'Enabled', readOnly: true },
          ],
          volumeDevices: [{ name: 'blk', devicePath: '/dev/x' }],
          livenessProbe: { httpGet: { port: 'http', httpHeaders: [{ name: 'X', value: 'y' }] } },
          lifecycle: { postStart: { exec: { command: ['a'] } }, preStop: { sleep: { seconds: 1 } } },
          securityContext: {
            runAsUser: 1000,
            seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' },
            capabilities: { add: ['NET_ADMIN'] },
          },
          resizePolicy: [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }],
        },
      ],
      volumes: [
        {
          name: 'v',
          projected: {
            sources: [
              { downwardAPI: { items: [{ path: 'l', fieldRef: { fieldPath: "metadata.labels['a']" } }] } },
              { serviceAccountToken: { path: 't' } },
            ],
          },
        },
        {
          name: 'blk',
          ephemeral: {
            volumeClaimTemplate: {
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
            },
          },
        },
      ],
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 10,
              podAffinityTerm: {
                topologyKey: 'zone',
                labelSelector: { matchExpressions: [{ key: 'a', operator: 'In', values: ['b'] }] },
                matchLabelKeys: ['a'],
              },
            },
          ],
        },
      },
      dnsPolicy: 'None',
      dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.b'], options: [{ name: 'ndots', value: '2' }] },
      securityContext: {
        sysctls: [{ name: 'net.core.somaxconn', value: '1' }],
        windowsOptions: { runAsUserName: 'a\\b' },
      },
      os: { name: 'windows' },
      schedulingGates: [{ name: 'g' }],
      overhead: { cpu: '10m' },
      hostAliases: [{ ip: '1.2.3.4', hostnames: ['x'] }],
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: 'z', whenUnsatisfiable: 'ScheduleAnyway', minDomains: 2 },
      ],
    },
    status: {
      podIPs: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }],
      hostIPs: [{ ip: '1.1.1.1' }],
      containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 1 } } }],
    },
  },
  services: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's', namespace: 'default' },
    spec: {
      type: 'LoadBalancer',
      clusterIP: '10.0.0.1',
      clusterIPs: ['10.0.0.1', 'fd00::1'],
      ipFamilies: ['IPv4', 'IPv6'],
      ports: [{ name: 'a', port: 80, nodePort: 30000, targetPort: 'http', appProtocol: 'h2c' }],
      externalTrafficPolicy: 'Local',
      healthCheckNodePort: 31000,
      sessionAffinity: 'ClientIP',
      loadBalancerSourceRanges: ['10.0.0.0/8'],
    },
    status: { loadBalancer: { ingress: [{ ip: '1.2.3.4', hostname: 'lb.example.com' }] } },
  },
  persistentvolumes: {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'pv' },
    spec: {
      accessModes: ['ReadWriteOnce'],
      capacity: { storage: '1Gi' },
      csi: {
        driver: 'csi.example.com',
        volumeHandle: 'h',
        nodePublishSecretRef: { name: 's', namespace: 'n' },
      },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n'] }] }],
        },
      },
    },
  },
  limitranges: {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'l', namespace: 'default' },
    spec: {
      limits: [
        { type: 'Container', min: { cpu: '1m' }, max: { cpu: '2' }, maxLimitRequestRatio: { cpu: '4' } },
      ],
    },
  },
  resourcequotas: {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: 'q', namespace: 'default' },
    spec: {
      hard: { pods: '1' },
      scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] },
    },
  },
};

const ODD: unknown[] = [null, 0, -1, 1.5, '', 'x', true, [], {}, [null], [1, 'a'], { a: null }];

function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (typeof v === 'object' && v !== null)
    for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

function setAt(root: Record<string, unknown>, path: (string | number)[], v: unknown): void {
  let cur: unknown = root;
  for (let i = 0; i < path.length - 1; i++)
    cur = (cur as Record<string | number, unknown>)[path[i] as string];
  (cur as Record<string | number, unknown>)[path[path.length - 1] as string] = v;
}

describe('strategies survive every subtree replaced by an odd value', () => {
  for (const [name, seed] of Object.entries(SEEDS)) {
    it(name, () => {
      const strategy = coreStrategies[name]!;
      const all = paths(seed).filter((p) => p.length > 1 || (p.length === 1 && p[0] !== 'metadata'));
      for (const p of all)
        for (const odd of ODD) {
          const a = structuredClone(seed) as Record<string, unknown>;
          setAt(a, p, structuredClone(odd));
          const obj = a as KubeObject;
          expect(
            () => {
              strategy.defaults?.(obj);
              strategy.prepareForCreate?.(obj, testContext);
              strategy.validate(obj, testContext);
              const next = structuredClone(seed);
              strategy.defaults?.(next);
              strategy.prepareForUpdate?.(next, obj, testContext);
              strategy.validateUpdate?.(next, obj, testContext);
              if (strategy.status) strategy.status.validateUpdate(obj, next, testContext);
            },
            `${name} ${p.join('.')} = ${JSON.stringify(odd)}`,
          ).not.toThrow();
        }
    });
  }
});
