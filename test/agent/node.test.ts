/**
 * Issue 3, the node: from a fresh data dir `k8ts server` registers its Node and brings it to Ready,
 * with capacity, allocatable, nodeInfo, labels, conditions, a podCIDR and a renewing Lease. On it:
 * static pods from the manifests directory (mirror pods), pod DNS settings and /etc/hosts, the
 * downward API (env and volume), a secret volume updated in place, subPath mounts, `k8ts images
 * import`; and last, `kill -9` of the server: after a restart on the same data dir the running
 * containers are adopted, not restarted.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { kubectlJson, kubectlOk } from '../support/kubectl.js';
import {
  apply,
  containerStatusOf,
  criOf,
  eventsFor,
  getPod,
  httpGet,
  importImages,
  requireCiNetns,
  resetCri,
  startNodeServer,
  stopNodeServer,
  waitNodeReady,
  waitPod,
  waitRunningReady,
  type NodeServer,
} from '../support/node.js';
import { createNamespace } from '../support/objects.js';
import { pollUntil } from '../support/poll.js';
import { IDLE, idlePod, podOn, shContainer } from '../support/pods.js';

let node: NodeServer;

/** The resolver configuration the node hands to dnsPolicy Default pods (and whose search ClusterFirst appends). */
const HOST_RESOLV = 'nameserver 192.0.2.53\nnameserver 192.0.2.54\nsearch corp.example\noptions timeout:2\n';

beforeAll(async () => {
  const resolv = path.join(requireCiNetns().dir, `resolv-${process.pid}.conf`);
  fs.writeFileSync(resolv, HOST_RESOLV);
  node = await startNodeServer({ args: ['--resolv-conf', resolv] });
});

afterAll(async () => {
  await stopNodeServer(node);
});

describe('node registration', () => {
  it('is Ready with its resources, identity, labels and conditions', async () => {
    const n = await kubectlJson<Node>(node, ['get', 'node', node.nodeName]);
    expect(n.metadata?.labels).toMatchObject({
      'kubernetes.io/hostname': node.nodeName,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
      'node-role.kubernetes.io/control-plane': 'true',
    });
    for (const key of ['capacity', 'allocatable'] as const) {
      const r = n.status?.[key] ?? {};
      expect(Object.keys(r)).toEqual(expect.arrayContaining(['cpu', 'memory', 'pods', 'ephemeral-storage']));
      expect(r['pods']).toBe('110');
    }
    const info = n.status?.nodeInfo;
    expect(info?.containerRuntimeVersion).toMatch(/^containerd:\/\/\d/);
    expect(info?.kubeletVersion).toMatch(/^v1\.33\./);
    expect(info?.operatingSystem).toBe('linux');
    expect(info?.osImage).toBeTruthy();
    expect(info?.kernelVersion).toBeTruthy();
    const conditions = Object.fromEntries((n.status?.conditions ?? []).map((c) => [c.type, c.status]));
    expect(conditions).toEqual({
      MemoryPressure: 'False',
      DiskPressure: 'False',
      PIDPressure: 'False',
      Ready: 'True',
    });
    expect(n.status?.addresses).toEqual(
      expect.arrayContaining([
        { type: 'InternalIP', address: '127.0.0.1' },
        { type: 'Hostname', address: node.nodeName },
      ]),
    );
    expect(n.spec?.podCIDR).toBe(`10.${100 + node.slot}.0.0/24`);
    expect(n.spec?.podCIDRs).toEqual([n.spec?.podCIDR]);
    expect(n.status?.daemonEndpoints?.kubeletEndpoint?.Port).toBeGreaterThan(0);

    const table = await kubectlOk(node, ['get', 'nodes']);
    expect(table).toMatch(
      new RegExp(`^${node.nodeName}\\s+Ready\\s+control-plane\\s+\\S+\\s+v1\\.33\\.`, 'm'),
    );
  });

  it('renews its Lease in kube-node-lease', async () => {
    const first = await kubectlJson<Lease>(node, ['get', 'lease', '-n', 'kube-node-lease', node.nodeName]);
    expect(first.spec?.holderIdentity).toBe(node.nodeName);
    expect(first.spec?.leaseDurationSeconds).toBe(40);
    const renewed = await pollUntil(
      'the node Lease to be renewed',
      () => kubectlJson<Lease>(node, ['get', 'lease', '-n', 'kube-node-lease', node.nodeName]),
      (l) => l.spec?.renewTime !== first.spec?.renewTime,
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(Date.parse(renewed.spec?.renewTime ?? '')).toBeGreaterThan(
      Date.parse(first.spec?.renewTime ?? ''),
    );
  });
});

/** Runs `sh -c SCRIPT` in a container with kubectl exec; returns stdout. */
function sh(ns: string, pod: string, script: string, container = 'app'): Promise<string> {
  return kubectlOk(node, ['exec', '-n', ns, pod, '-c', container, '--', 'sh', '-c', script]);
}

describe.concurrent('pods on the node', () => {
  it('a static pod from the manifests directory runs, shows as a mirror pod, and goes with its file', async ({
    expect,
  }) => {
    const file = path.join(node.manifestsDir, 'static-web.yaml');
    const mirror = `static-web-${node.nodeName}`;
    fs.mkdirSync(node.manifestsDir, { recursive: true });
    fs.writeFileSync(
      file,
      stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'static-web', namespace: 'default', labels: { tier: 'static' } },
        spec: { terminationGracePeriodSeconds: 2, containers: [shContainer('web', IDLE)] },
      }),
    );
    const pod = await waitRunningReady(node, 'default', mirror, 60_000);
    expect(pod.metadata?.annotations?.['kubernetes.io/config.mirror']).toBeTruthy();
    expect(pod.metadata?.annotations?.['kubernetes.io/config.source']).toBe('file');
    expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Node', name: node.nodeName });
    expect(pod.spec?.nodeName).toBe(node.nodeName);
    const table = await kubectlOk(node, ['get', 'pods', '-n', 'default']);
    expect(table).toMatch(new RegExp(`^${mirror}\\s+1/1\\s+Running\\s+0\\s`, 'm'));
    const hostname = await sh('default', mirror, 'hostname', 'web');
    expect(hostname.trim()).toBe(mirror);

    fs.rmSync(file);
    await waitPod(
      node,
      'default',
      mirror,
      'the mirror pod to go with its manifest',
      (p) => p === undefined,
      60_000,
    );
    await pollUntil(
      'the static pod’s sandbox to be removed',
      async () =>
        (await criOf(node).runtime.listPodSandbox({})).items.filter((s) => s.metadata?.name === mirror),
      (items) => items.length === 0,
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  });

  it('pod DNS: ClusterFirst, Default, None with dnsConfig; /etc/hosts names the pod', async ({ expect }) => {
    const ns = await createNamespace(node, 'dns');
    await apply(node, [
      idlePod(node.nodeName, ns, 'cluster-first'),
      podOn(node.nodeName, ns, 'default-policy', [shContainer('app', IDLE)], { dnsPolicy: 'Default' }),
      podOn(node.nodeName, ns, 'none', [shContainer('app', IDLE)], {
        dnsPolicy: 'None',
        dnsConfig: {
          nameservers: ['192.0.2.1'],
          searches: ['a.example', 'b.example'],
          options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }],
        },
      }),
    ]);
    const resolv = async (pod: string): Promise<Record<string, string[]>> => {
      await waitRunningReady(node, ns, pod);
      const out: Record<string, string[]> = { nameserver: [], search: [], options: [] };
      for (const line of (await sh(ns, pod, 'cat /etc/resolv.conf')).split('\n')) {
        const [key, ...rest] = line.trim().split(/\s+/);
        if (key && out[key]) out[key]!.push(...rest);
      }
      return out;
    };
    expect(await resolv('cluster-first')).toEqual({
      nameserver: ['10.43.0.10'],
      search: [`${ns}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local', 'corp.example'],
      options: ['ndots:5'],
    });
    expect(await resolv('default-policy')).toEqual({
      nameserver: ['192.0.2.53', '192.0.2.54'],
      search: ['corp.example'],
      options: ['timeout:2'],
    });
    expect(await resolv('none')).toEqual({
      nameserver: ['192.0.2.1'],
      search: ['a.example', 'b.example'],
      options: ['ndots:2', 'edns0'],
    });
    const pod = await getPod(node, ns, 'cluster-first');
    const hosts = await sh(ns, 'cluster-first', 'cat /etc/hosts');
    expect(hosts).toContain('# Kubernetes-managed hosts file.');
    expect(hosts).toMatch(/^127\.0\.0\.1\s+localhost$/m);
    expect(hosts).toMatch(new RegExp(`^${pod?.status?.podIP?.replace(/\./g, '\\.')}\\s+cluster-first$`, 'm'));
    expect((await sh(ns, 'cluster-first', 'hostname')).trim()).toBe('cluster-first');
  });

  it('downward API: env (fieldRef, resourceFieldRef) and a volume', async ({ expect }) => {
    const ns = await createNamespace(node, 'downward');
    const field = (fieldPath: string) => ({ valueFrom: { fieldRef: { fieldPath } } });
    await apply(node, [
      {
        ...podOn(
          node.nodeName,
          ns,
          'dw',
          [
            shContainer('app', IDLE, {
              resources: {
                requests: { cpu: '100m', memory: '32Mi' },
                limits: { cpu: '200m', memory: '64Mi' },
              },
              env: [
                { name: 'POD_NAME', ...field('metadata.name') },
                { name: 'POD_NAMESPACE', ...field('metadata.namespace') },
                { name: 'POD_UID', ...field('metadata.uid') },
                { name: 'POD_IP', ...field('status.podIP') },
                { name: 'HOST_IP', ...field('status.hostIP') },
                { name: 'NODE_NAME', ...field('spec.nodeName') },
                { name: 'SA', ...field('spec.serviceAccountName') },
                { name: 'TIER', ...field("metadata.labels['tier']") },
                {
                  name: 'MEM_LIMIT_MI',
                  valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } },
                },
                {
                  name: 'CPU_REQUEST_M',
                  valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } },
                },
              ],
              volumeMounts: [{ name: 'info', mountPath: '/etc/podinfo' }],
            }),
          ],
          {
            volumes: [
              {
                name: 'info',
                downwardAPI: {
                  items: [
                    { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
                    { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
                    { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
                    {
                      path: 'cpu_limit',
                      resourceFieldRef: { containerName: 'app', resource: 'limits.cpu', divisor: '1m' },
                    },
                  ],
                },
              },
            ],
          },
          { tier: 'backend' },
        ),
        metadata: {
          name: 'dw',
          namespace: ns,
          labels: { app: 'dw', tier: 'backend' },
          annotations: { note: 'hello' },
        },
      },
    ]);
    const pod = await waitRunningReady(node, ns, 'dw');
    const env = await sh(
      ns,
      'dw',
      'for v in POD_NAME POD_NAMESPACE POD_UID POD_IP HOST_IP NODE_NAME SA TIER MEM_LIMIT_MI CPU_REQUEST_M; do eval "echo $v=\\$$v"; done',
    );
    expect(env.trim().split('\n')).toEqual([
      'POD_NAME=dw',
      `POD_NAMESPACE=${ns}`,
      `POD_UID=${pod.metadata?.uid}`,
      `POD_IP=${pod.status?.podIP}`,
      'HOST_IP=127.0.0.1',
      `NODE_NAME=${node.nodeName}`,
      'SA=default',
      'TIER=backend',
      'MEM_LIMIT_MI=64',
      'CPU_REQUEST_M=100',
    ]);
    expect(await sh(ns, 'dw', 'cat /etc/podinfo/labels')).toBe('app="dw"\ntier="backend"');
    expect((await sh(ns, 'dw', 'cat /etc/podinfo/annotations')).split('\n')).toContain('note="hello"');
    expect(await sh(ns, 'dw', 'cat /etc/podinfo/name')).toBe('dw');
    expect(await sh(ns, 'dw', 'cat /etc/podinfo/cpu_limit')).toBe('200');
    expect(pod.status?.qosClass).toBe('Burstable');
  });

  it('a secret volume is updated in place when the Secret changes; subPath mounts', async ({ expect }) => {
    const ns = await createNamespace(node, 'volumes');
    await apply(node, [
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'token', namespace: ns },
        stringData: { value: 'v1' },
      },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'files', namespace: ns },
        data: { 'app.conf': 'listen 8080\n', other: 'x' },
      },
      podOn(
        node.nodeName,
        ns,
        'vols',
        [
          shContainer('app', IDLE, {
            volumeMounts: [
              { name: 'token', mountPath: '/etc/token' },
              { name: 'files', mountPath: '/etc/app.conf', subPath: 'app.conf' },
              { name: 'scratch', mountPath: '/all' },
              { name: 'scratch', mountPath: '/nested', subPath: 'deep/dir' },
            ],
          }),
        ],
        {
          volumes: [
            { name: 'token', secret: { secretName: 'token' } },
            { name: 'files', configMap: { name: 'files' } },
            { name: 'scratch', emptyDir: {} },
          ],
        },
      ),
    ]);
    await waitRunningReady(node, ns, 'vols');
    expect(await sh(ns, 'vols', 'cat /etc/token/value')).toBe('v1');
    // The atomic-writer layout: the key is a link into the ..data directory that is swapped.
    expect((await sh(ns, 'vols', 'readlink /etc/token/value')).trim()).toBe('..data/value');
    expect(await sh(ns, 'vols', 'cat /etc/app.conf')).toBe('listen 8080\n');
    expect((await sh(ns, 'vols', 'ls /etc')).split('\n')).not.toContain('other');
    await sh(ns, 'vols', 'echo deep > /nested/file');
    expect(await sh(ns, 'vols', 'cat /all/deep/dir/file')).toBe('deep\n');

    await kubectlOk(node, ['patch', 'secret', 'token', '-n', ns, '-p', '{"stringData":{"value":"v2"}}']);
    const updated = await pollUntil(
      'the secret volume to show the new value',
      () => sh(ns, 'vols', 'cat /etc/token/value'),
      (v) => v === 'v2',
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(updated).toBe('v2');
  });

  it('k8ts images import loads an archive into the node’s containerd', async ({ expect }) => {
    const archive = path.join(node.agentDir, 'images', 'busybox.tar');
    const out = importImages(node, [archive]);
    expect(out).toContain('k8ts.local/busybox:1');
    const images = (await criOf(node).images.listImages({})).images.flatMap((i) => i.repoTags);
    expect(images).toEqual(expect.arrayContaining(['k8ts.local/busybox:1', 'k8ts.local/pause:3.10']));
  });
});

describe('kill -9 of the server', () => {
  it('running containers are adopted after a restart: same container, restartCount unchanged', async () => {
    const ns = await createNamespace(node, 'survive');
    await apply(node, [
      podOn(node.nodeName, ns, 'survivor', [
        shContainer('app', 'echo up; exec httpd -f -p 8080 -h /etc', {
          readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
        }),
      ]),
    ]);
    const before = await waitRunningReady(node, ns, 'survivor');
    const status = containerStatusOf(before, 'app');
    const pid1Start = await sh(ns, 'survivor', 'cut -d" " -f22 /proc/1/stat');
    const sandboxes = (await criOf(node).runtime.listPodSandbox({})).items.filter(
      (s) => s.metadata?.uid === before.metadata?.uid,
    );
    expect(sandboxes.map((s) => s.state)).toEqual(['SANDBOX_READY']);

    const killedAt = Date.now();
    await node.kill();
    resetCri(node);
    // The containers kept running without their agent.
    expect((await httpGet(`http://${before.status?.podIP}:8080/passwd`)).status).toBe(200);
    await node.start();
    await waitNodeReady(node);
    // A new pod runs: the restarted agent has synced its pods.
    await apply(node, [idlePod(node.nodeName, ns, 'after')]);
    await waitRunningReady(node, ns, 'after');

    const after = await waitRunningReady(node, ns, 'survivor');
    const now = containerStatusOf(after, 'app');
    expect(now?.containerID).toBe(status?.containerID);
    expect(now?.restartCount).toBe(status?.restartCount);
    expect(now?.state?.running?.startedAt).toBe(status?.state?.running?.startedAt);
    expect(await sh(ns, 'survivor', 'cut -d" " -f22 /proc/1/stat')).toBe(pid1Start);
    const sandboxesAfter = (await criOf(node).runtime.listPodSandbox({})).items.filter(
      (s) => s.metadata?.uid === before.metadata?.uid,
    );
    expect(sandboxesAfter.map((s) => s.id)).toEqual(sandboxes.map((s) => s.id));
    const restarted = (await eventsFor(node, ns, 'survivor')).filter(
      (e) =>
        ['Killing', 'Started', 'Created'].includes(e.reason ?? '') &&
        Date.parse(e.lastTimestamp ?? '') >= killedAt,
    );
    expect(restarted).toEqual([]);
    expect((await httpGet(`http://${after.status?.podIP}:8080/passwd`)).status).toBe(200);
  });
});
