/**
 * Issue 2 acceptance, reading: `kubectl get` as tables (upstream columns), `-o wide|yaml|json|
 * jsonpath|name`, label and field selectors, `-A`, `--watch` (a change made meanwhile shows up) and
 * `get all`, with kubectl 1.32 and 1.27. Fixtures are created over the REST API.
 */
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL_VERSIONS, kubectlJson, kubectlOk, kubectlStream } from '../support/kubectl.js';
import { configMap, deployment, pod, uniqueName, type Obj } from '../support/manifests.js';
import { create, createNamespace, mergePatch, remove } from '../support/objects.js';
import { pollUntil } from '../support/poll.js';
import { startServer, type TestServer } from '../support/server.js';
import { firstColumn, headerOf, parseTable, rowNamed } from '../support/table.js';

let server: TestServer;

beforeAll(async () => {
  // Output of the objects as written: no controller adds pods to the lists, no scheduler adds events.
  server = await startServer({ args: ['--controllers', '*,-deployment,-replicaset,-scheduler'] });
});

afterAll(async () => {
  await server?.stop();
});

function event(ns: string, name: string, about: string): Obj {
  const now = new Date().toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: ns },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: about, namespace: ns },
    reason: 'Scheduled',
    message: `about ${about}`,
    type: 'Normal',
    source: { component: 'e2e' },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
}

describe.each(KUBECTL_VERSIONS)('kubectl %s', (version) => {
  const ns = uniqueName(`get-${version.replace('.', '')}`);
  const k = (...args: string[]): Promise<string> => kubectlOk(server, ['-n', ns, ...args], { version });

  beforeAll(async () => {
    await createNamespace(server, ns);
    await create(server, pod(ns, 'web-0', { app: 'web', tier: 'front' }));
    await create(server, pod(ns, 'web-1', { app: 'web', tier: 'back' }));
    await create(server, pod(ns, 'db-0', { app: 'db' }));
    await mergePatch(server, `/api/v1/namespaces/${ns}/pods/web-0/status`, { status: { phase: 'Running' } });
    await create(server, deployment(ns, 'api', 2));
    await create(server, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    await create(server, {
      ...configMap(ns, 'c1', { a: '1' }),
      metadata: { name: 'c1', namespace: ns, labels: { set: 'x' } },
    });
    await create(server, configMap(ns, 'c2', { a: '1', b: '2' }));
    await create(server, event(ns, 'web-0.1', 'web-0'));
    await create(server, event(ns, 'db-0.1', 'db-0'));
  });

  it('prints pods as a table with upstream columns', async () => {
    const out = await k('get', 'pods');
    expect(headerOf(out)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(firstColumn(out)).toEqual(['db-0', 'web-0', 'web-1']);
    expect(rowNamed(out, 'web-0')).toMatchObject({ READY: '0/1', STATUS: 'Running', RESTARTS: '0' });
    expect(rowNamed(out, 'db-0')).toMatchObject({ READY: '0/1', STATUS: 'Pending', RESTARTS: '0' });
    expect(rowNamed(out, 'db-0')?.['AGE']).toMatch(/^\d+s$/);
  });

  it('prints deployments as a table with upstream columns', async () => {
    const out = await k('get', 'deployments');
    expect(headerOf(out)).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    expect(rowNamed(out, 'api')?.['READY']).toMatch(/^\d+\/2$/);
  });

  it('-o wide adds the wide columns', async () => {
    const pods = await k('get', 'pods', '-o', 'wide');
    expect(headerOf(pods)).toEqual([
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'AGE',
      'IP',
      'NODE',
      'NOMINATED NODE',
      'READINESS GATES',
    ]);
    expect(rowNamed(pods, 'db-0')).toMatchObject({ IP: '<none>', NODE: '<none>' });
    const deployments = await k('get', 'deployments', '-o', 'wide');
    expect(headerOf(deployments)).toEqual([
      'NAME',
      'READY',
      'UP-TO-DATE',
      'AVAILABLE',
      'AGE',
      'CONTAINERS',
      'IMAGES',
      'SELECTOR',
    ]);
    expect(rowNamed(deployments, 'api')).toMatchObject({
      CONTAINERS: 'app',
      IMAGES: 'k8ts.local/busybox:1.36',
      SELECTOR: 'app=api',
    });
  });

  it('-o yaml prints the stored object', async () => {
    const out = await k('get', 'pod', 'web-0', '-o', 'yaml');
    const got = parse(out) as {
      apiVersion: string;
      kind: string;
      metadata: { name: string; namespace: string; resourceVersion: string; labels: Record<string, string> };
      spec: { containers: { image: string }[] };
      status: { phase: string };
    };
    expect(got.apiVersion).toBe('v1');
    expect(got.kind).toBe('Pod');
    expect(got.metadata).toMatchObject({
      name: 'web-0',
      namespace: ns,
      labels: { app: 'web', tier: 'front' },
    });
    expect(got.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(got.spec.containers[0]?.image).toBe('k8ts.local/busybox:1.36');
    expect(got.status.phase).toBe('Running');
  });

  it('a created pod carries upstream defaults', async () => {
    const got = await kubectlJson<{
      spec: {
        restartPolicy?: string;
        dnsPolicy?: string;
        schedulerName?: string;
        terminationGracePeriodSeconds?: number;
        securityContext?: object;
        containers: {
          imagePullPolicy?: string;
          terminationMessagePath?: string;
          terminationMessagePolicy?: string;
        }[];
      };
    }>(server, ['-n', ns, 'get', 'pod', 'db-0'], { version });
    expect(got.spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      terminationGracePeriodSeconds: 30,
      securityContext: {},
    });
    expect(got.spec.containers[0]).toMatchObject({
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
    });
  });

  it('-o json prints a List', async () => {
    const list = await kubectlJson<{ kind: string; apiVersion: string; items: { kind: string }[] }>(
      server,
      ['-n', ns, 'get', 'pods'],
      { version },
    );
    expect(list.kind).toBe('List');
    expect(list.apiVersion).toBe('v1');
    expect(list.items.map((i) => i.kind)).toEqual(['Pod', 'Pod', 'Pod']);
  });

  it('-o jsonpath and -o name', async () => {
    expect(await k('get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}')).toBe('db-0 web-0 web-1');
    expect(await k('get', 'pod', 'web-0', '-o', "jsonpath={.metadata.labels['tier']}")).toBe('front');
    expect((await k('get', 'pods', '-o', 'name')).trim().split('\n')).toEqual([
      'pod/db-0',
      'pod/web-0',
      'pod/web-1',
    ]);
  });

  it('-l filters by label', async () => {
    const names = async (selector: string): Promise<string[]> =>
      firstColumn(await k('get', 'pods', '-l', selector)).sort();
    expect(await names('app=web')).toEqual(['web-0', 'web-1']);
    expect(await names('tier in (front)')).toEqual(['web-0']);
    expect(await names('!tier')).toEqual(['db-0']);
    expect(await names('app=web,tier!=front')).toEqual(['web-1']);
    expect(firstColumn(await k('get', 'configmaps', '-l', 'set=x'))).toEqual(['c1']);
  });

  it('--field-selector filters by field', async () => {
    const names = async (resource: string, selector: string, ...more: string[]): Promise<string[]> =>
      firstColumn(await k('get', resource, '--field-selector', selector, ...more)).sort();
    expect(await names('pods', 'metadata.name=web-1')).toEqual(['web-1']);
    expect(await names('pods', 'status.phase=Running')).toEqual(['web-0']);
    expect(await names('pods', 'status.phase!=Running')).toEqual(['db-0', 'web-1']);
    expect(await names('pods', 'status.phase=Pending', '-l', 'app=web')).toEqual(['web-1']);
    const events = await k('get', 'events', '--field-selector', 'involvedObject.name=web-0', '-o', 'name');
    expect(events.trim().split('\n')).toEqual(['event/web-0.1']);
  });

  it('-A lists across namespaces with a NAMESPACE column', async () => {
    const out = await kubectlOk(server, ['get', 'configmaps', '-A'], { version });
    expect(headerOf(out)).toEqual(['NAMESPACE', 'NAME', 'DATA', 'AGE']);
    // Every namespace also has the root CA publisher's kube-root-ca.crt.
    const mine = parseTable(out).rows.filter((r) => r[0] === ns && r[1] !== 'kube-root-ca.crt');
    expect(mine.map((r) => [r[1], r[2]])).toEqual([
      ['c1', '1'],
      ['c2', '2'],
    ]);
    const pods = await kubectlOk(server, ['get', 'pods', '--all-namespaces', '-l', 'app=web'], { version });
    expect(headerOf(pods)).toEqual(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(
      parseTable(pods)
        .rows.filter((r) => r[0] === ns)
        .map((r) => r[1]),
    ).toEqual(['web-0', 'web-1']);
  });

  it('--watch shows changes made while it runs', async () => {
    const watch = kubectlStream(server, ['-n', ns, 'get', 'configmaps', '--watch', '--output-watch-events'], {
      version,
    });
    try {
      await watch.waitFor(/ADDED\s+c2\s/);
      await create(server, configMap(ns, 'c-new', { x: 'y' }));
      await watch.waitFor(/ADDED\s+c-new\s/);
      await mergePatch(server, `/api/v1/namespaces/${ns}/configmaps/c-new`, { data: { x: 'z', w: 'v' } });
      await watch.waitFor(/MODIFIED\s+c-new\s+2\s/);
      await remove(server, `/api/v1/namespaces/${ns}/configmaps/c-new`);
      await watch.waitFor(/DELETED\s+c-new\s/);
    } finally {
      await watch.kill();
    }
    expect(watch.stderr()).toBe('');
  });

  it('--watch-only ends when --request-timeout expires', async () => {
    const started = Date.now();
    const watch = kubectlStream(
      server,
      ['-n', ns, 'get', 'pods', '--watch-only', '-o', 'name', '--request-timeout=3s'],
      {
        version,
      },
    );
    try {
      // Nothing is printed before the first change: touch the pod until the watch reports it.
      let n = 0;
      await pollUntil(
        'the watch to report a change of pod db-0',
        async () => {
          await mergePatch(server, `/api/v1/namespaces/${ns}/pods/db-0`, {
            metadata: { labels: { touched: `t${++n}` } },
          });
          return watch.stdout();
        },
        (out) => out.includes('pod/db-0'),
        { intervalMs: 200, timeoutMs: 2500 },
      );
      await Promise.race([
        watch.exited,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('kubectl still watching after 20 s')), 20_000),
        ),
      ]);
    } finally {
      await watch.kill();
    }
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('get all lists the workload kinds', async () => {
    const out = await k('get', 'all', '-o', 'name');
    const lines = out.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining(['pod/web-0', 'pod/web-1', 'pod/db-0', 'service/web', 'deployment.apps/api']),
    );
  });
});
