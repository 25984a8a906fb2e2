/**
 * The CRI client against a real containerd (started by the agent's supervisor) inside a test host's
 * network namespace: pod sandboxes on the CNI bridge, busybox containers, exec, stats, logs, OOM,
 * a containerd crash, and cleanup. Needs root.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestContainerd, type TestContainerd } from '../../../test/support/containerd.js';
import { createTestHost, type TestHost } from '../../../test/support/host.js';
import { TEST_BUSYBOX_IMAGE } from '../../../test/support/images.js';
import { pollUntil } from '../../../test/support/poll.js';
import { CriError, isNotFound } from './client.js';
import type { ContainerConfig, ContainerStatus, PodSandboxConfig } from './types.js';

const isRoot = process.getuid?.() === 0;
const POD_CIDR = '10.88.0.0/24';

describe.skipIf(!isRoot)('CRI runtime.v1 against containerd in a test host', () => {
  let host: TestHost;
  let rt: TestContainerd;
  const uid = 'c0ffee00-0000-4000-8000-000000000001';
  const podName = 'web';
  let sandboxConfig: PodSandboxConfig;
  let sandboxId = '';
  let podIp = '';
  let httpdId = '';

  beforeAll(async () => {
    host = await createTestHost();
    rt = await startTestContainerd(host, { podCidr: POD_CIDR, bridge: 'k8ts0' });
    sandboxConfig = {
      metadata: { name: podName, namespace: 'default', uid, attempt: 0 },
      hostname: podName,
      logDirectory: path.join(rt.dataDir, 'agent', 'pod-logs', `default_${podName}_${uid}`),
      dnsConfig: {
        servers: ['10.43.0.10'],
        searches: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
        options: ['ndots:5'],
      },
      labels: {
        'io.kubernetes.pod.name': podName,
        'io.kubernetes.pod.namespace': 'default',
        'io.kubernetes.pod.uid': uid,
        app: 'web',
      },
      annotations: { 'kubernetes.io/config.seen': 'now' },
      linux: {
        cgroupParent: `${host.cgroupRoot}/pod${uid}`,
        securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } },
      },
    };
  });

  afterAll(async () => {
    await host?.destroy();
  });

  /** A busybox container of the test pod. */
  function container(name: string, command: string[], extra: Partial<ContainerConfig> = {}): ContainerConfig {
    return {
      metadata: { name, attempt: 0 },
      image: { image: TEST_BUSYBOX_IMAGE },
      command,
      logPath: `${name}/0.log`,
      labels: {
        'io.kubernetes.pod.name': podName,
        'io.kubernetes.pod.namespace': 'default',
        'io.kubernetes.pod.uid': uid,
        'io.kubernetes.container.name': name,
      },
      annotations: {
        'io.kubernetes.container.restartCount': '0',
        'io.kubernetes.container.terminationMessagePath': '/dev/termination-log',
        'io.kubernetes.pod.terminationGracePeriod': '30',
      },
      ...extra,
    };
  }

  async function run(name: string, command: string[], extra?: Partial<ContainerConfig>): Promise<string> {
    const { containerId } = await rt.cri.runtime.createContainer({
      podSandboxId: sandboxId,
      config: container(name, command, extra),
      sandboxConfig,
    });
    await rt.cri.runtime.startContainer({ containerId });
    return containerId;
  }

  async function waitExited(containerId: string): Promise<ContainerStatus> {
    const res = await pollUntil(
      `container ${containerId} to exit`,
      () => rt.cri.runtime.containerStatus({ containerId }),
      (r) => r.status?.state === 'CONTAINER_EXITED',
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    if (!res.status) throw new Error('no status');
    return res.status;
  }

  /** HTTP GET from inside the host's namespace (where the pod network lives). */
  async function httpGet(url: string): Promise<string> {
    const r = await host.httpGet(url, 2000);
    if (r.status !== 200) throw new Error(`GET ${url}: status ${r.status}`);
    return r.body;
  }

  it('answers Version and Status with the runtime and network ready', async () => {
    const v = await rt.cri.runtime.version();
    expect(v.runtimeName).toBe('containerd');
    expect(v.runtimeApiVersion).toBe('v1');
    const status = await rt.cri.runtime.status({});
    const conditions = Object.fromEntries((status.status?.conditions ?? []).map((c) => [c.type, c.status]));
    expect(conditions).toEqual({ RuntimeReady: true, NetworkReady: true });
    const img = await rt.cri.images.imageStatus({ image: { image: TEST_BUSYBOX_IMAGE } });
    expect(img.image?.repoTags).toContain(TEST_BUSYBOX_IMAGE);
    expect(img.image?.size).toBeGreaterThan(0);
    const missing = await rt.cri.images.imageStatus({ image: { image: 'k8ts.local/nope:1' } });
    expect(missing.image).toBeUndefined();
    // (usage is sampled every 10 s by containerd: right after the start it may still say 0)
    const fsInfo = await rt.cri.images.imageFsInfo();
    expect(fsInfo.imageFilesystems[0]?.fsId?.mountpoint).toBe(
      path.join(rt.containerd.paths.root, 'io.containerd.snapshotter.v1.overlayfs'),
    );
  });

  it('runs a pod sandbox on the CNI bridge with an IP from the pod CIDR', async () => {
    fs.mkdirSync(sandboxConfig.logDirectory ?? '', { recursive: true });
    const started = Date.now();
    sandboxId = (await rt.cri.runtime.runPodSandbox({ config: sandboxConfig })).podSandboxId;
    const runMs = Date.now() - started;
    expect(sandboxId).toMatch(/^[0-9a-f]{64}$/);
    const { status } = await rt.cri.runtime.podSandboxStatus({ podSandboxId: sandboxId });
    expect(status?.state).toBe('SANDBOX_READY');
    expect(status?.metadata).toEqual(sandboxConfig.metadata);
    expect(status?.labels).toMatchObject(sandboxConfig.labels ?? {});
    expect(status?.annotations).toEqual(sandboxConfig.annotations);
    podIp = status?.network?.ip ?? '';
    expect(podIp).toMatch(/^10\.88\.0\.\d+$/);
    expect(podIp).not.toBe('10.88.0.1'); // the bridge's own address
    // the bridge lives in the test host's namespace, not on the machine
    const links = await host.exec('ip', ['-o', 'addr', 'show', 'dev', 'k8ts0'], { check: true });
    expect(links.stdout).toContain('10.88.0.1/24');
    const list = await rt.cri.runtime.listPodSandbox({
      filter: { labelSelector: { 'io.kubernetes.pod.uid': uid } },
    });
    expect(list.items.map((s) => s.id)).toEqual([sandboxId]);
    console.info(`RunPodSandbox took ${runMs} ms`);
  });

  it('runs busybox httpd reachable at the pod IP, with logs, DNS config and its cgroup', async () => {
    const started = Date.now();
    httpdId = await run('httpd', [
      'sh',
      '-c',
      'mkdir -p /www && echo "hello from $(hostname)" > /www/index.html && echo started && exec httpd -f -p 80 -h /www',
    ]);
    console.info(`CreateContainer + StartContainer took ${Date.now() - started} ms`);
    const { status } = await rt.cri.runtime.containerStatus({ containerId: httpdId });
    expect(status?.state).toBe('CONTAINER_RUNNING');
    expect(status?.metadata).toEqual({ name: 'httpd', attempt: 0 });
    expect(status?.startedAt).toBeGreaterThan(0);
    expect(status?.finishedAt).toBe(0);
    expect(status?.labels['io.kubernetes.container.name']).toBe('httpd');
    expect(status?.annotations['io.kubernetes.container.restartCount']).toBe('0');
    expect(status?.image?.image).toBe(TEST_BUSYBOX_IMAGE);
    expect(status?.imageRef).toMatch(/^sha256:/);
    expect(status?.logPath).toBe(path.join(sandboxConfig.logDirectory ?? '', 'httpd', '0.log'));

    const page = await pollUntil(
      'the pod page over HTTP',
      () => httpGet(`http://${podIp}/`),
      (p) => p.length > 0,
      {
        timeoutMs: 15_000,
        intervalMs: 100,
      },
    );
    expect(page).toBe(`hello from ${podName}\n`);

    const logFile = path.join(sandboxConfig.logDirectory ?? '', 'httpd', '0.log');
    const log = await pollUntil(
      'the container log',
      () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''),
      (t) => t.includes('started'),
      { timeoutMs: 10_000 },
    );
    expect(log).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d) stdout F started\n$/m);

    const resolv = await rt.cri.runtime.execSync({
      containerId: httpdId,
      cmd: ['cat', '/etc/resolv.conf'],
      timeout: 10,
    });
    expect(resolv.stdout.toString()).toContain('nameserver 10.43.0.10');
    expect(resolv.stdout.toString()).toContain(
      'search default.svc.cluster.local svc.cluster.local cluster.local',
    );
    expect(resolv.stdout.toString()).toContain('options ndots:5');

    // loopback inside the pod is up (containerd sets it up besides our conflist)
    const lo = await rt.cri.runtime.execSync({
      containerId: httpdId,
      cmd: ['wget', '-q', '-O', '-', 'http://127.0.0.1/'],
      timeout: 10,
    });
    expect(lo.stdout.toString()).toBe(`hello from ${podName}\n`);

    // cgroupfs driver: the container's cgroup sits under the parent we gave
    const memoryCgroup = path.join('/sys/fs/cgroup/memory', host.cgroupRoot, `pod${uid}`, httpdId);
    expect(fs.existsSync(memoryCgroup)).toBe(true);
  });

  it('ExecSync returns the exit code, stdout and stderr', async () => {
    const res = await rt.cri.runtime.execSync({
      containerId: httpdId,
      cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'],
      timeout: 10,
    });
    expect(res.exitCode).toBe(3);
    expect(res.stdout.toString()).toBe('out\n');
    expect(res.stderr.toString()).toBe('err\n');
  });

  it('Exec, Attach and PortForward return streaming URLs on loopback', async () => {
    const exec = await rt.cri.runtime.exec({
      containerId: httpdId,
      cmd: ['sh'],
      stdin: true,
      stdout: true,
      stderr: true,
    });
    expect(exec.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/exec\/[\w-]+$/);
    const attach = await rt.cri.runtime.attach({ containerId: httpdId, stdout: true, stderr: true });
    expect(attach.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/attach\/[\w-]+$/);
    const pf = await rt.cri.runtime.portForward({ podSandboxId: sandboxId, port: [80] });
    expect(pf.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/portforward\/[\w-]+$/);
  });

  it('ListContainers filters by the kubelet labels; ContainerStats reports usage', async () => {
    const byName = await rt.cri.runtime.listContainers({
      filter: { labelSelector: { 'io.kubernetes.pod.uid': uid, 'io.kubernetes.container.name': 'httpd' } },
    });
    expect(byName.containers.map((c) => [c.id, c.state, c.metadata?.attempt, c.podSandboxId])).toEqual([
      [httpdId, 'CONTAINER_RUNNING', 0, sandboxId],
    ]);
    const none = await rt.cri.runtime.listContainers({
      filter: { labelSelector: { 'io.kubernetes.pod.uid': 'other' } },
    });
    expect(none.containers).toEqual([]);

    // the request above already loaded the page; put some more load on it
    await httpGet(`http://${podIp}/`);
    const { stats } = await rt.cri.runtime.containerStats({ containerId: httpdId });
    expect(stats?.attributes?.id).toBe(httpdId);
    expect(stats?.attributes?.metadata?.name).toBe('httpd');
    expect(stats?.cpu?.usageCoreNanoSeconds?.value).toBeGreaterThan(0);
    expect(stats?.memory?.workingSetBytes?.value).toBeGreaterThan(0);
    expect(stats?.writableLayer?.usedBytes).toBeDefined();
    const all = await rt.cri.runtime.listContainerStats({ filter: { podSandboxId: sandboxId } });
    expect(all.stats.map((s) => s.attributes?.id)).toContain(httpdId);
    const pod = await rt.cri.runtime.podSandboxStats({ podSandboxId: sandboxId });
    expect(pod.stats?.attributes?.id).toBe(sandboxId);
    expect(pod.stats?.linux?.cpu?.usageCoreNanoSeconds?.value).toBeGreaterThan(0);
    expect(pod.stats?.linux?.memory?.workingSetBytes?.value).toBeGreaterThan(0);
    expect(pod.stats?.linux?.network?.defaultInterface?.name).toBe('eth0');
    expect(pod.stats?.linux?.containers.map((c) => c.attributes?.id)).toContain(httpdId);
    const pods = await rt.cri.runtime.listPodSandboxStats({
      filter: { labelSelector: { 'io.kubernetes.pod.uid': uid } },
    });
    expect(pods.stats.map((p) => p.attributes?.id)).toEqual([sandboxId]);
  });

  it('updates container resources in place and reopens the log', async () => {
    await rt.cri.runtime.updateContainerResources({
      containerId: httpdId,
      linux: { memoryLimitInBytes: 64 * 1024 * 1024, cpuShares: 256 },
    });
    const cgroup = path.join(host.cgroupRoot, `pod${uid}`, httpdId);
    const limit = fs.readFileSync(
      path.join('/sys/fs/cgroup/memory', cgroup, 'memory.limit_in_bytes'),
      'utf8',
    );
    expect(Number(limit)).toBe(64 * 1024 * 1024);
    expect(fs.readFileSync(path.join('/sys/fs/cgroup/cpu', cgroup, 'cpu.shares'), 'utf8').trim()).toBe('256');
    const { status } = await rt.cri.runtime.containerStatus({ containerId: httpdId });
    expect(status?.resources?.linux?.memoryLimitInBytes).toBe(64 * 1024 * 1024);

    const logFile = path.join(sandboxConfig.logDirectory ?? '', 'httpd', '0.log');
    fs.renameSync(logFile, `${logFile}.1`);
    await rt.cri.runtime.reopenContainerLog({ containerId: httpdId });
    expect(fs.existsSync(logFile)).toBe(true);
  });

  it('fails pulls of missing images with the runtime error text', async () => {
    // 127.0.0.1 is the test host's own loopback: nothing listens on port 1
    const err = await rt.cri.images
      .pullImage({ image: { image: '127.0.0.1:1/nope:1' } }, { timeoutMs: 30_000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CriError);
    console.info(`PullImage of a missing image: ${(err as CriError).message}`);
    expect((err as CriError).message).toMatch(
      /^rpc error: code = \w+ desc = failed to pull and unpack image "127\.0\.0\.1:1\/nope:1"/,
    );
    await rt.cri.images.removeImage({ image: { image: 'k8ts.local/nope:1' } }); // absent: no error
    const { images } = await rt.cri.images.listImages();
    expect(images.flatMap((i) => i.repoTags)).toEqual(expect.arrayContaining([TEST_BUSYBOX_IMAGE]));
  });

  it('reports exit codes and reasons of containers that end', async () => {
    const failed = await waitExited(await run('fails', ['sh', '-c', 'echo bye >&2; exit 7']));
    expect([failed.exitCode, failed.reason]).toEqual([7, 'Error']);
    // (containerd stamps startedAt when StartContainer completes: for a process that ends at once
    // finishedAt may come out a little *before* startedAt)
    expect(failed.startedAt).toBeGreaterThan(0);
    expect(failed.finishedAt).toBeGreaterThan(0);
    const done = await waitExited(await run('done', ['true']));
    expect([done.exitCode, done.reason]).toEqual([0, 'Completed']);
  });

  it('reports OOMKilled for a container over its memory limit', async () => {
    const id = await run('hog', ['sh', '-c', 'a=xxxxxxxxxxxxxxxx; while true; do a="$a$a"; done'], {
      linux: { resources: { memoryLimitInBytes: 32 * 1024 * 1024 } },
    });
    const status = await waitExited(id);
    expect([status.reason, status.exitCode]).toEqual(['OOMKilled', 137]);
  });

  it('keeps containers running when containerd is killed and the supervisor restarts it', async () => {
    const before = await rt.cri.runtime.containerStatus({ containerId: httpdId });
    const oldPid = rt.containerd.pid;
    expect(oldPid).toBeDefined();
    const ready = new Promise<void>((resolve) => rt.containerd.once('ready', () => resolve()));
    const killedAt = Date.now();
    process.kill(oldPid ?? 0, 'SIGKILL');
    await Promise.race([
      ready,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('containerd not ready again in 30 s')), 30_000),
      ),
    ]);
    console.info(`containerd back ${Date.now() - killedAt} ms after SIGKILL`);
    expect(rt.containerd.restarts).toBe(1);
    expect(rt.containerd.pid).not.toBe(oldPid);
    // the old connection finds the new containerd by itself
    const after = await pollUntil(
      'container status after the restart',
      () => rt.cri.runtime.containerStatus({ containerId: httpdId }),
      () => true,
      { timeoutMs: 10_000 },
    );
    expect(after.status?.state).toBe('CONTAINER_RUNNING');
    expect(after.status?.startedAt).toBe(before.status?.startedAt);
    expect(await httpGet(`http://${podIp}/`)).toBe(`hello from ${podName}\n`);
    const res = await rt.cri.runtime.execSync({
      containerId: httpdId,
      cmd: ['echo', 'still here'],
      timeout: 10,
    });
    expect(res.stdout.toString()).toBe('still here\n');

    // a clean stop and a new start (what an agent restart does) keep it running too
    await rt.containerd.stop();
    expect(await httpGet(`http://${podIp}/`)).toBe(`hello from ${podName}\n`);
    await rt.containerd.start();
    const again = await rt.cri.runtime.containerStatus({ containerId: httpdId });
    expect(again.status?.state).toBe('CONTAINER_RUNNING');
    expect(again.status?.startedAt).toBe(before.status?.startedAt);
  });

  it('stops a container with SIGTERM, and with SIGKILL after the grace period', async () => {
    let started = Date.now();
    await rt.cri.runtime.stopContainer({ containerId: httpdId, timeout: 10 });
    const { status } = await rt.cri.runtime.containerStatus({ containerId: httpdId });
    console.info(`StopContainer (httpd, SIGTERM) took ${Date.now() - started} ms`);
    expect(status?.state).toBe('CONTAINER_EXITED');
    expect([status?.exitCode, status?.reason]).toEqual([143, 'Error']); // httpd ends on SIGTERM
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(status?.finishedAt).toBeGreaterThan(status?.startedAt ?? 0);
    await rt.cri.runtime.stopContainer({ containerId: httpdId, timeout: 0 }); // stopping again is fine

    const stubborn = await run('stubborn', [
      'sh',
      '-c',
      'trap "" TERM; echo ready; while true; do sleep 1; done',
    ]);
    // Stop only once the trap is set (on a busy machine SIGTERM could otherwise come first: 143).
    const stubbornLog = path.join(sandboxConfig.logDirectory ?? '', 'stubborn', '0.log');
    await pollUntil(
      'the stubborn container to say ready',
      () => (fs.existsSync(stubbornLog) ? fs.readFileSync(stubbornLog, 'utf8') : ''),
      (text) => text.includes('ready'),
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    started = Date.now();
    await rt.cri.runtime.stopContainer({ containerId: stubborn, timeout: 1 });
    const tookMs = Date.now() - started;
    const killed = await rt.cri.runtime.containerStatus({ containerId: stubborn });
    console.info(`StopContainer (ignores SIGTERM, 1 s grace) took ${tookMs} ms`);
    expect(killed.status?.exitCode).toBe(137);
    expect(tookMs).toBeGreaterThanOrEqual(900);
  });

  it('maps a hostPort to a pod through portmap', async () => {
    const uid2 = 'c0ffee00-0000-4000-8000-000000000002';
    const config: PodSandboxConfig = {
      ...sandboxConfig,
      metadata: { name: 'ported', namespace: 'default', uid: uid2, attempt: 0 },
      hostname: 'ported',
      labels: {
        'io.kubernetes.pod.name': 'ported',
        'io.kubernetes.pod.namespace': 'default',
        'io.kubernetes.pod.uid': uid2,
      },
      portMappings: [{ protocol: 'TCP', containerPort: 80, hostPort: 18080 }],
      linux: { ...sandboxConfig.linux, cgroupParent: `${host.cgroupRoot}/pod${uid2}` },
    };
    const { podSandboxId } = await rt.cri.runtime.runPodSandbox({ config });
    try {
      const { containerId } = await rt.cri.runtime.createContainer({
        podSandboxId,
        config: {
          ...container('web', [
            'sh',
            '-c',
            'mkdir -p /www && echo ported > /www/index.html && exec httpd -f -p 80 -h /www',
          ]),
          labels: { 'io.kubernetes.pod.uid': uid2, 'io.kubernetes.container.name': 'web' },
        },
        sandboxConfig: config,
      });
      await rt.cri.runtime.startContainer({ containerId });
      // the node's address on the pod bridge stands in for its host IP here
      const page = await pollUntil(
        'the pod through its hostPort',
        () => httpGet('http://10.88.0.1:18080/'),
        (p) => p.length > 0,
        {
          timeoutMs: 15_000,
          intervalMs: 100,
        },
      );
      expect(page).toBe('ported\n');
    } finally {
      await rt.cri.runtime.stopPodSandbox({ podSandboxId });
      await rt.cri.runtime.removePodSandbox({ podSandboxId });
    }
  });

  it('stops and removes the pod sandbox and releases its IP', async () => {
    await rt.cri.runtime.stopPodSandbox({ podSandboxId: sandboxId });
    const { status } = await rt.cri.runtime.podSandboxStatus({ podSandboxId: sandboxId });
    expect(status?.state).toBe('SANDBOX_NOTREADY');
    await rt.cri.runtime.stopPodSandbox({ podSandboxId: sandboxId }); // idempotent
    await rt.cri.runtime.removePodSandbox({ podSandboxId: sandboxId });
    const err = await rt.cri.runtime.podSandboxStatus({ podSandboxId: sandboxId }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CriError);
    expect(isNotFound(err)).toBe(true);
    const containers = await rt.cri.runtime.listContainers({ filter: { podSandboxId: sandboxId } });
    expect(containers.containers).toEqual([]);
    const ipam = path.join(rt.dataDir, 'agent', 'cni-ipam', 'k8ts');
    expect(fs.existsSync(ipam) ? fs.readdirSync(ipam).filter((f) => f.startsWith('10.')) : []).toEqual([]);
    await rt.cri.runtime.removePodSandbox({ podSandboxId: sandboxId }); // idempotent
  });
});
