/**
 * Deployments and ReplicaSets end to end without containers: the ReplicaSet and Deployment
 * controllers of a real `k8ts server` (no agent, no nodes), driven by the real kubectl. Pods stay
 * unscheduled; a stand-in kubelet in the test marks them Running and Ready through the status
 * subresource. Covers `kubectl get deploy/rs` columns, `scale`, `rollout status|history|undo|pause|
 * resume|restart` (undo with kubectl 1.33 and 1.27), the progress deadline, the three cascading
 * deletes, and validation of bad Deployments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf } from '../support/api.js';
import { kubectl, kubectlFails, kubectlOk } from '../support/kubectl.js';
import { uniqueName, writeFile } from '../support/manifests.js';
import { createNamespace, getPath } from '../support/objects.js';
import { pollUntil } from '../support/poll.js';
import { startServer, type TestServer } from '../support/server.js';
import { rowNamed } from '../support/table.js';

let server: TestServer;

interface Meta {
  name: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { uid: string; kind: string }[];
  deletionTimestamp?: string;
}
interface PodView {
  metadata: Meta;
  spec: { containers: { image: string }[] };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}
interface RsView {
  metadata: Meta;
  spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
  status?: { replicas?: number; readyReplicas?: number };
}
interface DeployView {
  metadata: Meta & { generation?: number };
  spec: { replicas: number; paused?: boolean };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
}

/** A stand-in kubelet: marks every pod of `ns` Running and Ready (unless `accept` says no). */
function kubeletFor(ns: string, accept: (pod: PodView) => boolean = () => true): { stop(): Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const res = await server.admin.request('GET', `/api/v1/namespaces/${ns}/pods`);
      if (res.status === 200) {
        for (const pod of jsonOf<{ items: PodView[] }>(res).items) {
          const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
          if (ready || pod.metadata.deletionTimestamp || !accept(pod)) continue;
          await server.admin.request(
            'PATCH',
            `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}/status`,
            {
              status: {
                phase: 'Running',
                conditions: [
                  {
                    type: 'Ready',
                    status: 'True',
                    lastTransitionTime: new Date().toISOString().slice(0, 19) + 'Z',
                  },
                ],
              },
            },
            { contentType: 'application/merge-patch+json' },
          );
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

function deploymentYaml(ns: string, name: string, image: string, extra = ''): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  replicas: 3
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: app, image: ${image}, command: [sleep, "3600"]}]
${extra}`;
}

async function apply(ns: string, name: string, image: string, extra = ''): Promise<void> {
  const file = writeFile(server, `${ns}-${name.slice(0, 40)}.yaml`, deploymentYaml(ns, name, image, extra));
  await kubectlOk(server, ['apply', '-f', file]);
}

async function replicaSets(ns: string, name: string): Promise<RsView[]> {
  const list = await getPath<{ items: RsView[] }>(
    server,
    `/apis/apps/v1/namespaces/${ns}/replicasets?labelSelector=app%3D${name}`,
  );
  return list?.items ?? [];
}

async function deploymentOf(ns: string, name: string): Promise<DeployView> {
  const d = await getPath<DeployView>(server, `/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
  if (!d) throw new Error(`deployment ${ns}/${name} is missing`);
  return d;
}

async function pods(ns: string, selector: string): Promise<PodView[]> {
  const list = await getPath<{ items: PodView[] }>(
    server,
    `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`,
  );
  return (list?.items ?? []).filter((p) => !p.metadata.deletionTimestamp);
}

async function rolledOut(ns: string, name: string, version?: string): Promise<string> {
  return kubectlOk(server, ['rollout', 'status', `deploy/${name}`, '-n', ns, '--timeout=60s'], {
    ...(version ? { version } : {}),
    timeoutMs: 70_000,
  });
}

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

describe('Deployments', () => {
  it('rolls out, fills the get columns, scales, and rolls a new image out and back with undo', async () => {
    const ns = await createNamespace(server, uniqueName('dep'));
    const kubelet = kubeletFor(ns);
    try {
      await apply(ns, 'web', 'k8ts.local/busybox:1');
      expect(await rolledOut(ns, 'web')).toContain('deployment "web" successfully rolled out');
      const table = await kubectlOk(server, ['get', 'deploy', '-n', ns]);
      expect(rowNamed(table, 'web')).toMatchObject({ READY: '3/3', 'UP-TO-DATE': '3', AVAILABLE: '3' });
      const [first] = await replicaSets(ns, 'web');
      if (!first) throw new Error('no replica set');
      const rsTable = await kubectlOk(server, ['get', 'rs', '-n', ns]);
      expect(rowNamed(rsTable, first.metadata.name)).toMatchObject({
        DESIRED: '3',
        CURRENT: '3',
        READY: '3',
      });
      expect(first.metadata.name).toBe(`web-${first.metadata.labels?.['pod-template-hash'] ?? ''}`);

      // kubectl scale (the scale subresource) up and down.
      await kubectlOk(server, ['scale', 'deploy/web', '-n', ns, '--replicas=5']);
      await pollUntil(
        '5 pods',
        () => pods(ns, 'app=web'),
        (p) => p.length === 5,
      );
      await kubectlOk(server, ['scale', 'deploy/web', '-n', ns, '--replicas=2']);
      await pollUntil(
        '2 pods',
        () => pods(ns, 'app=web'),
        (p) => p.length === 2,
      );
      await rolledOut(ns, 'web');

      // A new image, recorded as the change cause: revision 2.
      await kubectlOk(server, ['set', 'image', 'deploy/web', '-n', ns, 'app=k8ts.local/busybox:2']);
      await kubectlOk(server, ['annotate', 'deploy/web', '-n', ns, 'kubernetes.io/change-cause=image 2']);
      expect(await rolledOut(ns, 'web')).toContain('successfully rolled out');
      const images = (await pods(ns, 'app=web')).map((p) => p.spec.containers[0]?.image);
      expect(images).toEqual(['k8ts.local/busybox:2', 'k8ts.local/busybox:2']);
      const history = await kubectlOk(server, ['rollout', 'history', 'deploy/web', '-n', ns]);
      expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+image 2\n/);
      const rev2 = await kubectlOk(server, ['rollout', 'history', 'deploy/web', '-n', ns, '--revision=2']);
      expect(rev2).toContain('k8ts.local/busybox:2');

      // Undo (kubectl 1.33 sends a JSON patch of the template): back to the first ReplicaSet.
      expect(
        await kubectlOk(server, ['rollout', 'undo', 'deploy/web', '-n', ns], { version: '1.33' }),
      ).toContain('rolled back');
      await rolledOut(ns, 'web', '1.33');
      const rss = await replicaSets(ns, 'web');
      expect(rss).toHaveLength(2);
      const back = rss.find((r) => r.metadata.name === first.metadata.name);
      expect(back?.spec.replicas).toBe(2);
      expect(back?.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
      expect(back?.metadata.annotations?.['deployment.kubernetes.io/revision-history']).toBe('1');
      expect(
        (await deploymentOf(ns, 'web')).metadata.annotations?.['deployment.kubernetes.io/revision'],
      ).toBe('3');
      expect(await kubectlOk(server, ['rollout', 'history', 'deploy/web', '-n', ns])).toMatch(
        /\n2\s+image 2\n3\s+<none>\n/,
      );

      // Undo again with an old kubectl, and to a revision that does not exist.
      expect(
        await kubectlOk(server, ['rollout', 'undo', 'deploy/web', '-n', ns], { version: '1.27' }),
      ).toContain('rolled back');
      await rolledOut(ns, 'web');
      expect((await pods(ns, 'app=web')).map((p) => p.spec.containers[0]?.image)).toEqual([
        'k8ts.local/busybox:2',
        'k8ts.local/busybox:2',
      ]);
      const missing = await kubectlFails(server, [
        'rollout',
        'undo',
        'deploy/web',
        '-n',
        ns,
        '--to-revision=99',
      ]);
      expect(missing.stderr).toContain('unable to find specified revision 99 in history');
    } finally {
      await kubelet.stop();
    }
  });

  it('pauses, refuses undo while paused, resumes, and restarts', async () => {
    const ns = await createNamespace(server, uniqueName('pause'));
    const kubelet = kubeletFor(ns);
    try {
      await apply(ns, 'web', 'k8ts.local/busybox:1');
      await rolledOut(ns, 'web');
      await kubectlOk(server, ['set', 'image', 'deploy/web', '-n', ns, 'app=k8ts.local/busybox:2']);
      await rolledOut(ns, 'web');
      await kubectlOk(server, ['rollout', 'pause', 'deploy/web', '-n', ns]);
      await kubectlOk(server, ['set', 'image', 'deploy/web', '-n', ns, 'app=k8ts.local/busybox:3']);
      const paused = await pollUntil(
        'the DeploymentPaused condition',
        () => deploymentOf(ns, 'web'),
        (d) => d.status?.conditions?.some((c) => c.reason === 'DeploymentPaused') === true,
      );
      expect(paused.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
        status: 'Unknown',
        message: 'Deployment is paused',
      });
      expect(await replicaSets(ns, 'web')).toHaveLength(2);
      const undo = await kubectlFails(server, ['rollout', 'undo', 'deploy/web', '-n', ns], {
        version: '1.33',
      });
      expect(undo.stderr).toContain(
        "error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume",
      );

      await kubectlOk(server, ['rollout', 'resume', 'deploy/web', '-n', ns]);
      await rolledOut(ns, 'web');
      expect(await replicaSets(ns, 'web')).toHaveLength(3);

      await kubectlOk(server, ['rollout', 'restart', 'deploy/web', '-n', ns]);
      await rolledOut(ns, 'web');
      const rss = await replicaSets(ns, 'web');
      expect(rss).toHaveLength(4);
      const live = rss.filter((r) => r.spec.replicas > 0);
      expect(live).toHaveLength(1);
      const restarted = await pods(ns, 'app=web');
      expect(restarted).toHaveLength(3);
      expect(
        restarted.every(
          (p) => p.metadata.labels?.['pod-template-hash'] === live[0]?.metadata.labels?.['pod-template-hash'],
        ),
      ).toBe(true);
      const events = await kubectlOk(server, [
        'get',
        'events',
        '-n',
        ns,
        '--field-selector',
        'reason=ScalingReplicaSet',
      ]);
      expect(events).toMatch(/Scaled up replica set web-[a-z0-9]+ from 0 to 1/);
      expect(events).toMatch(/Scaled down replica set web-[a-z0-9]+ from 3 to 2/);
    } finally {
      await kubelet.stop();
    }
  });

  it('fails `rollout status` once the progress deadline passes', async () => {
    const ns = await createNamespace(server, uniqueName('stuck'));
    const kubelet = kubeletFor(ns, (p) => p.spec.containers[0]?.image === 'k8ts.local/busybox:1');
    try {
      await apply(ns, 'web', 'k8ts.local/busybox:1', '  progressDeadlineSeconds: 2\n');
      await rolledOut(ns, 'web');
      await kubectlOk(server, ['set', 'image', 'deploy/web', '-n', ns, 'app=k8ts.local/busybox:never']);
      const r = await kubectl(server, ['rollout', 'status', 'deploy/web', '-n', ns, '--timeout=60s'], {
        timeoutMs: 70_000,
      });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('error: deployment "web" exceeded its progress deadline');
      const d = await deploymentOf(ns, 'web');
      expect(d.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
      });
      // The old pods keep serving.
      expect(
        (await pods(ns, 'app=web')).filter((p) => p.spec.containers[0]?.image === 'k8ts.local/busybox:1'),
      ).toHaveLength(3);
    } finally {
      await kubelet.stop();
    }
  });

  it('refuses a selector that does not match the template, an immutable selector change and negative replicas', async () => {
    const ns = await createNamespace(server, uniqueName('bad'));
    const mismatch = writeFile(
      server,
      `${ns}-mismatch.yaml`,
      deploymentYaml(ns, 'web', 'k8ts.local/busybox:1').replace(
        'selector: {matchLabels: {app: web}}',
        'selector: {matchLabels: {app: other}}',
      ),
    );
    const r1 = await kubectlFails(server, ['apply', '-f', mismatch]);
    expect(r1.stderr).toContain(
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    );
    const negative = writeFile(
      server,
      `${ns}-neg.yaml`,
      deploymentYaml(ns, 'web', 'k8ts.local/busybox:1').replace('replicas: 3', 'replicas: -1'),
    );
    const r2 = await kubectlFails(server, ['apply', '-f', negative]);
    expect(r2.stderr).toContain('spec.replicas: Invalid value: -1: must be greater than or equal to 0');

    await apply(ns, 'web', 'k8ts.local/busybox:1');
    const r3 = await kubectlFails(server, [
      'patch',
      'deploy/web',
      '-n',
      ns,
      '--type=merge',
      '-p',
      '{"spec":{"selector":{"matchLabels":{"app":"new"}},"template":{"metadata":{"labels":{"app":"new"}}}}}',
    ]);
    expect(r3.stderr).toContain('spec.selector: Invalid value');
    expect(r3.stderr).toContain('field is immutable');
  });
});

describe('ReplicaSets', () => {
  it('keeps its pods, scales, releases a relabelled pod and adopts a matching orphan', async () => {
    const ns = await createNamespace(server, uniqueName('rs'));
    const kubelet = kubeletFor(ns);
    try {
      const yaml = `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: front, namespace: ${ns}}
spec:
  replicas: 2
  selector: {matchLabels: {tier: front}}
  template:
    metadata: {labels: {tier: front}}
    spec:
      containers: [{name: app, image: k8ts.local/busybox:1, command: [sleep, "3600"]}]
`;
      await kubectlOk(server, ['apply', '-f', writeFile(server, `${ns}-rs.yaml`, yaml)]);
      await pollUntil(
        '2 ready pods',
        async () => rowNamed(await kubectlOk(server, ['get', 'rs', '-n', ns]), 'front'),
        (r) => r?.['READY'] === '2',
      );
      await kubectlOk(server, ['scale', 'rs/front', '-n', ns, '--replicas=3']);
      const row = await pollUntil(
        'DESIRED/CURRENT/READY 3',
        async () => rowNamed(await kubectlOk(server, ['get', 'rs', '-n', ns]), 'front'),
        (r) => r?.['READY'] === '3',
      );
      expect(row).toMatchObject({ DESIRED: '3', CURRENT: '3', READY: '3' });

      // A pod relabelled out of the selector is released (its owner reference removed) and replaced.
      const [victim] = await pods(ns, 'tier=front');
      const victimName = victim?.metadata.name ?? '';
      await kubectlOk(server, ['label', 'pod', victimName, '-n', ns, 'tier=out', '--overwrite']);
      await pollUntil(
        '3 pods again',
        () => pods(ns, 'tier=front'),
        (p) => p.length === 3,
      );
      const released = await getPath<PodView>(server, `/api/v1/namespaces/${ns}/pods/${victimName}`);
      expect(released?.metadata.ownerReferences ?? []).toEqual([]);

      // Labelled back, it is adopted: four pods match, and the ReplicaSet deletes one to stay at 3.
      await kubectlOk(server, ['label', 'pod', victimName, '-n', ns, 'tier=front', '--overwrite']);
      const after = await pollUntil(
        'adoption and scale-down to 3',
        async () => ({
          pods: await pods(ns, 'tier=front'),
          events: await kubectlOk(server, ['get', 'events', '-n', ns]),
        }),
        (v) => v.pods.length === 3 && /SuccessfulDelete/.test(v.events),
      );
      expect(after.pods.every((p) => p.metadata.ownerReferences?.[0]?.kind === 'ReplicaSet')).toBe(true);
      const events = await kubectlOk(server, ['get', 'events', '-n', ns]);
      expect(events).toMatch(/SuccessfulCreate\s+replicaset\/front\s+Created pod: front-[a-z0-9]{5}/);
      expect(events).toMatch(/SuccessfulDelete\s+replicaset\/front\s+Deleted pod: front-[a-z0-9]{5}/);
    } finally {
      await kubelet.stop();
    }
  });
});

describe('an unsatisfiable Deployment', () => {
  it('reports pods refused by a quota as ReplicaFailure and FailedCreate, and recovers when it is raised', async () => {
    const ns = await createNamespace(server, uniqueName('quota'));
    const quota = (pods: number): string =>
      `apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: ${ns}}\nspec: {hard: {pods: "${pods}"}}\n`;
    await kubectlOk(server, ['apply', '-f', writeFile(server, `${ns}-q1.yaml`, quota(1))]);
    await pollUntil(
      'the quota to be counted',
      () =>
        getPath<{ status?: { hard?: Record<string, string> } }>(
          server,
          `/api/v1/namespaces/${ns}/resourcequotas/q`,
        ),
      (q) => q?.status?.hard?.['pods'] === '1',
    );
    await apply(ns, 'web', 'k8ts.local/busybox:1');
    const d = await pollUntil(
      'the ReplicaFailure condition',
      () => deploymentOf(ns, 'web'),
      (x) => x.status?.conditions?.some((c) => c.type === 'ReplicaFailure') === true,
    );
    const failure = d.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
    expect(failure).toMatchObject({ status: 'True', reason: 'FailedCreate' });
    expect(failure?.message).toContain('exceeded quota: q');
    expect(await pods(ns, 'app=web')).toHaveLength(1);
    const events = await kubectlOk(server, [
      'get',
      'events',
      '-n',
      ns,
      '--field-selector',
      'reason=FailedCreate',
    ]);
    expect(events).toMatch(/Error creating: pods "web-[a-z0-9]+-[a-z0-9]+" is forbidden: exceeded quota: q/);
    // Backing off: a handful of refused creates in three seconds, not hundreds.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    interface EventView {
      reason: string;
      count?: number;
    }
    const list = await getPath<{ items: EventView[] }>(server, `/api/v1/namespaces/${ns}/events`);
    const refused = (list?.items ?? [])
      .filter((e) => e.reason === 'FailedCreate')
      .reduce((n, e) => n + (e.count ?? 1), 0);
    expect(refused).toBeLessThan(20);

    await kubectlOk(server, ['apply', '-f', writeFile(server, `${ns}-q5.yaml`, quota(5))]);
    await pollUntil(
      '3 pods and no ReplicaFailure',
      async () => ({ pods: await pods(ns, 'app=web'), d: await deploymentOf(ns, 'web') }),
      (v) => v.pods.length === 3 && !v.d.status?.conditions?.some((c) => c.type === 'ReplicaFailure'),
      { timeoutMs: 60_000 },
    );
  });

  it('reports ReplicaSetCreateError and retries with backoff, not in a loop', async () => {
    const ns = await createNamespace(server, uniqueName('unsat'));
    // A valid Deployment name so long that `<name>-<hash>` is not a valid ReplicaSet name.
    const name = `long-${'x'.repeat(245)}`;
    const yaml = deploymentYaml(ns, name, 'k8ts.local/busybox:1').replaceAll(`app: ${name}`, 'app: long');
    await kubectlOk(server, ['apply', '-f', writeFile(server, `${ns}-long.yaml`, yaml)]);
    const stuck = await pollUntil(
      'the ReplicaSetCreateError condition',
      () => deploymentOf(ns, name),
      (d) => d.status?.conditions?.some((c) => c.reason === 'ReplicaSetCreateError') === true,
    );
    const cond = stuck.status?.conditions?.find((c) => c.type === 'Progressing');
    expect(cond?.status).toBe('False');
    expect(cond?.message).toMatch(/^Failed to create new replica set "long-x+-[a-z0-9]+": /);
    expect(cond?.message).toContain('must be no more than 253 characters');
    // Retries back off: a few attempts in three seconds (each one records the Warning event again).
    await new Promise((resolve) => setTimeout(resolve, 3000));
    interface EventView {
      reason: string;
      count?: number;
      involvedObject: { name: string };
    }
    const events = await getPath<{ items: EventView[] }>(server, `/api/v1/namespaces/${ns}/events`);
    const failures = (events?.items ?? []).filter((e) => e.reason === 'ReplicaSetCreateError');
    const attempts = failures.reduce((n, e) => n + (e.count ?? 1), 0);
    expect(attempts).toBeGreaterThan(0);
    expect(attempts).toBeLessThan(15);
    expect(await replicaSets(ns, 'long')).toHaveLength(0);
  });
});

describe('cascading deletion of a Deployment', () => {
  async function setUp(ns: string, name: string): Promise<{ rs: RsView; uid: string }> {
    await apply(ns, name, 'k8ts.local/busybox:1');
    const [rs] = await pollUntil(
      `${name}'s replica set with 3 pods`,
      async () => ({ rss: await replicaSets(ns, name), pods: await pods(ns, `app=${name}`) }),
      (v) => v.rss.length === 1 && v.pods.length === 3,
    ).then((v) => v.rss);
    if (!rs) throw new Error('no replica set');
    return { rs, uid: (await deploymentOf(ns, name)).metadata.uid ?? '' };
  }

  it('background, foreground and orphan', async () => {
    const ns = await createNamespace(server, uniqueName('gc'));
    await setUp(ns, 'bg');
    await kubectlOk(server, ['delete', 'deploy/bg', '-n', ns, '--cascade=background']);
    await pollUntil(
      'bg replica sets and pods gone',
      async () => [...(await replicaSets(ns, 'bg')), ...(await pods(ns, 'app=bg'))],
      (l) => l.length === 0,
    );

    await setUp(ns, 'fg');
    // Foreground: kubectl waits until the Deployment is gone, which is after its dependents.
    await kubectlOk(server, [
      'delete',
      'deploy/fg',
      '-n',
      ns,
      '--cascade=foreground',
      '--wait=true',
      '--timeout=30s',
    ]);
    expect(await replicaSets(ns, 'fg')).toHaveLength(0);
    expect(await pods(ns, 'app=fg')).toHaveLength(0);

    const { rs } = await setUp(ns, 'or');
    await kubectlOk(server, ['delete', 'deploy/or', '-n', ns, '--cascade=orphan']);
    await pollUntil(
      'the orphaned replica set loses its owner',
      () => replicaSets(ns, 'or'),
      (l) => l.length === 1 && !l[0]?.metadata.ownerReferences?.length,
    );
    expect(await pods(ns, 'app=or')).toHaveLength(3);
    // A new Deployment with the same template adopts it instead of making another.
    await apply(ns, 'or', 'k8ts.local/busybox:1');
    const uid = (await deploymentOf(ns, 'or')).metadata.uid;
    const adopted = await pollUntil(
      'adoption',
      () => replicaSets(ns, 'or'),
      (l) => l[0]?.metadata.ownerReferences?.[0]?.uid === uid,
    );
    expect(adopted.map((r) => r.metadata.name)).toEqual([rs.metadata.name]);
    expect(await pods(ns, 'app=or')).toHaveLength(3);
  });
});
