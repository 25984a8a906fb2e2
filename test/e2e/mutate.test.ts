/**
 * Issue 2 acceptance, changing objects with kubectl 1.32 and 1.27: `describe`; `apply` three-way
 * merge (a field dropped from the manifest goes, a label added outside the manifest stays); `edit`
 * through an EDITOR script; `patch` with JSON, merge and strategic patches; `label`, `annotate`,
 * `scale`, `set image`.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL_VERSIONS, kubectlFails, kubectlJson, kubectlOk } from '../support/kubectl.js';
import {
  configMap,
  container,
  deployment,
  pod,
  uniqueName,
  writeFile,
  yamlStream,
  type Obj,
} from '../support/manifests.js';
import { create, createNamespace } from '../support/objects.js';
import { startServer, type TestServer } from '../support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

interface Meta {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
}
interface DeploymentView {
  metadata: Meta;
  spec: {
    replicas: number;
    template: {
      spec: {
        containers: {
          name: string;
          image: string;
          command?: string[];
          env?: { name: string; value: string }[];
        }[];
      };
    };
  };
}
interface ConfigMapView {
  metadata: Meta;
  data?: Record<string, string>;
}

describe.each(KUBECTL_VERSIONS)('kubectl %s', (version) => {
  const ns = uniqueName(`mut-${version.replace('.', '')}`);
  const k = (...args: string[]): Promise<string> => kubectlOk(server, ['-n', ns, ...args], { version });
  const getJson = <T>(...args: string[]): Promise<T> =>
    kubectlJson<T>(server, ['-n', ns, 'get', ...args], { version });

  beforeAll(async () => {
    await createNamespace(server, ns);
    const p = await create<{ metadata: { uid: string } }>(server, pod(ns, 'web-0', { app: 'web' }));
    const now = new Date().toISOString();
    await create(server, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web-0.e2e', namespace: ns },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'web-0', namespace: ns, uid: p.metadata.uid },
      reason: 'Pulling',
      message: 'Pulling image for the e2e test',
      type: 'Normal',
      source: { component: 'e2e' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    });
    await create(server, deployment(ns, 'api', 2));
  });

  it('describe pod, deployment and namespace', async () => {
    const podText = await k('describe', 'pod', 'web-0');
    expect(podText).toMatch(/^Name:\s+web-0$/m);
    expect(podText).toMatch(new RegExp(`^Namespace:\\s+${ns}$`, 'm'));
    expect(podText).toMatch(/^Labels:\s+app=web$/m);
    expect(podText).toMatch(/^Status:\s+Pending$/m);
    expect(podText).toMatch(/^\s+Image:\s+k8ts\.local\/busybox:1\.36$/m);
    expect(podText).toMatch(/Normal\s+Pulling\s+.*Pulling image for the e2e test/);

    const dep = await k('describe', 'deployment', 'api');
    expect(dep).toMatch(/^Name:\s+api$/m);
    expect(dep).toMatch(/^Selector:\s+app=api$/m);
    expect(dep).toMatch(
      /^Replicas:\s+2 desired \| \d+ updated \| \d+ total \| \d+ available \| \d+ unavailable$/m,
    );
    expect(dep).toMatch(/^StrategyType:\s+RollingUpdate$/m);
    expect(dep).toMatch(/^Pod Template:$/m);

    const nsText = await kubectlOk(server, ['describe', 'namespace', ns], { version });
    expect(nsText).toMatch(new RegExp(`^Name:\\s+${ns}$`, 'm'));
    expect(nsText).toMatch(/^Status:\s+Active$/m);
    expect(nsText).toMatch(/^No resource quota\.$/m);
    expect(nsText).toMatch(/^No LimitRange resource\.$/m);
  });

  it('apply merges three ways: dropped fields go, fields set elsewhere stay', async () => {
    const first: Obj = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'merge', namespace: ns, labels: { app: 'merge', keep: 'kept', drop: 'dropped' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'merge' } },
        template: {
          metadata: { labels: { app: 'merge' } },
          spec: {
            containers: [
              {
                ...container('app', 'k8ts.local/busybox:1.36'),
                env: [
                  { name: 'A', value: '1' },
                  { name: 'B', value: '2' },
                ],
              },
            ],
          },
        },
      },
    };
    const file = writeFile(server, `merge-${version}.yaml`, yamlStream([first]));
    expect(await k('apply', '-f', file)).toBe('deployment.apps/merge created\n');
    expect(await k('label', 'deployment', 'merge', 'outside=added')).toBe('deployment.apps/merge labeled\n');

    const second = structuredClone(first);
    const meta = second['metadata'] as Meta;
    meta.labels = { app: 'merge', keep: 'kept', new: 'added' };
    const c = (second as unknown as DeploymentView).spec.template.spec.containers[0];
    if (!c) throw new Error('no container');
    c.image = 'k8ts.local/busybox:1.37';
    c.env = [{ name: 'A', value: '1' }];
    fs.writeFileSync(file, yamlStream([second]));
    expect(await k('apply', '-f', file)).toBe('deployment.apps/merge configured\n');

    const got = await getJson<DeploymentView>('deployment', 'merge');
    expect(got.metadata.labels).toEqual({ app: 'merge', keep: 'kept', new: 'added', outside: 'added' });
    expect(got.spec.template.spec.containers[0]?.env).toEqual([{ name: 'A', value: '1' }]);
    expect(got.spec.template.spec.containers[0]?.image).toBe('k8ts.local/busybox:1.37');
    expect(got.spec.template.spec.containers[0]?.command).toEqual(['sleep', '3600']);
  });

  it('edit applies what the editor changed', async () => {
    await create(server, configMap(ns, 'edited', { mode: 'fast', other: 'same' }));
    const script = writeFile(
      server,
      `editor-${version}.sh`,
      `#!/bin/sh\nsed -i 's/mode: fast/mode: slow/' "$1"\n`,
    );
    fs.chmodSync(script, 0o755);
    const out = await kubectlOk(server, ['-n', ns, 'edit', 'configmap', 'edited'], {
      version,
      env: { EDITOR: script, KUBE_EDITOR: script },
    });
    expect(out.trim()).toBe('configmap/edited edited');
    const got = await getJson<ConfigMapView>('configmap', 'edited');
    expect(got.data).toEqual({ mode: 'slow', other: 'same' });
  });

  it('patch --type json', async () => {
    await create(server, configMap(ns, 'pj', { a: '1', b: '2' }));
    const patch = JSON.stringify([
      { op: 'replace', path: '/data/a', value: 'one' },
      { op: 'remove', path: '/data/b' },
      { op: 'add', path: '/data/c', value: '3' },
      { op: 'test', path: '/data/a', value: 'one' },
    ]);
    expect(await k('patch', 'configmap', 'pj', '--type', 'json', '-p', patch)).toBe('configmap/pj patched\n');
    expect((await getJson<ConfigMapView>('configmap', 'pj')).data).toEqual({ a: 'one', c: '3' });
    const failed = await kubectlFails(
      server,
      [
        '-n',
        ns,
        'patch',
        'configmap',
        'pj',
        '--type',
        'json',
        '-p',
        '[{"op":"test","path":"/data/a","value":"x"}]',
      ],
      {
        version,
      },
    );
    // Upstream answers a failed JSON patch with a generic 422 (the detail is not passed on).
    expect(failed.stderr.trim()).toBe(
      'The request is invalid: the server rejected our request due to an error in our request',
    );
    expect((await getJson<ConfigMapView>('configmap', 'pj')).data).toEqual({ a: 'one', c: '3' });
  });

  it('patch --type merge', async () => {
    await create(server, configMap(ns, 'pm', { a: '1', b: '2' }));
    expect(await k('patch', 'configmap', 'pm', '--type', 'merge', '-p', '{"data":{"a":null,"z":"26"}}')).toBe(
      'configmap/pm patched\n',
    );
    expect((await getJson<ConfigMapView>('configmap', 'pm')).data).toEqual({ b: '2', z: '26' });
  });

  it('patch (strategic, the default) merges containers by name', async () => {
    await create(server, deployment(ns, 'sp', 1));
    const patch = JSON.stringify({
      spec: { template: { spec: { containers: [{ name: 'app', image: 'k8ts.local/busybox:2.0' }] } } },
    });
    expect(await k('patch', 'deployment', 'sp', '-p', patch)).toBe('deployment.apps/sp patched\n');
    const got = await getJson<DeploymentView>('deployment', 'sp');
    expect(got.spec.template.spec.containers).toHaveLength(1);
    expect(got.spec.template.spec.containers[0]).toMatchObject({
      name: 'app',
      image: 'k8ts.local/busybox:2.0',
      command: ['sleep', '3600'],
    });
  });

  it('label and annotate', async () => {
    expect(await k('label', 'pod', 'web-0', 'env=prod')).toBe('pod/web-0 labeled\n');
    const refused = await kubectlFails(server, ['-n', ns, 'label', 'pod', 'web-0', 'env=dev'], { version });
    expect(refused.stderr).toContain("'env' already has a value (prod), and --overwrite is false");
    expect(await k('label', 'pod', 'web-0', 'env=dev', '--overwrite')).toBe('pod/web-0 labeled\n');
    // kubectl 1.27 prints "annotate" (sic) where later versions print "annotated".
    expect(await k('annotate', 'pod', 'web-0', 'owner=team-a')).toMatch(/^pod\/web-0 annotated?\n$/);
    let got = await getJson<{ metadata: Meta }>('pod', 'web-0');
    expect(got.metadata.labels).toEqual({ app: 'web', env: 'dev' });
    expect(got.metadata.annotations).toMatchObject({ owner: 'team-a' });
    expect(await k('label', 'pod', 'web-0', 'env-')).toBe('pod/web-0 unlabeled\n');
    expect(await k('annotate', 'pod', 'web-0', 'owner-')).toMatch(/^pod\/web-0 annotated?\n$/);
    got = await getJson<{ metadata: Meta }>('pod', 'web-0');
    expect(got.metadata.labels).toEqual({ app: 'web' });
    expect(got.metadata.annotations?.['owner']).toBeUndefined();
  });

  it('scale --replicas', async () => {
    expect(await k('scale', 'deployment', 'api', '--replicas=5')).toBe('deployment.apps/api scaled\n');
    expect((await getJson<DeploymentView>('deployment', 'api')).spec.replicas).toBe(5);
    const raw = await kubectlOk(
      server,
      ['get', '--raw', `/apis/apps/v1/namespaces/${ns}/deployments/api/scale`],
      {
        version,
      },
    );
    expect(JSON.parse(raw)).toMatchObject({
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      spec: { replicas: 5 },
      status: { selector: 'app=api' },
    });
  });

  it('set image', async () => {
    expect(await k('set', 'image', 'deployment/api', 'app=k8ts.local/busybox:1.37')).toBe(
      'deployment.apps/api image updated\n',
    );
    const got = await getJson<DeploymentView>('deployment', 'api');
    expect(got.spec.template.spec.containers[0]?.image).toBe('k8ts.local/busybox:1.37');
  });
});
