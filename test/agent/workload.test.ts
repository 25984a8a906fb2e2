/**
 * Issue 3 acceptance, a working pod: an init container, env from a ConfigMap and a Secret, a configMap
 * volume, an emptyDir, readiness and liveness probes → Running and Ready; its page over HTTP at the
 * pod IP from the host; `kubectl logs` (-c, --tail, -f), `exec` (exit codes with kubectl 1.33 and
 * 1.27, stdin), `port-forward`, `cp` both ways. Then graceful deletion (preStop hook, SIGTERM, the
 * object goes only after the container stopped) and forced deletion.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, kubectl, kubectlOk, kubectlStream } from '../support/kubectl.js';
import {
  apply,
  containerStatusOf,
  criOf,
  eventsFor,
  getPod,
  httpGet,
  podRow,
  startNodeServer,
  stopNodeServer,
  waitPod,
  waitRunningReady,
  type NodeServer,
} from '../support/node.js';
import { createNamespace } from '../support/objects.js';
import { pollUntil } from '../support/poll.js';
import { podOn, shContainer } from '../support/pods.js';

const NS = 'web';
let node: NodeServer;
let podIP = '';

/** The acceptance pod: init writes the page, `web` serves it, `ticker` logs a line a second. */
function webPod(nodeName: string): Pod {
  return podOn(
    nodeName,
    NS,
    'web',
    [
      shContainer(
        'web',
        'echo "web starting as $USERNAME"; cat /config/color >> /www/index.html; exec httpd -f -p 8080 -h /www',
        {
          envFrom: [{ configMapRef: { name: 'settings' } }, { secretRef: { name: 'creds' } }],
          ports: [{ name: 'http', containerPort: 8080 }],
          volumeMounts: [
            { name: 'www', mountPath: '/www' },
            { name: 'config', mountPath: '/config' },
          ],
          readinessProbe: { httpGet: { path: '/index.html', port: 8080 }, periodSeconds: 1 },
          livenessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 2 },
        },
      ),
      shContainer(
        'ticker',
        'i=0; trap "exit 0" TERM; while true; do i=$((i+1)); echo "tick $i"; sleep 1 & wait $!; done',
      ),
    ],
    {
      initContainers: [
        shContainer('init', 'echo "hello $GREETING" > /www/index.html; echo "init done"', {
          env: [{ name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'settings', key: 'GREETING' } } }],
          volumeMounts: [{ name: 'www', mountPath: '/www' }],
        }),
      ],
      volumes: [
        { name: 'www', emptyDir: {} },
        { name: 'config', configMap: { name: 'settings' } },
      ],
    },
  );
}

beforeAll(async () => {
  node = await startNodeServer();
  await createNamespace(node, NS);
  await apply(node, [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: NS },
      data: { GREETING: 'from a configmap', color: 'blue\n' },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: NS },
      stringData: { USERNAME: 'alice' },
    },
    webPod(node.nodeName),
  ]);
  const pod = await waitRunningReady(node, NS, 'web', 90_000);
  podIP = pod.status?.podIP ?? '';
});

afterAll(async () => {
  await stopNodeServer(node);
});

describe('a pod with init container, env, volumes and probes', () => {
  it('is Running and Ready, with the status a user expects', async () => {
    const row = await podRow(node, NS, 'web');
    expect(row).toMatchObject({ NAME: 'web', READY: '2/2', STATUS: 'Running', RESTARTS: '0' });
    const pod = (await getPod(node, NS, 'web'))!;
    expect(pod.status?.podIP).toMatch(new RegExp(`^10\\.${100 + node.slot}\\.0\\.\\d+$`));
    expect(pod.status?.podIPs).toEqual([{ ip: pod.status?.podIP }]);
    expect(pod.status?.hostIP).toBe('127.0.0.1');
    expect(pod.status?.qosClass).toBe('BestEffort');
    expect(pod.status?.startTime).toBeTruthy();
    const conditions = Object.fromEntries((pod.status?.conditions ?? []).map((c) => [c.type, c.status]));
    expect(conditions).toEqual({
      PodReadyToStartContainers: 'True',
      Initialized: 'True',
      Ready: 'True',
      ContainersReady: 'True',
      PodScheduled: 'True',
    });
    const init = pod.status?.initContainerStatuses?.[0];
    expect(init?.name).toBe('init');
    expect(init?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    const web = containerStatusOf(pod, 'web');
    expect(web).toMatchObject({ ready: true, started: true, restartCount: 0, image: 'k8ts.local/busybox:1' });
    expect(web?.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(web?.imageID).toMatch(/sha256:[0-9a-f]{64}$/);
    expect(web?.state?.running?.startedAt).toBeTruthy();

    const wide = await kubectlOk(node, ['get', 'pod', 'web', '-n', NS, '-o', 'wide']);
    expect(wide).toMatch(
      new RegExp(
        `^web\\s+2/2\\s+Running\\s+0\\s+\\S+\\s+${pod.status?.podIP?.replace(/\./g, '\\.')}\\s+${node.nodeName}\\s`,
        'm',
      ),
    );
    const events = (await eventsFor(node, NS, 'web')).map((e) => `${e.type} ${e.reason} ${e.message}`);
    expect(events).toEqual(
      expect.arrayContaining([
        'Normal Pulled Container image "k8ts.local/busybox:1" already present on machine',
        'Normal Created Created container: init',
        'Normal Started Started container init',
        'Normal Created Created container: web',
        'Normal Started Started container web',
        'Normal Created Created container: ticker',
        'Normal Started Started container ticker',
      ]),
    );
  });

  it('serves its page over HTTP at the pod IP', async () => {
    const res = await httpGet(`http://${podIP}:8080/index.html`);
    expect(res).toEqual({ status: 200, body: 'hello from a configmap\nblue\n' });
  });

  it('kubectl logs: one container, -c, --tail, -f', async () => {
    const init = await kubectlOk(node, ['logs', '-n', NS, 'web', '-c', 'init']);
    expect(init).toBe('init done\n');
    const web = await kubectlOk(node, ['logs', '-n', NS, 'web', '-c', 'web']);
    expect(web).toContain('web starting as alice\n');
    const noName = await kubectl(node, ['logs', '-n', NS, 'web']);
    // Upstream kubectl picks the default container (the first) when the pod has several.
    expect(noName.stdout).toContain('web starting as alice');
    const ticks = await pollUntil(
      'the ticker to log 3 lines',
      () => kubectlOk(node, ['logs', '-n', NS, 'web', '-c', 'ticker']),
      (t) => t.split('\n').filter(Boolean).length >= 3,
      { timeoutMs: 20_000, intervalMs: 300 },
    );
    expect(ticks).toMatch(/^tick 1\ntick 2\ntick 3\n/);
    const all = await kubectlOk(node, ['logs', '-n', NS, 'web', '--all-containers', '--prefix']);
    expect(all).toContain('[pod/web/init] init done\n');
    expect(all).toContain('[pod/web/web] web starting as alice\n');
    expect(all).toMatch(/^\[pod\/web\/ticker\] tick 1$/m);
    const stamped = await kubectlOk(node, ['logs', '-n', NS, 'web', '-c', 'init', '--timestamps']);
    expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z init done\n$/);
    const tail = await kubectlOk(node, ['logs', '-n', NS, 'web', '-c', 'ticker', '--tail=1']);
    expect(tail).toMatch(/^tick \d+\n$/);
    const follow = kubectlStream(node, ['logs', '-n', NS, 'web', '-c', 'ticker', '-f', '--tail=1'], {
      timeoutMs: 30_000,
    });
    try {
      // -f --tail=1 prints the last line (whichever tick that is by then), then follows new ones.
      await follow.waitFor(/tick \d+\n/, 15_000);
      const first = Number(/tick (\d+)/.exec(follow.stdout())?.[1]);
      await follow.waitFor(new RegExp(`tick ${first + 1}\\n`), 15_000);
      const lines = follow.stdout().trim().split('\n');
      expect(lines.slice(0, 2)).toEqual([`tick ${first}`, `tick ${first + 1}`]);
    } finally {
      await follow.kill();
    }
  });

  for (const version of ['1.33', '1.27']) {
    it(`kubectl ${version} exec carries the exit code back`, async () => {
      const args = ['exec', '-n', NS, 'web', '-c', 'web', '--', 'sh', '-c', 'exit 3'];
      const r = await kubectl(node, args, { version });
      expect(r.code, describeRun(args, r)).toBe(3);
      expect(r.stderr).toContain('command terminated with exit code 3');
      const env = await kubectlOk(
        node,
        ['exec', '-n', NS, 'web', '-c', 'web', '--', 'sh', '-c', 'echo $GREETING/$USERNAME'],
        {
          version,
        },
      );
      expect(env).toBe('from a configmap/alice\n');
    });

    it(`kubectl ${version} exec -i passes stdin`, async () => {
      const args = [
        'exec',
        '-i',
        '-n',
        NS,
        'web',
        '-c',
        'web',
        '--',
        'sh',
        '-c',
        'tr a-z A-Z; echo done >&2',
      ];
      const r = await kubectl(node, args, { version, stdin: 'hello pod\n' });
      expect(r.code, describeRun(args, r)).toBe(0);
      expect(r.stdout).toBe('HELLO POD\n');
      expect(r.stderr).toContain('done');
    });
  }

  it('kubectl attach -i talks to the container’s own stdin and stdout', async () => {
    const ns = await createNamespace(node, 'attach');
    await apply(node, [
      podOn(
        node.nodeName,
        ns,
        'echo',
        [
          shContainer('app', 'echo ready; while read line; do echo "got $line"; done; echo "stdin closed"', {
            stdin: true,
            stdinOnce: true,
          }),
        ],
        { restartPolicy: 'Never' },
      ),
    ]);
    await waitRunningReady(node, ns, 'echo');
    const args = ['attach', '-i', '-n', ns, 'echo', '-c', 'app'];
    const r = await kubectl(node, args, { stdin: 'one\ntwo\n', timeoutMs: 30_000 });
    expect(r.code, describeRun(args, r)).toBe(0);
    expect(r.stdout).toContain('got one\ngot two\n');
    // stdinOnce: the container saw the end of its input once the attach session ended.
    const pod = await waitPod(
      node,
      ns,
      'echo',
      'the container to end after its stdin closed',
      (p) => containerStatusOf(p, 'app')?.state?.terminated !== undefined,
      30_000,
    );
    expect(containerStatusOf(pod, 'app')?.state?.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
    });
    expect(await kubectlOk(node, ['logs', '-n', ns, 'echo'])).toBe('ready\ngot one\ngot two\nstdin closed\n');
  });

  it('kubectl port-forward serves the pod port on a local port', async () => {
    const pf = kubectlStream(node, ['port-forward', '-n', NS, 'pod/web', ':8080'], { timeoutMs: 60_000 });
    try {
      await pf.waitFor(/Forwarding from 127\.0\.0\.1:(\d+)/);
      const local = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(pf.stdout())?.[1]);
      for (let i = 0; i < 2; i++) {
        const res = await httpGet(`http://127.0.0.1:${local}/index.html`);
        expect(res).toEqual({ status: 200, body: 'hello from a configmap\nblue\n' });
      }
    } finally {
      await pf.kill();
    }
  });

  it('kubectl cp copies into the pod and back out', async () => {
    const local = path.join(node.workDir, 'upload.txt');
    const text = `payload ${'x'.repeat(60)}\n`.repeat(20_000);
    fs.writeFileSync(local, text);
    const up = ['cp', local, `${NS}/web:/tmp/upload.txt`, '-c', 'web'];
    const r1 = await kubectl(node, up);
    expect(r1.code, describeRun(up, r1)).toBe(0);
    const size = await kubectlOk(node, [
      'exec',
      '-n',
      NS,
      'web',
      '-c',
      'web',
      '--',
      'sh',
      '-c',
      'wc -c < /tmp/upload.txt',
    ]);
    expect(size.trim()).toBe(String(Buffer.byteLength(text)));
    const back = path.join(node.workDir, 'download.txt');
    const down = ['cp', `${NS}/web:/tmp/upload.txt`, back, '-c', 'web'];
    const r2 = await kubectl(node, down);
    expect(r2.code, describeRun(down, r2)).toBe(0);
    expect(fs.readFileSync(back, 'utf8')).toBe(text);
  });
});

describe('deletion', () => {
  it('graceful: the preStop hook runs, SIGTERM arrives, the pod goes once its container stopped', async () => {
    const ns = await createNamespace(node, 'graceful');
    const marks = path.join(node.workDir, 'marks');
    fs.mkdirSync(marks, { recursive: true });
    const script = [
      'trap \'echo "$(date +%s) term" >> /marks/log; sleep 2; echo "$(date +%s) exiting" >> /marks/log; exit 0\' TERM',
      'echo "$(date +%s) started" >> /marks/log',
      'while true; do sleep 1 & wait $!; done',
    ].join('; ');
    await apply(node, [
      podOn(
        node.nodeName,
        ns,
        'graceful',
        [
          shContainer('app', script, {
            volumeMounts: [{ name: 'marks', mountPath: '/marks' }],
            lifecycle: {
              preStop: {
                exec: { command: ['sh', '-c', 'echo "$(date +%s) prestop" >> /marks/log; sleep 1'] },
              },
            },
          }),
        ],
        {
          terminationGracePeriodSeconds: 30,
          volumes: [{ name: 'marks', hostPath: { path: marks, type: 'Directory' } }],
        },
      ),
    ]);
    const pod = await waitRunningReady(node, ns, 'graceful');
    const containerId = containerStatusOf(pod, 'app')?.containerID?.replace('containerd://', '') ?? '';
    const start = Date.now();
    const del = kubectl(node, ['delete', 'pod', '-n', ns, 'graceful', '--timeout=60s'], {
      timeoutMs: 70_000,
    });
    // While the container runs its TERM handler, the pod is still there, Terminating.
    const row = await pollUntil(
      'kubectl get to show the pod Terminating',
      () => podRow(node, ns, 'graceful'),
      (r) => r['STATUS'] === 'Terminating',
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(row['STATUS']).toBe('Terminating');
    const r = await del;
    expect(r.code, describeRun(['delete'], r)).toBe(0);
    expect(r.stdout).toContain('pod "graceful" deleted');
    expect(await getPod(node, ns, 'graceful')).toBeUndefined();
    // Everything happened, in order, before the object went away.
    const log = fs
      .readFileSync(path.join(marks, 'log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[1]);
    expect(log).toEqual(['started', 'prestop', 'term', 'exiting']);
    expect(Date.now() - start).toBeGreaterThanOrEqual(3000);
    expect(Date.now() - start).toBeLessThan(25_000);
    // The agent removes the sandbox and its containers once the Pod object is gone: soon after.
    const left = await pollUntil(
      'the container to be removed from the runtime',
      async () =>
        (await criOf(node).runtime.listContainers({})).containers.filter((c) => c.id === containerId),
      (l) => l.length === 0,
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(left).toEqual([]);
  });

  it('--grace-period=0 --force removes the pod at once and its containers soon after', async () => {
    const ns = await createNamespace(node, 'forced');
    await apply(node, [
      // Ignores SIGTERM and asks for a long grace period: only a forced deletion is quick.
      podOn(
        node.nodeName,
        ns,
        'stubborn',
        [shContainer('app', 'trap "" TERM; while true; do sleep 1; done')],
        {
          terminationGracePeriodSeconds: 120,
        },
      ),
    ]);
    await waitRunningReady(node, ns, 'stubborn');
    const args = ['delete', 'pod', '-n', ns, 'stubborn', '--grace-period=0', '--force'];
    const start = Date.now();
    const r = await kubectl(node, args, { timeoutMs: 30_000 });
    expect(r.code, describeRun(args, r)).toBe(0);
    expect(r.stderr).toContain('Immediate deletion does not wait for confirmation');
    expect(r.stdout).toContain('pod "stubborn" force deleted');
    expect(Date.now() - start).toBeLessThan(10_000);
    await waitPod(node, ns, 'stubborn', 'the pod object to be gone', (p) => p === undefined, 5000);
    await pollUntil(
      'the runtime to drop the sandbox of the force-deleted pod',
      async () =>
        (
          await criOf(node).runtime.listPodSandbox({
            filter: { labelSelector: { 'io.kubernetes.pod.namespace': ns } },
          })
        ).items,
      (items) => items.length === 0,
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  });
});
