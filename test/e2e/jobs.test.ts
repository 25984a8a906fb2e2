/**
 * Issue 4, Jobs without containers: the real kubectl against `k8ts server --disable-agent`; the test
 * plays the kubelet by writing pod phases (Succeeded/Failed) through the API. Covers completions and
 * parallelism, Indexed Jobs, the backoff limit, suspend, TTL after finished, `kubectl wait
 * --for=condition=complete|failed`, `kubectl create job --from=cronjob/…`, a CronJob firing on the
 * server's clock, the `kubectl get` columns, refused bad input (invalid schedule, negative
 * parallelism, template changes), and no controller loops (quota-refused pods back off; steady
 * Jobs cause no writes and little CPU).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlFails, kubectlJson, kubectlOk } from '../support/kubectl.js';
import { uniqueName, writeFile, yamlStream, type Obj } from '../support/manifests.js';
import { create, createNamespace, getPath } from '../support/objects.js';
import { pollUntil } from '../support/poll.js';
import { startServer, type TestServer } from '../support/server.js';

let server: TestServer;
let ns: string;

beforeAll(async () => {
  server = await startServer();
  ns = await createNamespace(server, uniqueName('jobs'));
});

afterAll(async () => {
  await server?.stop();
});

interface PodLike {
  metadata: {
    name: string;
    finalizers?: string[];
    deletionTimestamp?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  };
  spec: { containers: { name: string; image: string }[]; hostname?: string };
  status?: { phase?: string };
}

interface JobLike {
  metadata: { name: string; uid: string };
  status?: {
    active?: number;
    succeeded?: number;
    failed?: number;
    completedIndexes?: string;
    conditions?: { type: string; status: string; reason?: string }[];
  };
}

async function jobPods(name: string): Promise<PodLike[]> {
  const list = await server.admin.getJson<{ items: PodLike[] }>(
    `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(`batch.kubernetes.io/job-name=${name}`)}`,
  );
  return list.items;
}

async function activePods(name: string, count: number): Promise<PodLike[]> {
  return pollUntil(
    `${count} active pods of job ${name}`,
    async () => (await jobPods(name)).filter((p) => !p.status?.phase || p.status.phase === 'Pending'),
    (pods) => pods.length === count,
  );
}

/** Plays the kubelet: the pod's containers exit with `exitCode`. */
async function finish(pod: PodLike, exitCode: number): Promise<void> {
  const path = `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}/status`;
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const cur = await server.admin.getJson<Obj>(path);
  cur['status'] = {
    phase: exitCode === 0 ? 'Succeeded' : 'Failed',
    conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: now, reason: 'PodCompleted' }],
    containerStatuses: pod.spec.containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: '',
      ready: false,
      restartCount: 0,
      state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', finishedAt: now } },
    })),
  };
  const res = await server.admin.request('PUT', path, cur);
  if (res.status !== 200) throw new Error(`PUT ${path}: HTTP ${res.status}: ${res.body.slice(0, 500)}`);
}

function jobManifest(name: string, spec: Obj): Obj {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: ns },
    spec: {
      ...spec,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'work', image: 'k8ts.local/busybox:1.36', command: ['true'] }],
        },
      },
    },
  };
}

async function getJob(name: string): Promise<JobLike | undefined> {
  return getPath<JobLike>(server, `/apis/batch/v1/namespaces/${ns}/jobs/${name}`);
}

function row(table: string, name: string): string[] {
  const line = table.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`no row ${name} in:\n${table}`);
  return line.trim().split(/\s{2,}/);
}

describe('Job controller end to end (pod phases set through the API)', () => {
  it('kubectl create job runs a pod; kubectl wait --for=condition=complete returns once it succeeds', async () => {
    await kubectlOk(server, [
      '-n',
      ns,
      'create',
      'job',
      'hello',
      '--image=k8ts.local/busybox:1.36',
      '--',
      'echo',
      'hi',
    ]);
    const [pod] = await activePods('hello', 1);
    expect(pod?.metadata.finalizers).toEqual(['batch.kubernetes.io/job-tracking']);
    const waiting = kubectl(server, [
      '-n',
      ns,
      'wait',
      '--for=condition=complete',
      'job/hello',
      '--timeout=30s',
    ]);
    const running = await kubectlOk(server, ['-n', ns, 'get', 'job', 'hello']);
    expect(row(running, 'hello').slice(1, 3)).toEqual(['Running', '0/1']);
    await finish(pod!, 0);
    const r = await waiting;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('job.batch/hello condition met');
    const table = await kubectlOk(server, ['-n', ns, 'get', 'jobs']);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$/);
    expect(row(table, 'hello').slice(1, 3)).toEqual(['Complete', '1/1']);
    const events = await kubectlOk(server, [
      '-n',
      ns,
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=hello',
    ]);
    expect(events).toMatch(/SuccessfulCreate\s+job\/hello\s+Created pod: hello-/);
    expect(events).toMatch(/Completed\s+job\/hello\s+Job completed/);
    await pollUntil(
      'the finalizer removed from the succeeded pod',
      async () => (await jobPods('hello'))[0]?.metadata.finalizers ?? [],
      (f) => f.length === 0,
    );
  });

  it('keeps parallelism 2 until 4 completions', async () => {
    await create(server, jobManifest('four', { parallelism: 2, completions: 4 }));
    for (let done = 0; done < 4; done++) {
      const pods = await activePods('four', Math.min(2, 4 - done));
      await finish(pods[0]!, 0);
      await pollUntil(
        'succeeded count',
        async () => (await getJob('four'))?.status?.succeeded ?? 0,
        (n) => n === done + 1,
      );
    }
    const r = await kubectl(server, [
      '-n',
      ns,
      'wait',
      '--for=condition=complete',
      'job/four',
      '--timeout=30s',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(row(await kubectlOk(server, ['-n', ns, 'get', 'job', 'four']), 'four').slice(1, 3)).toEqual([
      'Complete',
      '4/4',
    ]);
    expect(await jobPods('four')).toHaveLength(4);
  });

  it('fails a Job past its backoff limit (kubectl wait --for=condition=failed)', async () => {
    await create(server, jobManifest('broken', { backoffLimit: 0 }));
    const [pod] = await activePods('broken', 1);
    await finish(pod!, 2);
    const r = await kubectl(server, [
      '-n',
      ns,
      'wait',
      '--for=condition=failed',
      'job/broken',
      '--timeout=30s',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const job = await getJob('broken');
    expect(job?.status?.conditions?.map((c) => `${c.type}/${c.reason ?? ''}`)).toEqual([
      'FailureTarget/BackoffLimitExceeded',
      'Failed/BackoffLimitExceeded',
    ]);
    expect(job?.status?.failed).toBe(1);
    expect(row(await kubectlOk(server, ['-n', ns, 'get', 'job', 'broken']), 'broken').slice(1, 3)).toEqual([
      'Failed',
      '0/1',
    ]);
  });

  it('runs an Indexed Job with one pod per index', async () => {
    await create(
      server,
      jobManifest('indexed', { completionMode: 'Indexed', completions: 2, parallelism: 2 }),
    );
    const pods = await activePods('indexed', 2);
    const byIndex = new Map(
      pods.map((p) => [p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'], p]),
    );
    expect([...byIndex.keys()].sort()).toEqual(['0', '1']);
    expect(byIndex.get('1')?.metadata.name).toMatch(/^indexed-1-[a-z0-9]{5}$/);
    expect(byIndex.get('1')?.spec.hostname).toBe('indexed-1');
    await finish(byIndex.get('1')!, 0);
    await pollUntil(
      'completedIndexes',
      async () => (await getJob('indexed'))?.status?.completedIndexes,
      (s) => s === '1',
    );
    await finish(byIndex.get('0')!, 0);
    const r = await kubectl(server, [
      '-n',
      ns,
      'wait',
      '--for=condition=complete',
      'job/indexed',
      '--timeout=30s',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect((await getJob('indexed'))?.status?.completedIndexes).toBe('0,1');
  });

  it('suspends a Job (its pods go) and resumes it', async () => {
    await create(server, jobManifest('pausable', { parallelism: 2, completions: 2 }));
    await activePods('pausable', 2);
    await kubectlOk(server, [
      '-n',
      ns,
      'patch',
      'job',
      'pausable',
      '--type=merge',
      '-p',
      '{"spec":{"suspend":true}}',
    ]);
    await pollUntil(
      'pods deleted',
      () => jobPods('pausable'),
      (p) => p.length === 0,
    );
    const r = await kubectl(server, [
      '-n',
      ns,
      'wait',
      '--for=condition=suspended',
      'job/pausable',
      '--timeout=30s',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(row(await kubectlOk(server, ['-n', ns, 'get', 'job', 'pausable']), 'pausable')[1]).toBe(
      'Suspended',
    );
    await kubectlOk(server, [
      '-n',
      ns,
      'patch',
      'job',
      'pausable',
      '--type=merge',
      '-p',
      '{"spec":{"suspend":false}}',
    ]);
    await activePods('pausable', 2);
  });

  it.each(['background', 'foreground'])(
    'kubectl delete --cascade=%s removes a running Job and its pods',
    async (cascade) => {
      const name = `doomed-${cascade}`;
      await create(server, jobManifest(name, { parallelism: 2, completions: 2 }));
      await activePods(name, 2);
      await kubectlOk(server, ['-n', ns, 'delete', 'job', name, `--cascade=${cascade}`, '--wait=false']);
      await pollUntil(
        `pods of ${name} deleted`,
        () => jobPods(name),
        (p) => p.length === 0,
        { timeoutMs: 30_000 },
      );
      await pollUntil(
        `${name} deleted`,
        () => getJob(name),
        (j) => j === undefined,
        { timeoutMs: 30_000 },
      );
    },
  );

  it('deletes a finished Job after ttlSecondsAfterFinished', async () => {
    await create(server, jobManifest('shortlived', { ttlSecondsAfterFinished: 1 }));
    const [pod] = await activePods('shortlived', 1);
    await finish(pod!, 0);
    await pollUntil(
      'the job deleted by its TTL',
      () => getJob('shortlived'),
      (j) => j === undefined,
      {
        timeoutMs: 30_000,
      },
    );
    await pollUntil(
      'its pod deleted',
      () => jobPods('shortlived'),
      (p) => p.length === 0,
      { timeoutMs: 30_000 },
    );
  });
});

describe('CronJobs end to end', () => {
  it('kubectl create cronjob, get cronjobs columns, and create job --from=cronjob', async () => {
    await kubectlOk(server, [
      '-n',
      ns,
      'create',
      'cronjob',
      'nightly',
      '--image=k8ts.local/busybox:1.36',
      '--schedule=0 3 * * *',
      '--',
      'date',
    ]);
    const table = await kubectlOk(server, ['-n', ns, 'get', 'cronjobs']);
    expect(table.split('\n')[0]).toMatch(
      /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE$/,
    );
    expect(row(table, 'nightly').slice(1, 6)).toEqual(['0 3 * * *', '<none>', 'False', '0', '<none>']);
    await kubectlOk(server, ['-n', ns, 'create', 'job', 'nightly-now', '--from=cronjob/nightly']);
    const job = await kubectlJson<{
      metadata: { annotations?: Record<string, string>; ownerReferences?: Obj[] };
    }>(server, ['-n', ns, 'get', 'job', 'nightly-now', '-o', 'json']);
    expect(job.metadata.annotations?.['cronjob.kubernetes.io/instantiate']).toBe('manual');
    expect(job.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'CronJob', name: 'nightly' });
    const [pod] = await activePods('nightly-now', 1);
    await finish(pod!, 0);
    const r = await kubectl(server, [
      '-n',
      ns,
      'wait',
      '--for=condition=complete',
      'job/nightly-now',
      '--timeout=30s',
    ]);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('CronJobs on the server clock', () => {
  it('starts a Job on schedule and kubectl get cronjobs shows ACTIVE and LAST SCHEDULE', async () => {
    await create(server, {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'often', namespace: ns },
      spec: {
        schedule: '@every 2s',
        concurrencyPolicy: 'Forbid',
        jobTemplate: { spec: jobManifest('x', {})['spec'] },
      },
    });
    const cj = await pollUntil(
      'the first scheduled Job',
      () =>
        getPath<{ status?: { active?: { name: string }[]; lastScheduleTime?: string } }>(
          server,
          `/apis/batch/v1/namespaces/${ns}/cronjobs/often`,
        ),
      (c) => (c?.status?.active?.length ?? 0) === 1,
      { timeoutMs: 15_000 },
    );
    const jobName = cj?.status?.active?.[0]?.name ?? '';
    expect(jobName).toMatch(/^often-\d+$/);
    const job = await kubectlJson<{ metadata: { annotations?: Record<string, string> } }>(server, [
      '-n',
      ns,
      'get',
      'job',
      jobName,
      '-o',
      'json',
    ]);
    expect(job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe(
      cj?.status?.lastScheduleTime,
    );
    const table = await kubectlOk(server, ['-n', ns, 'get', 'cronjob', 'often']);
    const cols = row(table, 'often');
    expect(cols.slice(1, 5)).toEqual(['@every 2s', '<none>', 'False', '1']);
    expect(cols[5]).toMatch(/^\d+s$/);
    await kubectlOk(server, [
      '-n',
      ns,
      'patch',
      'cronjob',
      'often',
      '--type=merge',
      '-p',
      '{"spec":{"suspend":true}}',
    ]);
    const [pod] = await activePods(jobName, 1);
    await finish(pod!, 0);
    await pollUntil(
      'the finished Job out of the active list',
      () =>
        getPath<{ status?: { active?: unknown[]; lastSuccessfulTime?: string } }>(
          server,
          `/apis/batch/v1/namespaces/${ns}/cronjobs/often`,
        ),
      (c) => (c?.status?.active ?? []).length === 0 && c?.status?.lastSuccessfulTime !== undefined,
    );
  });
});

describe('bad input is refused with upstream wording', () => {
  it('an invalid cron schedule', async () => {
    const r = await kubectlFails(server, [
      '-n',
      ns,
      'create',
      'cronjob',
      'bad',
      '--image=k8ts.local/busybox:1.36',
      '--schedule=every day',
    ]);
    expect(r.stderr.trim()).toBe(
      'error: failed to create cronjob: CronJob.batch "bad" is invalid: spec.schedule: Invalid value: "every day": expected exactly 5 fields, found 2: [every day]',
    );
    const f = writeFile(
      server,
      'bad-minute.yaml',
      yamlStream([
        {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          metadata: { name: 'bad-minute', namespace: ns },
          spec: {
            schedule: '61 * * * *',
            jobTemplate: { spec: jobManifest('x', {})['spec'] as Obj },
          },
        },
      ]),
    );
    const r2 = await kubectlFails(server, ['apply', '-f', f]);
    expect(r2.stderr).toContain('spec.schedule: Invalid value: "61 * * * *"');
    expect(r2.stderr).toContain('end of range (61) above maximum (59): 61');
  });

  it('a negative parallelism', async () => {
    const f = writeFile(server, 'neg.yaml', yamlStream([jobManifest('negative', { parallelism: -1 })]));
    const r = await kubectlFails(server, ['apply', '-f', f]);
    expect(r.stderr).toContain(
      'The Job "negative" is invalid: spec.parallelism: Invalid value: -1: must be greater than or equal to 0',
    );
  });

  it('a change to the pod template of a Job', async () => {
    await create(server, jobManifest('fixed', { suspend: false, parallelism: 0 }));
    const r = await kubectlFails(server, [
      '-n',
      ns,
      'patch',
      'job',
      'fixed',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"k8ts.local/busybox:2"}]',
    ]);
    expect(r.stderr).toContain('The Job "fixed" is invalid: spec.template: Invalid value:');
    expect(r.stderr).toContain('field is immutable');
  });
});

describe('no controller loops', () => {
  /** CPU seconds the server process used so far (user + system). */
  function cpuSeconds(): number {
    const fields = fs.readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  }

  it('quota-refused pods back off; steady Jobs and CronJobs cause no writes and little CPU', async () => {
    const quotaNs = await createNamespace(server, uniqueName('jobs-quota'));
    await create(server, {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'none', namespace: quotaNs },
      spec: { hard: { pods: '0' } },
    });
    await create(server, {
      ...jobManifest('refused', {}),
      metadata: { name: 'refused', namespace: quotaNs },
    });
    const eventsOf = async (): Promise<{ reason: string; message: string; count?: number }[]> =>
      (
        await server.admin.getJson<{ items: { reason: string; message: string; count?: number }[] }>(
          `/api/v1/namespaces/${quotaNs}/events?fieldSelector=${encodeURIComponent('involvedObject.name=refused')}`,
        )
      ).items;
    const events = await pollUntil('a FailedCreate event', eventsOf, (e) =>
      e.some((x) => x.reason === 'FailedCreate'),
    );
    expect(events.find((e) => e.reason === 'FailedCreate')?.message).toMatch(
      /^Error creating: pods "refused-[a-z0-9]{5}" is forbidden: exceeded quota: none/,
    );

    const versions = async (): Promise<string> => {
      const items: { metadata: { name: string; resourceVersion: string } }[] = [];
      for (const path of [
        `/apis/batch/v1/namespaces/${ns}/jobs`,
        `/apis/batch/v1/namespaces/${ns}/cronjobs`,
        `/apis/batch/v1/namespaces/${quotaNs}/jobs`,
      ])
        items.push(...(await server.admin.getJson<{ items: typeof items }>(path)).items);
      return items.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`).join(' ');
    };
    // Let the last changes settle (pod-event batching is 1 s).
    await new Promise((r) => setTimeout(r, 1500));
    const before = await versions();
    const cpu0 = cpuSeconds();
    await new Promise((r) => setTimeout(r, 3000));
    const used = cpuSeconds() - cpu0;
    expect(await versions()).toBe(before);
    expect(used).toBeLessThan(0.75);
    const attempts = (await eventsOf())
      .filter((e) => e.reason === 'FailedCreate')
      .reduce((n, e) => n + (e.count ?? 1), 0);
    // Retries back off (1 s, 2 s, 4 s…): a handful of attempts in ~5 s, not a storm.
    expect(attempts).toBeLessThanOrEqual(8);
  });
});
