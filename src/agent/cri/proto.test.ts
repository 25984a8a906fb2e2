import { describe, expect, it } from 'vitest';
import { criMethod, criServerMethod, dropNulls } from './proto.js';
import type { ContainerStatusResponse, ExecSyncResponse, ListContainersRequest } from './types.js';

/** Encodes a response as a runtime would and decodes it as the client does. */
function roundTrip(service: 'RuntimeService' | 'ImageService', rpc: string, response: unknown): unknown {
  const server = criServerMethod(service, rpc);
  return criMethod(service, rpc).deserialize(server.serializeResponse(response));
}

describe('CRI proto conversions', () => {
  it('decodes enums as names, int64 as numbers and fills defaults', () => {
    const res = roundTrip('RuntimeService', 'ContainerStatus', {
      status: {
        id: 'abc',
        state: 2, // CONTAINER_EXITED on the wire
        createdAt: 1_700_000_000_000_000_000,
        finishedAt: 1_700_000_001_000_000_000,
        exitCode: 137,
        reason: 'OOMKilled',
        metadata: { name: 'app', attempt: 3 },
      },
    }) as ContainerStatusResponse;
    expect(res.status?.state).toBe('CONTAINER_EXITED');
    expect(typeof res.status?.createdAt).toBe('number');
    expect(res.status?.createdAt).toBeCloseTo(1.7e18, -4);
    expect((res.status?.finishedAt ?? 0) - (res.status?.createdAt ?? 0)).toBeCloseTo(1e9, -4);
    expect(res.status?.exitCode).toBe(137);
    expect(res.status?.reason).toBe('OOMKilled');
    expect(res.status?.metadata).toEqual({ name: 'app', attempt: 3 });
    // defaults filled in
    expect(res.status?.startedAt).toBe(0);
    expect(res.status?.labels).toEqual({});
    expect(res.status?.mounts).toEqual([]);
    expect(res.status?.message).toBe('');
    expect(res.status?.stopSignal).toBe('RUNTIME_DEFAULT');
    expect(res.info).toEqual({});
    // unset message fields are absent, not null
    expect('image' in res.status!).toBe(false);
    expect('resources' in res.status!).toBe(false);
  });

  it('decodes bytes as Buffers', () => {
    const res = roundTrip('RuntimeService', 'ExecSync', {
      stdout: Buffer.from('hello\n'),
      exitCode: 3,
    }) as ExecSyncResponse;
    expect(Buffer.isBuffer(res.stdout)).toBe(true);
    expect(res.stdout.toString()).toBe('hello\n');
    expect(Buffer.isBuffer(res.stderr)).toBe(true);
    expect(res.stderr.length).toBe(0);
    expect(res.exitCode).toBe(3);
  });

  it('encodes requests with enum names, maps and nested messages', () => {
    const req: ListContainersRequest = {
      filter: { state: { state: 'CONTAINER_RUNNING' }, labelSelector: { 'io.kubernetes.pod.uid': 'u1' } },
    };
    const bytes = criMethod('RuntimeService', 'ListContainers').serialize(req);
    const seen = criServerMethod('RuntimeService', 'ListContainers').deserializeRequest(bytes);
    expect(seen).toEqual({
      filter: {
        id: '',
        podSandboxId: '',
        state: { state: 'CONTAINER_RUNNING' },
        labelSelector: { 'io.kubernetes.pod.uid': 'u1' },
      },
    });
  });

  it('encodes int64 request fields given as numbers', () => {
    const bytes = criMethod('RuntimeService', 'StopContainer').serialize({ containerId: 'c', timeout: 30 });
    expect(criServerMethod('RuntimeService', 'StopContainer').deserializeRequest(bytes)).toEqual({
      containerId: 'c',
      timeout: 30,
    });
  });

  it('keeps uint64 stats wrappers as numbers', () => {
    const res = roundTrip('RuntimeService', 'ContainerStats', {
      stats: {
        attributes: { id: 'c1' },
        cpu: { timestamp: 5, usageCoreNanoSeconds: { value: 123456789 } },
        memory: { timestamp: 5, workingSetBytes: { value: 4 * 1024 * 1024 } },
      },
    });
    expect(res).toMatchObject({
      stats: {
        cpu: { usageCoreNanoSeconds: { value: 123456789 } },
        memory: { workingSetBytes: { value: 4194304 } },
      },
    });
    expect((res as { stats: { cpu: object } }).stats.cpu).not.toHaveProperty('usageNanoCores');
  });

  it('knows every RPC of the agent plan', () => {
    const runtime = [
      'Version',
      'RunPodSandbox',
      'StopPodSandbox',
      'RemovePodSandbox',
      'PodSandboxStatus',
      'ListPodSandbox',
      'CreateContainer',
      'StartContainer',
      'StopContainer',
      'RemoveContainer',
      'ListContainers',
      'ContainerStatus',
      'UpdateContainerResources',
      'ReopenContainerLog',
      'ExecSync',
      'Exec',
      'Attach',
      'PortForward',
      'ContainerStats',
      'ListContainerStats',
      'PodSandboxStats',
      'ListPodSandboxStats',
      'Status',
    ];
    for (const rpc of runtime)
      expect(criMethod('RuntimeService', rpc).path).toBe(`/runtime.v1.RuntimeService/${rpc}`);
    for (const rpc of ['ListImages', 'ImageStatus', 'PullImage', 'RemoveImage', 'ImageFsInfo'])
      expect(criMethod('ImageService', rpc).path).toBe(`/runtime.v1.ImageService/${rpc}`);
    expect(() => criMethod('RuntimeService', 'Nope')).toThrow(/no method RuntimeService.Nope/);
  });

  it('dropNulls removes nulls deeply and leaves Buffers alone', () => {
    const buf = Buffer.from('x');
    expect(dropNulls({ a: null, b: { c: null, d: 1 }, e: [{ f: null }], g: buf })).toEqual({
      b: { d: 1 },
      e: [{}],
      g: buf,
    });
  });
});
