/**
 * Resource quantities with the real kubectl: whatever spelling a manifest uses, the server stores and
 * returns the canonical form ("0.5" → "500m", "1024Mi" → "1Gi"), in `get -o jsonpath`, `-o yaml` and
 * the watch. Re-applying the same manifest changes nothing on the server (same resourceVersion);
 * kubectl still reports "configured" while the manifest's spelling differs from the stored one, since
 * its three-way patch re-sends the manifest's values (upstream does the same: kubernetes#116135), and
 * "unchanged" once the manifest is written in the stored form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlJson, kubectlOk, kubectlStream } from '../support/kubectl.js';
import { uniqueName, writeFile } from '../support/manifests.js';
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

/** A pod written the way people write them: YAML numbers, decimals, odd suffixes. */
function podYaml(ns: string): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: qpod
  namespace: ${ns}
spec:
  initContainers:
  - name: init
    image: ${IMAGE}
    resources:
      requests:
        cpu: "0.0001"
  containers:
  - name: app
    image: ${IMAGE}
    resources:
      requests:
        cpu: 0.5
        memory: 1024Mi
      limits:
        cpu: 1000m
        memory: 2000000k
  - name: side
    image: ${IMAGE}
    resources:
      requests:
        memory: 1e3
  volumes:
  - name: scratch
    emptyDir:
      sizeLimit: 1.5Gi
`;
}

function quotaYaml(ns: string, canonical: boolean): string {
  const hard = canonical
    ? { cpu: '"2"', memory: '1Gi', limit: '2G', pods: '"10"', storage: '1536Mi' }
    : { cpu: '2000m', memory: '1024Mi', limit: '2000000k', pods: '10', storage: '1.5Gi' };
  return `apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute
  namespace: ${ns}
spec:
  hard:
    requests.cpu: ${hard.cpu}
    requests.memory: ${hard.memory}
    limits.memory: ${hard.limit}
    pods: ${hard.pods}
    requests.storage: ${hard.storage}
`;
}

/** `kubectl apply -f` of YAML text; returns stdout. */
async function apply(yaml: string): Promise<string> {
  const file = writeFile(server, `${uniqueName('q')}.yaml`, yaml);
  return (await kubectlOk(server, ['apply', '-f', file])).trim();
}

function jsonpath(ns: string, what: string, expr: string): Promise<string> {
  return kubectlOk(server, ['get', what, '-n', ns, '-o', `jsonpath=${expr}`]);
}

describe('quantities are stored and returned in canonical form', () => {
  it('in a pod: requests and limits of every container, emptyDir size, watch and -o yaml', async () => {
    const ns = await createNamespace(server, uniqueName('quant'));
    const watch = kubectlStream(server, [
      'get',
      'pods',
      '-n',
      ns,
      '--watch',
      '-o',
      'jsonpath={.metadata.name} {.spec.containers[0].resources.requests.cpu} {.spec.containers[0].resources.limits.memory}{"\\n"}',
    ]);
    try {
      expect(await apply(podYaml(ns))).toBe('pod/qpod created');
      await watch.waitFor(/qpod 500m 2G\n/);
    } finally {
      await watch.kill();
    }

    const app = await jsonpath(
      ns,
      'pod/qpod',
      '{.spec.containers[0].resources.requests.cpu},{.spec.containers[0].resources.requests.memory},' +
        '{.spec.containers[0].resources.limits.cpu},{.spec.containers[0].resources.limits.memory}',
    );
    expect(app).toBe('500m,1Gi,1,2G');
    // A YAML number reaches the server as a JSON number (1000) and is stored as a string.
    expect(await jsonpath(ns, 'pod/qpod', '{.spec.containers[1].resources.requests.memory}')).toBe('1k');
    // Resource lists are rounded up to milli-units when defaulted.
    expect(await jsonpath(ns, 'pod/qpod', '{.spec.initContainers[0].resources.requests.cpu}')).toBe('1m');
    expect(await jsonpath(ns, 'pod/qpod', '{.spec.volumes[0].emptyDir.sizeLimit}')).toBe('1536Mi');

    const yaml = await kubectlOk(server, ['get', 'pod', 'qpod', '-n', ns, '-o', 'yaml']);
    expect(yaml).toContain('      limits:\n        cpu: "1"\n        memory: 2G\n');
    expect(yaml).toContain('      requests:\n        cpu: 500m\n        memory: 1Gi\n');
    expect(yaml).toContain('sizeLimit: 1536Mi');
    // What the user wrote stays in the last-applied annotation, as upstream keeps it.
    const lastApplied = await jsonpath(
      ns,
      'pod/qpod',
      '{.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}',
    );
    expect(JSON.parse(lastApplied)).toMatchObject({
      spec: { containers: [{ resources: { requests: { cpu: 0.5, memory: '1024Mi' } } }, {}] },
    });

    // Re-applying changes nothing on the server.
    const before = await jsonpath(ns, 'pod/qpod', '{.metadata.resourceVersion}');
    expect(await apply(podYaml(ns))).toBe('pod/qpod configured');
    expect(await jsonpath(ns, 'pod/qpod', '{.metadata.resourceVersion}')).toBe(before);
    expect(
      await jsonpath(
        ns,
        'pod/qpod',
        '{.spec.containers[0].resources.requests.cpu},{.spec.volumes[0].emptyDir.sizeLimit}',
      ),
    ).toBe('500m,1536Mi');
    // kubectl diff (a server-side dry run of the same patch) sees no difference.
    const diff = await kubectl(server, [
      'diff',
      '-f',
      writeFile(server, `${uniqueName('q')}.yaml`, podYaml(ns)),
    ]);
    expect(diff.stdout).toBe('');
    expect(diff.code).toBe(0);
  });

  it('in a ResourceQuota, spec and status; a canonical manifest re-applies unchanged', async () => {
    const ns = await createNamespace(server, uniqueName('quant'));
    expect(await apply(quotaYaml(ns, false))).toBe('resourcequota/compute created');
    const spec = await jsonpath(ns, 'resourcequota/compute', `{.spec.hard}`);
    expect(JSON.parse(spec)).toEqual({
      'requests.cpu': '2',
      'requests.memory': '1Gi',
      'limits.memory': '2G',
      pods: '10',
      'requests.storage': '1536Mi',
    });
    interface Quota {
      status?: { hard?: Record<string, string>; used?: Record<string, string> };
    }
    const status = await pollUntil(
      'quota status',
      async () => (await kubectlJson<Quota>(server, ['get', 'quota', 'compute', '-n', ns])).status,
      (s) => s?.hard?.['requests.cpu'] !== undefined && s.used?.['pods'] !== undefined,
    );
    expect(status?.hard).toEqual(JSON.parse(spec));
    expect(status?.used).toMatchObject({ 'requests.cpu': '0', 'requests.memory': '0', pods: '0' });

    const rv = await jsonpath(ns, 'resourcequota/compute', '{.metadata.resourceVersion}');
    expect(await apply(quotaYaml(ns, false))).toBe('resourcequota/compute configured');
    expect(await jsonpath(ns, 'resourcequota/compute', '{.metadata.resourceVersion}')).toBe(rv);

    // Written as stored, the manifest re-applies as unchanged.
    expect(await apply(quotaYaml(ns, true))).toBe('resourcequota/compute configured');
    expect(await apply(quotaYaml(ns, true))).toBe('resourcequota/compute unchanged');
    expect(JSON.parse(await jsonpath(ns, 'resourcequota/compute', `{.spec.hard}`))).toEqual(JSON.parse(spec));
  });

  it('in an autoscaler, whose metric targets no defaulting touches', async () => {
    const ns = await createNamespace(server, uniqueName('quant'));
    const hpa = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
  namespace: ${ns}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  maxReplicas: 3
  metrics:
  - type: Pods
    pods:
      metric:
        name: requests-per-second
      target:
        type: AverageValue
        averageValue: 1000m
  - type: Object
    object:
      describedObject:
        apiVersion: v1
        kind: Service
        name: web
      metric:
        name: queue-length
      target:
        type: Value
        value: 0.5
`;
    expect(await apply(hpa)).toBe('horizontalpodautoscaler.autoscaling/web created');
    expect(
      await jsonpath(
        ns,
        'hpa/web',
        '{.spec.metrics[0].pods.target.averageValue},{.spec.metrics[1].object.target.value}',
      ),
    ).toBe('1,500m');
  });

  it('still refuses invalid quantities with upstream wording', async () => {
    const ns = await createNamespace(server, uniqueName('quant'));
    const pod = (requests: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: bad
  namespace: ${ns}
spec:
  containers:
  - name: app
    image: ${IMAGE}
    resources:
      requests:
${requests}
`;
    const run = (yaml: string) =>
      kubectl(server, ['apply', '-f', writeFile(server, `${uniqueName('q')}.yaml`, yaml)]);
    const garbled = await run(pod('        cpu: 1x'));
    expect(garbled.code).not.toBe(0);
    expect(garbled.stderr).toContain(
      `Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    );
    // A valid but negative value is reported in its stored form.
    const negative = await run(pod('        memory: "-0.5"'));
    expect(negative.code).not.toBe(0);
    expect(negative.stderr).toContain(
      'The Pod "bad" is invalid: spec.containers[0].resources.requests[memory]: Invalid value: "-500m": must be greater than or equal to 0',
    );
  });
});
