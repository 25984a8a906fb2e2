/**
 * ResourceQuota, LimitRange and Priority admission with the real kubectl: upstream's refusal
 * messages, usage in `kubectl describe quota`, quota freed by deletions, LimitRange defaults on the
 * created pod, and priority classes resolved into spec.priority.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlFails, kubectlJson, kubectlOk } from '../support/kubectl.js';
import { uniqueName, writeFile, yamlStream, type Obj } from '../support/manifests.js';
import { createNamespace } from '../support/objects.js';
import { pollUntil } from '../support/poll.js';
import { startServer, type TestServer } from '../support/server.js';

let server: TestServer;
const IMAGE = 'k8ts.local/busybox:1.36';

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

function podManifest(ns: string, name: string, spec: Obj = {}, container: Obj = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns },
    spec: { containers: [{ name: 'app', image: IMAGE, ...container }], ...spec },
  };
}

/** `kubectl apply -f` of objects; resolves with the run's result. */
function apply(objects: Obj[]) {
  const file = writeFile(server, `${uniqueName('m')}.yaml`, yamlStream(objects));
  return kubectl(server, ['apply', '-f', file]);
}

interface Quota {
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

async function quotaUsed(ns: string, name: string): Promise<Record<string, string> | undefined> {
  return (await kubectlJson<Quota>(server, ['get', 'quota', name, '-n', ns])).status?.used;
}

describe('ResourceQuota', () => {
  it('refuses the pod over the limit with upstream wording, shows usage, and frees quota on delete', async () => {
    const ns = await createNamespace(server, uniqueName('quota'));
    await kubectlOk(server, [
      'create',
      'quota',
      'objects',
      '--hard=pods=2,services=1,count/configmaps=10',
      '-n',
      ns,
    ]);
    await pollUntil(
      'quota usage',
      () => quotaUsed(ns, 'objects'),
      (u) => u?.['pods'] === '0',
    );
    await kubectlOk(server, ['run', 'p1', `--image=${IMAGE}`, '-n', ns]);
    await kubectlOk(server, ['run', 'p2', `--image=${IMAGE}`, '-n', ns]);
    const over = await kubectlFails(server, ['run', 'p3', `--image=${IMAGE}`, '-n', ns]);
    expect(over.stderr.trim()).toBe(
      'Error from server (Forbidden): pods "p3" is forbidden: exceeded quota: objects, requested: pods=1, used: pods=2, limited: pods=2',
    );

    const describe = await kubectlOk(server, ['describe', 'quota', 'objects', '-n', ns]);
    expect(describe).toMatch(/Resource\s+Used\s+Hard/);
    expect(describe).toMatch(/\npods\s+2\s+2\n/);
    expect(describe).toMatch(/\nservices\s+0\s+1\n/);
    // The namespace's kube-root-ca.crt ConfigMap counts.
    expect(describe).toMatch(/\ncount\/configmaps\s+1\s+10\n/);

    await kubectlOk(server, ['delete', 'pod', 'p1', '-n', ns, '--grace-period=0', '--force']);
    await pollUntil(
      'quota freed by the delete',
      () => quotaUsed(ns, 'objects'),
      (u) => u?.['pods'] === '1',
    );
    await kubectlOk(server, ['run', 'p3', `--image=${IMAGE}`, '-n', ns]);

    await kubectlOk(server, ['create', 'service', 'clusterip', 's1', '--tcp=80:80', '-n', ns]);
    const svc = await kubectlFails(server, ['create', 'service', 'clusterip', 's2', '--tcp=80:80', '-n', ns]);
    expect(svc.stderr).toContain(
      'services "s2" is forbidden: exceeded quota: objects, requested: services=1, used: services=1, limited: services=1',
    );
  });

  it('requires compute resources on every container when the quota tracks them', async () => {
    const ns = await createNamespace(server, uniqueName('compute'));
    await kubectlOk(server, [
      'create',
      'quota',
      'compute',
      '--hard=limits.cpu=2,requests.memory=1Gi',
      '-n',
      ns,
    ]);
    await pollUntil(
      'quota usage',
      () => quotaUsed(ns, 'compute'),
      (u) => u?.['limits.cpu'] === '0',
    );
    const bare = await kubectlFails(server, ['run', 'bare', `--image=${IMAGE}`, '-n', ns]);
    expect(bare.stderr.trim()).toBe(
      'Error from server (Forbidden): pods "bare" is forbidden: failed quota: compute: must specify limits.cpu for: bare; requests.memory for: bare',
    );
    const r = await apply([
      podManifest(
        ns,
        'sized',
        {},
        { resources: { limits: { cpu: '1500m', memory: '512Mi' }, requests: { memory: '512Mi' } } },
      ),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const big = await apply([
      podManifest(ns, 'big', {}, { resources: { limits: { cpu: '1', memory: '1Gi' } } }),
    ]);
    expect(big.stderr).toContain(
      'pods "big" is forbidden: exceeded quota: compute, requested: limits.cpu=1,requests.memory=1Gi, used: limits.cpu=1500m,requests.memory=512Mi, limited: limits.cpu=2,requests.memory=1Gi',
    );
    const get = await kubectlOk(server, ['get', 'quota', 'compute', '-n', ns]);
    expect(get).toContain('requests.memory: 512Mi/1Gi');
    expect(get).toContain('limits.cpu: 1500m/2');
  });
  it('admits exactly up to the limit when many creates race', async () => {
    const ns = await createNamespace(server, uniqueName('race'));
    await kubectlOk(server, ['create', 'quota', 'three', '--hard=pods=3', '-n', ns]);
    await pollUntil(
      'quota usage',
      () => quotaUsed(ns, 'three'),
      (u) => u?.['pods'] === '0',
    );
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        server.admin.request('POST', `/api/v1/namespaces/${ns}/pods`, podManifest(ns, `p${i}`)),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, ...Array<number>(9).fill(403)]);
    expect(await quotaUsed(ns, 'three')).toEqual({ pods: '3' });
    const pods = await kubectlOk(server, ['get', 'pods', '-n', ns, '-o', 'name']);
    expect(pods.split('\n').filter(Boolean)).toHaveLength(3);
  });
});

describe('LimitRange', () => {
  it('fills in defaults visible on the created pod and refuses a container over max', async () => {
    const ns = await createNamespace(server, uniqueName('limits'));
    const lr = await apply([
      {
        apiVersion: 'v1',
        kind: 'LimitRange',
        metadata: { name: 'defaults', namespace: ns },
        spec: {
          limits: [
            {
              type: 'Container',
              default: { cpu: '500m', memory: '256Mi' },
              defaultRequest: { cpu: '100m' },
              max: { cpu: '1' },
            },
          ],
        },
      },
    ]);
    expect(lr.code, lr.stderr).toBe(0);
    await kubectlOk(server, ['run', 'small', `--image=${IMAGE}`, '-n', ns]);
    const pod = await kubectlJson<{
      metadata: { annotations?: Record<string, string> };
      spec: { containers: { resources: unknown }[] };
    }>(server, ['get', 'pod', 'small', '-n', ns]);
    expect(pod.spec.containers[0]?.resources).toEqual({
      limits: { cpu: '500m', memory: '256Mi' },
      requests: { cpu: '100m', memory: '256Mi' },
    });
    expect(pod.metadata.annotations?.['kubernetes.io/limit-ranger']).toBe(
      'LimitRanger plugin set: cpu, memory request for container small; cpu, memory limit for container small',
    );

    const big = await apply([podManifest(ns, 'big', {}, { resources: { limits: { cpu: '2' } } })]);
    expect(big.code).not.toBe(0);
    expect(big.stderr).toContain(
      'pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2',
    );

    // Defaults satisfy a compute quota in the same namespace, which then counts them.
    await kubectlOk(server, ['create', 'quota', 'cpu', '--hard=limits.cpu=1', '-n', ns]);
    await pollUntil(
      'quota usage',
      () => quotaUsed(ns, 'cpu'),
      (u) => u?.['limits.cpu'] === '500m',
    );
    await kubectlOk(server, ['run', 'second', `--image=${IMAGE}`, '-n', ns]);
    const third = await kubectlFails(server, ['run', 'third', `--image=${IMAGE}`, '-n', ns]);
    expect(third.stderr).toContain(
      'exceeded quota: cpu, requested: limits.cpu=500m, used: limits.cpu=1, limited: limits.cpu=1',
    );
  });
});

describe('Priority', () => {
  interface PodSpec {
    spec: { priority?: number; priorityClassName?: string; preemptionPolicy?: string };
  }

  it('has the system classes at start and reports the bootstrap check', async () => {
    const classes = await kubectlOk(server, ['get', 'priorityclasses']);
    expect(classes).toMatch(/system-cluster-critical\s+2000000000\s+false/);
    expect(classes).toMatch(/system-node-critical\s+2000001000\s+false/);
    const readyz = await kubectlOk(server, ['get', '--raw', '/readyz?verbose']);
    expect(readyz).toContain('[+]poststarthook/scheduling/bootstrap-system-priority-classes ok');
    const del = await kubectlFails(server, ['delete', 'priorityclass', 'system-node-critical']);
    expect(del.stderr).toContain(
      'priorityclasses.scheduling.k8s.io "system-node-critical" is forbidden: this is a system priority class and cannot be deleted',
    );
  });

  it('resolves priorityClassName into priority and preemptionPolicy, and refuses unknown classes', async () => {
    const ns = await createNamespace(server, uniqueName('prio'));
    await kubectlOk(server, [
      'create',
      'priorityclass',
      'batch-low',
      '--value=100',
      '--preemption-policy=Never',
    ]);
    const r = await apply([
      podManifest(ns, 'plain'),
      podManifest(ns, 'low', { priorityClassName: 'batch-low' }),
      podManifest(ns, 'critical', { priorityClassName: 'system-node-critical' }),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const get = (name: string) => kubectlJson<PodSpec>(server, ['get', 'pod', name, '-n', ns]);
    expect((await get('plain')).spec).toMatchObject({
      priority: 0,
      preemptionPolicy: 'PreemptLowerPriority',
    });
    expect((await get('low')).spec).toMatchObject({ priority: 100, preemptionPolicy: 'Never' });
    expect((await get('critical')).spec).toMatchObject({ priority: 2000001000 });

    const missing = await apply([podManifest(ns, 'lost', { priorityClassName: 'missing' })]);
    expect(missing.stderr).toContain(
      'pods "lost" is forbidden: no PriorityClass with name missing was found',
    );
    const wrong = await apply([podManifest(ns, 'wrong', { priorityClassName: 'batch-low', priority: 7 })]);
    expect(wrong.stderr).toContain(
      'pods "wrong" is forbidden: the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 100 from the given PriorityClass name',
    );
  });

  it('applies the global default class, and allows only one', async () => {
    const ns = await createNamespace(server, uniqueName('default'));
    await kubectlOk(server, ['create', 'priorityclass', 'everyone', '--value=50', '--global-default']);
    const second = await kubectlFails(server, [
      'create',
      'priorityclass',
      'another',
      '--value=60',
      '--global-default',
    ]);
    expect(second.stderr).toContain(
      'priorityclasses.scheduling.k8s.io "another" is forbidden: PriorityClass everyone is already marked as default. Only one default can exist',
    );
    await kubectlOk(server, ['run', 'def', `--image=${IMAGE}`, '-n', ns]);
    const pod = await kubectlJson<PodSpec>(server, ['get', 'pod', 'def', '-n', ns]);
    expect(pod.spec).toMatchObject({ priorityClassName: 'everyone', priority: 50 });
    await kubectlOk(server, ['delete', 'priorityclass', 'everyone']);
  });
});
