import type { Node } from 'kubernetes-types/core/v1.js';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { NODES } from '../../../client/resources.js';
import { FakeClient } from '../../../client/testing/fake-client.js';
import type { MachineInfo } from './machine.js';
import { NodeManager } from './node-manager.js';
import { SERVICE_PROXY_LABEL, type NodeIdentity } from './node-status.js';

const machine: MachineInfo = {
  cpus: 2,
  memoryBytes: 4 * 2 ** 30,
  ephemeralStorageBytes: 20 * 2 ** 30,
  machineID: 'm',
  systemUUID: 'u',
  bootID: 'b',
  kernelVersion: '6.1.0',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  operatingSystem: 'linux',
  architecture: 'amd64',
  hostname: 'n1',
};

function identity(serviceProxy?: string): NodeIdentity {
  return {
    name: 'n1',
    internalIP: '10.250.0.1',
    containerRuntimeVersion: 'containerd://1.6.20',
    kubeletVersion: 'v1.33.0',
    kubeletPort: 10250,
    controlPlane: false,
    ...(serviceProxy ? { serviceProxy } : {}),
  };
}

async function register(client: FakeClient, serviceProxy?: string): Promise<Node> {
  const m = new NodeManager({
    client,
    identity: identity(serviceProxy),
    machine,
    health: () => ({
      memoryAvailableBytes: 2 ** 30,
      diskAvailableBytes: 2 ** 30,
      pidsUsed: 10,
      pidsMax: 1000,
      notReadyMessage: '',
    }),
    log: pino({ level: 'silent' }),
  });
  await m.register();
  m.stop();
  return (await client.resource(NODES).get('n1')) as Node;
}

describe('the service proxy label', () => {
  it('is set at registration when the node runs a proxy, and removed when it restarts without', async () => {
    const client = new FakeClient();
    expect((await register(client, 'nftables')).metadata?.labels?.[SERVICE_PROXY_LABEL]).toBe('nftables');
    // Adopted again (a restart) with the proxy on: kept; with `--disable proxy`: gone.
    expect((await register(client, 'nftables')).metadata?.labels?.[SERVICE_PROXY_LABEL]).toBe('nftables');
    const without = await register(client);
    expect(without.metadata?.labels).not.toHaveProperty(SERVICE_PROXY_LABEL);
    expect(without.metadata?.labels?.['kubernetes.io/hostname']).toBe('n1');
  });

  it('is never set on a node without a proxy', async () => {
    const client = new FakeClient();
    expect((await register(client)).metadata?.labels).not.toHaveProperty(SERVICE_PROXY_LABEL);
  });
});
