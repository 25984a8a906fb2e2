/**
 * Manifests for the end-to-end tests: one valid object of every kind the server serves, and small
 * builders. Cluster-scoped names carry the namespace name so that parallel runs never collide.
 */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { TestServer } from './server.js';

/** A Kubernetes object as plain data. */
export type Obj = Record<string, unknown>;

/** Joins objects into one multi-document YAML stream. */
export function yamlStream(objects: Obj[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

/** Writes `content` into the server's scratch dir and returns the path. */
export function writeFile(server: TestServer, name: string, content: string): string {
  const file = path.join(server.workDir, name);
  fs.writeFileSync(file, content);
  return file;
}

let counter = 0;
/** A DNS-1123 label unique within this test process: `prefix-<pid>-<n>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid.toString(36)}-${(++counter).toString(36)}`;
}

/** A minimal valid container. */
export function container(name = 'app', image = 'k8ts.local/busybox:1.36'): Obj {
  return { name, image, command: ['sleep', '3600'] };
}

/** A pod template with the given labels. */
export function podTemplate(labels: Record<string, string>): Obj {
  return { metadata: { labels }, spec: { containers: [container()] } };
}

/** A Deployment with `replicas` pods labelled app=`name`. */
export function deployment(ns: string, name: string, replicas = 1): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: podTemplate({ app: name }) },
  };
}

/** A ConfigMap. */
export function configMap(ns: string, name: string, data: Record<string, string> = { key: 'value' }): Obj {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data };
}

/** A Pod. */
export function pod(ns: string, name: string, labels: Record<string, string> = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { containers: [container()] },
  };
}

/** The kinds in {@link everyKind}, as `resource.group` names kubectl accepts, with the object names. */
export interface KindEntry {
  /** e.g. `deployments.apps`, `events.events.k8s.io`, `pods` */
  resource: string;
  name: string;
  namespaced: boolean;
}

/**
 * One object of every kind the server serves (issue 2), in an order that applies cleanly. `ns` must
 * exist; a second namespace `ns`-b is created by the manifest itself.
 */
export function everyKind(ns: string): { objects: Obj[]; entries: KindEntry[] } {
  const labels = { suite: 'every-kind' };
  const meta = (name: string): Obj => ({ name, namespace: ns, labels });
  const cluster = (name: string): Obj => ({ name: `${ns}-${name}`, labels });
  const now = new Date().toISOString();
  const nowMicro = now.replace(/Z$/, '000Z');
  const objects: Obj[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: cluster('b') },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { ...meta('web-0'), labels: { ...labels, app: 'web' } },
      spec: { containers: [{ ...container('web'), ports: [{ containerPort: 8080, name: 'http' }] }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('web'),
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: meta('manual'),
      subsets: [{ addresses: [{ ip: '10.42.0.5' }], ports: [{ name: 'http', port: 8080 }] }],
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('settings'), data: { mode: 'fast' } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta('creds'),
      type: 'Opaque',
      stringData: { user: 'admin' },
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('robot') },
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { ...cluster('node'), labels: { ...labels, 'kubernetes.io/hostname': `${ns}-node` } },
      spec: { podCIDR: '10.42.7.0/24' },
    },
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: meta('web-0.started'),
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'web-0', namespace: ns },
      reason: 'Started',
      message: 'Started container web',
      type: 'Normal',
      source: { component: 'e2e' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: cluster('pv'),
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: `${ns}-sc`,
        hostPath: { path: '/tmp/k8ts-e2e-pv' },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta('data'),
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: `${ns}-sc`,
        resources: { requests: { storage: '1Gi' } },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: meta('limits'),
      spec: { limits: [{ type: 'Container', max: { memory: '4Gi' } }] },
    },
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: meta('quota'),
      spec: { hard: { pods: '100', configmaps: '100' } },
    },
    deploymentWith(ns, 'api', labels),
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta('rs'),
      spec: { replicas: 1, selector: { matchLabels: { app: 'rs' } }, template: podTemplate({ app: 'rs' }) },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta('db'),
      spec: {
        serviceName: 'web',
        replicas: 1,
        selector: { matchLabels: { app: 'db' } },
        template: podTemplate({ app: 'db' }),
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: meta('agent'),
      spec: { selector: { matchLabels: { app: 'agent' } }, template: podTemplate({ app: 'agent' }) },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: meta('db-rev1'),
      data: { spec: { template: podTemplate({ app: 'db' }) } },
      revision: 1,
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta('once'),
      spec: { template: { spec: { restartPolicy: 'Never', containers: [container('once')] } } },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta('nightly'),
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: {
          spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [container()] } } },
        },
      },
    },
    {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta('api-v1'),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
        minReplicas: 1,
        maxReplicas: 3,
        targetCPUUtilizationPercentage: 80,
      },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta('api-v2'),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
        minReplicas: 1,
        maxReplicas: 5,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
          },
        ],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: cluster('class'),
      spec: { controller: 'k8ts.io/ingress' },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta('web'),
      spec: {
        ingressClassName: `${ns}-class`,
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
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('web-only'),
      spec: {
        podSelector: { matchLabels: { app: 'web' } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ podSelector: { matchLabels: { app: 'api' } } }],
            ports: [{ protocol: 'TCP', port: 8080 }],
          },
        ],
      },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { ...meta('web-abc'), labels: { ...labels, 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.42.0.5'], conditions: { ready: true } }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
    {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: meta('leader'),
      spec: { holderIdentity: 'e2e-holder', leaseDurationSeconds: 15 },
    },
    {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: meta('web-0.pulled'),
      eventTime: nowMicro,
      reportingController: 'k8ts.io/e2e',
      reportingInstance: 'e2e-1',
      action: 'Pulling',
      reason: 'Pulled',
      regarding: { apiVersion: 'v1', kind: 'Pod', name: 'web-0', namespace: ns },
      note: 'Pulled the image',
      type: 'Normal',
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta('pod-reader'),
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: cluster('reader'),
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta('robot-reads-pods'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'robot', namespace: ns }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: cluster('reader'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${ns}-reader` },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: `${ns}-user` }],
    },
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: cluster('sc'),
      provisioner: 'k8ts.io/local-path',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta('api'),
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'api' } } },
    },
    {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: cluster('high'),
      value: 1000,
      globalDefault: false,
      description: 'e2e priority class',
    },
  ];
  const entries = objects.map((o): KindEntry => {
    const apiVersion = String(o['apiVersion']);
    const kind = String(o['kind']);
    const m = o['metadata'] as { name: string; namespace?: string };
    return { resource: resourceOf(apiVersion, kind), name: m.name, namespaced: m.namespace !== undefined };
  });
  return { objects, entries };
}

function deploymentWith(ns: string, name: string, labels: Record<string, string>): Obj {
  const d = deployment(ns, name, 2);
  (d['metadata'] as Obj)['labels'] = { ...labels, app: name };
  return d;
}

/** `plural.group` as kubectl takes it, for the kinds of {@link everyKind}. */
export function resourceOf(apiVersion: string, kind: string): string {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
  const irregular: Record<string, string> = {
    Endpoints: 'endpoints',
    PodDisruptionBudget: 'poddisruptionbudgets',
    Ingress: 'ingresses',
    IngressClass: 'ingressclasses',
    StorageClass: 'storageclasses',
    PriorityClass: 'priorityclasses',
    NetworkPolicy: 'networkpolicies',
  };
  const plural = irregular[kind] ?? `${kind.toLowerCase()}s`;
  if (!group) return plural;
  // Both autoscaling versions are served; name the version so each object is read back through its own.
  return kind === 'HorizontalPodAutoscaler' ? `${plural}.${version}.${group}` : `${plural}.${group}`;
}
