/**
 * Issue 3, the node: from a fresh data dir `k8ts server` registers its Node and brings it to Ready,
 * with capacity, allocatable, nodeInfo, labels, conditions, a podCIDR and a renewing Lease.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlJson, kubectlOk } from '../support/kubectl.js';
import { pollUntil } from '../support/poll.js';
import { startNodeServer, stopNodeServer, type NodeServer } from '../support/node.js';

let node: NodeServer;

beforeAll(async () => {
  node = await startNodeServer();
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
