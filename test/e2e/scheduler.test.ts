/**
 * The scheduler end to end, with Node objects created through the API (no agent): pods get bound to
 * nodes that fit (taints, selectors, anti-affinity, spread over zones), the bin-packing profile
 * fills one node before the next, a high-priority pod preempts, FailedScheduling events carry
 * upstream's wording (`kubectl describe pod`), and --scheduler-config profiles are used or a bad
 * file stops `k8ts server` at start. Each test labels its nodes with a group of its own and pins its
 * pods there, so tests do not see each other's nodes.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlOk } from '../support/kubectl.js';
import { uniqueName, writeFile, type Obj } from '../support/manifests.js';
import { create, createNamespace, getPath } from '../support/objects.js';
import { pollUntil } from '../support/poll.js';
import { REPO_ROOT, startServer, type TestServer } from '../support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

const GROUP = 'e2e.k8ts.io/group';
const ZONE = 'topology.kubernetes.io/zone';

interface PodView {
  metadata?: { deletionTimestamp?: string };
  spec?: { nodeName?: string };
  status?: {
    nominatedNodeName?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

function node(
  name: string,
  group: string,
  opts: { cpu?: string; labels?: Record<string, string>; taints?: Obj[] } = {},
): Obj {
  const cpu = opts.cpu ?? '4';
  const resources = { cpu, memory: '8Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, [GROUP]: group, ...(opts.labels ?? {}) } },
    spec: opts.taints ? { taints: opts.taints } : {},
    status: { capacity: resources, allocatable: resources },
  };
}

function pod(
  ns: string,
  name: string,
  group: string,
  cpu: string,
  spec: Obj = {},
  labels: Record<string, string> = {},
): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: {
      containers: [{ name: 'c', image: 'k8ts.local/test:1', resources: { requests: { cpu } } }],
      nodeSelector: { [GROUP]: group },
      ...spec,
    },
  };
}

function podPath(ns: string, name: string): string {
  return `/api/v1/namespaces/${ns}/pods/${name}`;
}

async function boundNode(ns: string, name: string): Promise<string> {
  const p = await pollUntil(
    `pod ${ns}/${name} bound`,
    () => getPath<PodView>(server, podPath(ns, name)),
    (v) => !!v?.spec?.nodeName,
  );
  return p?.spec?.nodeName ?? '';
}

async function failedScheduling(ns: string, name: string): Promise<string> {
  return pollUntil(
    `FailedScheduling for ${ns}/${name} in kubectl describe`,
    () => kubectlOk(server, ['describe', 'pod', '-n', ns, name]),
    (out) => out.includes('FailedScheduling'),
  );
}

/** A namespace and a node group for one test. */
async function setup(prefix: string): Promise<{ ns: string; group: string }> {
  const name = uniqueName(prefix);
  await createNamespace(server, name);
  return { ns: name, group: name };
}

describe('scheduler', () => {
  it('binds pods to fitting nodes and explains, with upstream wording, pods that fit nowhere', async () => {
    const { ns, group } = await setup('sch-fit');
    const cp = `${group}-cp`;
    const small = `${group}-small`;
    const taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
    await create(server, node(cp, group, { cpu: '8', taints: [taint] }));
    await create(server, node(small, group, { cpu: '1' }));

    const manifest = writeFile(server, `${ns}-web.json`, JSON.stringify(pod(ns, 'web', group, '500m')));
    await kubectlOk(server, ['apply', '-f', manifest]);
    expect(await boundNode(ns, 'web')).toBe(small);
    const events = await pollUntil(
      'Scheduled event',
      () =>
        kubectlOk(server, ['get', 'events', '-n', ns, '--field-selector', 'reason=Scheduled', '-o', 'json']),
      (out) => out.includes('Successfully assigned'),
    );
    expect(events).toContain(`Successfully assigned ${ns}/web to ${small}`);

    await create(server, pod(ns, 'big', group, '2'));
    const described = await failedScheduling(ns, 'big');
    // Nodes of other tests fail the node selector; the counts of this test's two nodes are exact.
    expect(described).toMatch(
      /0\/\d+ nodes are available: 1 Insufficient cpu, 1 node\(s\) had untolerated taint \{node-role.kubernetes.io\/control-plane: \}(, \d+ node\(s\) didn't match Pod's node affinity\/selector)?\. preemption: 0\/\d+ nodes are available: \d+ Preemption is not helpful for scheduling\./,
    );
    expect(described).toContain('default-scheduler');
    const pending = await getPath<PodView>(server, podPath(ns, 'big'));
    const cond = pending?.status?.conditions?.find((c) => c.type === 'PodScheduled');
    expect(cond).toMatchObject({ status: 'False', reason: 'Unschedulable' });
    expect(cond?.message).toMatch(/^0\/\d+ nodes are available: /);

    // A node that fits appears: the waiting pod is retried on that event and bound.
    const roomy = `${group}-roomy`;
    await create(server, node(roomy, group, { cpu: '4' }));
    expect(await boundNode(ns, 'big')).toBe(roomy);
  });

  it('honours tolerations and required anti-affinity', async () => {
    const { ns, group } = await setup('sch-aff');
    const dedicated = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };
    for (const n of ['n1', 'n2']) await create(server, node(`${group}-${n}`, group, { taints: [dedicated] }));
    await create(server, node(`${group}-plain`, group));
    const tolerate = {
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }],
    };
    const anti = {
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' },
          ],
        },
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: 'kubernetes.io/hostname', operator: 'NotIn', values: [`${group}-plain`] },
                ],
              },
            ],
          },
        },
      },
    };
    for (const i of [0, 1, 2])
      await create(server, pod(ns, `db-${i}`, group, '100m', { ...tolerate, ...anti }, { app: 'db' }));
    const placed = [await boundNode(ns, 'db-0'), await boundNode(ns, 'db-1')].sort();
    expect(placed).toEqual([`${group}-n1`, `${group}-n2`]);
    const described = await failedScheduling(ns, 'db-2');
    expect(described).toContain("2 node(s) didn't match pod anti-affinity rules");

    await create(server, pod(ns, 'plain', group, '100m'));
    expect(await boundNode(ns, 'plain')).toBe(`${group}-plain`);
  });

  it('spreads pods evenly over zones with a DoNotSchedule topology spread constraint', async () => {
    const { ns, group } = await setup('sch-zone');
    const zones = ['a', 'b', 'c'];
    for (const z of zones) {
      // Zone a has two nodes: spreading is over zones, not nodes.
      await create(server, node(`${group}-${z}1`, group, { labels: { [ZONE]: `${group}-${z}` } }));
      if (z === 'a')
        await create(server, node(`${group}-${z}2`, group, { labels: { [ZONE]: `${group}-${z}` } }));
    }
    const spread = {
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: ZONE,
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { app: 'web' } },
        },
      ],
    };
    const names = Array.from({ length: 9 }, (_, i) => `web-${i}`);
    for (const n of names) await create(server, pod(ns, n, group, '100m', spread, { app: 'web' }));
    const nodes = await Promise.all(names.map((n) => boundNode(ns, n)));
    const perZone = new Map<string, number>();
    for (const n of nodes) {
      const z = n.slice(group.length + 1, group.length + 2);
      perZone.set(z, (perZone.get(z) ?? 0) + 1);
    }
    expect(Object.fromEntries(perZone)).toEqual({ a: 3, b: 3, c: 3 });
  });

  it('the bin-packing-scheduler profile fills one node before using the next', async () => {
    const { ns, group } = await setup('sch-pack');
    for (const n of ['n1', 'n2', 'n3']) await create(server, node(`${group}-${n}`, group, { cpu: '2' }));
    const names = Array.from({ length: 6 }, (_, i) => `job-${i}`);
    for (const n of names) {
      await create(server, pod(ns, n, group, '500m', { schedulerName: 'bin-packing-scheduler' }));
      // One at a time, so each decision sees the previous placement.
      await boundNode(ns, n);
    }
    const nodes = await Promise.all(names.map((n) => boundNode(ns, n)));
    expect(nodes.slice(0, 4).every((n) => n === nodes[0])).toBe(true);
    expect(nodes[4]).not.toBe(nodes[0]);
    expect(nodes[5]).toBe(nodes[4]);
    const events = await kubectlOk(server, ['get', 'events', '-n', ns, '-o', 'json']);
    expect(events).toContain('bin-packing-scheduler');
  });

  it('a high-priority pod preempts a lower-priority one and takes its place', async () => {
    const { ns, group } = await setup('sch-pre');
    const low = `${group}-low`;
    const high = `${group}-high`;
    await create(server, {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: low },
      value: 10,
    });
    await create(server, {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: high },
      value: 1000,
    });
    const target = `${group}-n1`;
    await create(server, node(target, group, { cpu: '2' }));
    // priority equals the class's value: valid with or without the Priority admission plugin.
    const withClass = (cls: string, value: number): Obj => ({ priorityClassName: cls, priority: value });
    await create(server, pod(ns, 'victim-1', group, '1', withClass(low, 10)));
    await create(server, pod(ns, 'victim-2', group, '1', withClass(low, 10)));
    await boundNode(ns, 'victim-1');
    await boundNode(ns, 'victim-2');

    await create(server, pod(ns, 'vip', group, '1', withClass(high, 1000)));
    const nominated = await pollUntil(
      'vip nominated',
      () => getPath<PodView>(server, podPath(ns, 'vip')),
      (v) => !!v?.status?.nominatedNodeName,
    );
    expect(nominated?.status?.nominatedNodeName).toBe(target);
    // One victim is marked and deleted gracefully; no node agent runs here, so finish its deletion.
    const victims = await pollUntil(
      'a victim marked for preemption',
      async () => Promise.all(['victim-1', 'victim-2'].map((v) => getPath<PodView>(server, podPath(ns, v)))),
      (vs) => vs.some((v) => v === undefined || v.metadata?.deletionTimestamp !== undefined),
    );
    const idx = victims.findIndex((v) => v === undefined || v.metadata?.deletionTimestamp !== undefined);
    const victim = `victim-${idx + 1}`;
    const marked = victims[idx];
    if (marked) {
      expect(marked.status?.conditions?.find((c) => c.type === 'DisruptionTarget')).toMatchObject({
        status: 'True',
        reason: 'PreemptionByScheduler',
      });
      await kubectlOk(server, ['delete', 'pod', '-n', ns, victim, '--grace-period=0', '--force']);
    }
    expect(await boundNode(ns, 'vip')).toBe(target);
    const survivor = await getPath<PodView>(server, podPath(ns, `victim-${2 - idx}`));
    expect(survivor?.metadata?.deletionTimestamp).toBeUndefined();
    const events = await kubectlOk(server, [
      'get',
      'events',
      '-n',
      ns,
      '--field-selector',
      'reason=Preempted',
      '-o',
      'json',
    ]);
    expect(events).toContain(`on node ${target}`);
  });

  it('a pod that never preempts says so', async () => {
    const { ns, group } = await setup('sch-never');
    await create(server, node(`${group}-n1`, group, { cpu: '1' }));
    await create(server, pod(ns, 'busy', group, '1'));
    await boundNode(ns, 'busy');
    // preemptionPolicy comes from the pod's PriorityClass (Priority admission refuses it set by hand).
    await create(server, {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: `${group}-never` },
      value: 0,
      preemptionPolicy: 'Never',
    });
    await create(server, pod(ns, 'polite', group, '1', { priorityClassName: `${group}-never` }));
    const described = await failedScheduling(ns, 'polite');
    expect(described).toMatch(
      /1 Insufficient cpu.*preemption: not eligible due to preemptionPolicy=Never\./s,
    );
  });
});

describe('scheduler configuration', () => {
  it('a bad --scheduler-config stops k8ts server at start with the field at fault', () => {
    const dir = fs.mkdtempSync(path.join(server.workDir, 'badcfg-'));
    const file = path.join(dir, 'sched.yaml');
    fs.writeFileSync(
      file,
      'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- schedulerName: x\n  pluginConfig:\n  - name: NodeResourcesFit\n    args: {scoringStrategy: {type: Fancy}}\n',
    );
    const r = spawnSync(
      process.execPath,
      [
        path.join(REPO_ROOT, 'bin', 'k8ts.js'),
        'server',
        '--data-dir',
        path.join(dir, 'data'),
        '--disable-agent',
        '--scheduler-config',
        file,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `error: scheduler config ${file}: profiles[x].pluginConfig[NodeResourcesFit].args.scoringStrategy.type: Unsupported value: "Fancy"`,
    );
  });

  it('profiles from --scheduler-config schedule pods that name them', async () => {
    const dir = fs.mkdtempSync(path.join(server.workDir, 'cfg-'));
    const file = path.join(dir, 'sched.yaml');
    fs.writeFileSync(
      file,
      [
        'apiVersion: kubescheduler.config.k8s.io/v1',
        'kind: KubeSchedulerConfiguration',
        'profiles:',
        '- schedulerName: packer',
        '  pluginConfig:',
        '  - name: NodeResourcesFit',
        '    args: {scoringStrategy: {type: MostAllocated}}',
        '',
      ].join('\n'),
    );
    const other = await startServer({ args: ['--scheduler-config', file] });
    try {
      await create(other, node('n1', 'g', { cpu: '2' }));
      await create(other, node('n2', 'g', { cpu: '2' }));
      await create(other, pod('default', 'a', 'g', '500m', { schedulerName: 'packer' }));
      await create(other, pod('default', 'b', 'g', '500m', { schedulerName: 'default-scheduler' }));
      const a = await pollUntil(
        'pod a bound by packer',
        () => getPath<PodView>(other, podPath('default', 'a')),
        (v) => !!v?.spec?.nodeName,
      );
      expect(a?.spec?.nodeName).toMatch(/^n[12]$/);
      // Only the configured profile exists: default-scheduler pods are left for another scheduler.
      await new Promise((r) => setTimeout(r, 500));
      expect((await getPath<PodView>(other, podPath('default', 'b')))?.spec?.nodeName).toBeUndefined();
    } finally {
      await other.stop();
    }
  });
});
