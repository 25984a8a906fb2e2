import { describe, expect, it } from 'vitest';
import {
  CriStreamingRuntime,
  type CriContainer,
  type CriPodSandbox,
  type CriStreamingService,
} from './cri-runtime.js';
import { KubeletHttpError } from './types.js';

const labels = (pod: string, container?: string): Record<string, string> => ({
  'io.kubernetes.pod.namespace': 'default',
  'io.kubernetes.pod.name': pod,
  ...(container ? { 'io.kubernetes.container.name': container } : {}),
});

function matches(sel: Record<string, string> | undefined, l: Record<string, string> | undefined): boolean {
  return Object.entries(sel ?? {}).every(([k, v]) => l?.[k] === v);
}

/** A CRI runtime with one pod `p` whose container `c` ran twice (attempt 0 exited, attempt 1 runs). */
function fakeCri(calls: string[]): CriStreamingService {
  const sandboxes: CriPodSandbox[] = [{ id: 'sb1', state: 'SANDBOX_READY', labels: labels('p') }];
  const containers: CriContainer[] = [
    { id: 'c0', metadata: { name: 'c', attempt: 0 }, state: 'CONTAINER_EXITED', labels: labels('p', 'c') },
    { id: 'c1', metadata: { name: 'c', attempt: 1 }, state: 'CONTAINER_RUNNING', labels: labels('p', 'c') },
    { id: 'd0', metadata: { name: 'd', attempt: 0 }, state: 'CONTAINER_EXITED', labels: labels('p', 'd') },
  ];
  return {
    listPodSandbox: async (r) => ({
      items: sandboxes.filter((s) => matches(r.filter?.labelSelector, s.labels)),
    }),
    listContainers: async (r) => ({
      containers: containers.filter((c) => matches(r.filter?.labelSelector, c.labels)),
    }),
    containerStatus: async ({ containerId }) => {
      const c = containers.find((x) => x.id === containerId);
      return { status: { id: containerId, state: c?.state, logPath: `/logs/${containerId}.log` } };
    },
    exec: async (r) => {
      calls.push(`exec ${r.containerId} ${r.cmd.join(' ')}`);
      return { url: 'http://127.0.0.1:1/exec/t' };
    },
    attach: async (r) => {
      calls.push(`attach ${r.containerId}`);
      return { url: 'http://127.0.0.1:1/attach/t' };
    },
    portForward: async (r) => {
      calls.push(`portforward ${r.podSandboxId} ${r.port.join(',')}`);
      return { url: 'http://127.0.0.1:1/portforward/t' };
    },
  };
}

const ref = { namespace: 'default', pod: 'p', container: 'c' };
const stream = { ...ref, cmd: ['ls'], tty: false, stdin: false, stdout: true, stderr: true };

describe('CriStreamingRuntime', () => {
  it('finds the current and previous instance of a container and their log files', async () => {
    const rt = new CriStreamingRuntime(fakeCri([]));
    expect(await rt.containerLog(ref, { previous: false })).toEqual({
      containerId: 'c1',
      logPath: '/logs/c1.log',
    });
    expect(await rt.containerLog(ref, { previous: true })).toEqual({
      containerId: 'c0',
      logPath: '/logs/c0.log',
    });
    expect(await rt.containerRunning('c1')).toBe(true);
    expect(await rt.containerRunning('c0')).toBe(false);
    await expect(rt.containerLog({ ...ref, container: 'd' }, { previous: true })).rejects.toThrow(
      'previous terminated container "d" in pod "p" not found',
    );
    await expect(rt.containerLog({ ...ref, pod: 'q' }, { previous: false })).rejects.toThrow(
      'pod "q" does not exist',
    );
  });

  it('asks the runtime for streaming URLs of running containers and ready sandboxes', async () => {
    const calls: string[] = [];
    const rt = new CriStreamingRuntime(fakeCri(calls));
    expect(await rt.exec(stream)).toBe('http://127.0.0.1:1/exec/t');
    await rt.attach(stream);
    await rt.portForward({ namespace: 'default', pod: 'p', ports: [80] });
    expect(calls).toEqual(['exec c1 ls', 'attach c1', 'portforward sb1 80']);
    const err = await rt.exec({ ...stream, container: 'd' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeletHttpError);
    expect((err as KubeletHttpError).message).toBe('container not found ("d")');
    await expect(rt.exec({ ...stream, pod: 'q' })).rejects.toThrow('pod does not exist');
  });
});
