/**
 * Issue 4 acceptance, Jobs with real containers on one node (placed by the scheduler): a Job with
 * parallelism 2 and completions 4 of busybox pods completes (`kubectl wait --for=condition=complete`)
 * and never runs more than 2 pods at once; an Indexed Job's pods see JOB_COMPLETION_INDEX; a pod
 * failure policy fails a Job on an exit code.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, kubectl, kubectlOk } from '../support/kubectl.js';
import { apply, startNodeServer, stopNodeServer, type NodeServer } from '../support/node.js';
import { createNamespace } from '../support/objects.js';
import { BUSYBOX } from '../support/pods.js';

const NS = 'batch';
let node: NodeServer;

beforeAll(async () => {
  node = await startNodeServer();
  await createNamespace(node, NS);
});

afterAll(async () => {
  if (node) await stopNodeServer(node);
});

function job(name: string, script: string, spec: Record<string, unknown> = {}): object {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: NS },
    spec: {
      ...spec,
      template: {
        spec: {
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: 5,
          containers: [{ name: 'work', image: BUSYBOX, command: ['sh', '-c', script] }],
        },
      },
    },
  };
}

async function jobPods(name: string): Promise<Pod[]> {
  const list = await node.admin.getJson<{ items: Pod[] }>(
    `/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent(`batch.kubernetes.io/job-name=${name}`)}`,
  );
  return list.items;
}

function row(table: string, name: string): string[] {
  const line = table.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`no row ${name} in:\n${table}`);
  return line.trim().split(/\s{2,}/);
}

describe('Jobs on a real node', () => {
  it('runs 4 completions 2 at a time; kubectl wait --for=condition=complete returns', async () => {
    await apply(node, [
      job('four', 'echo "done on $(hostname)"; sleep 2', { parallelism: 2, completions: 4 }),
    ]);
    // Sample the pods while the Job runs: never more than 2 running at once.
    let maxRunning = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const pods = await jobPods('four').catch(() => []);
        maxRunning = Math.max(maxRunning, pods.filter((p) => p.status?.phase === 'Running').length);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const args = ['-n', NS, 'wait', '--for=condition=complete', 'job/four', '--timeout=150s'];
    const r = await kubectl(node, args, { timeoutMs: 160_000 });
    sampling = false;
    await sampler;
    expect(r.code, describeRun(args, r)).toBe(0);
    expect(r.stdout.trim()).toBe('job.batch/four condition met');
    expect(maxRunning).toBeGreaterThan(0);
    expect(maxRunning).toBeLessThanOrEqual(2);
    const table = await kubectlOk(node, ['-n', NS, 'get', 'job', 'four']);
    expect(row(table, 'four').slice(1, 3)).toEqual(['Complete', '4/4']);
    const pods = await jobPods('four');
    expect(pods).toHaveLength(4);
    expect(pods.every((p) => p.status?.phase === 'Succeeded')).toBe(true);
    expect(pods.every((p) => (p.metadata?.finalizers ?? []).length === 0)).toBe(true);
    expect(await kubectlOk(node, ['-n', NS, 'logs', 'job/four'])).toMatch(/^done on four-[a-z0-9]{5}$/m);
  });

  it('gives Indexed pods their JOB_COMPLETION_INDEX and hostname', async () => {
    await apply(node, [
      job('idx', 'echo "index=$JOB_COMPLETION_INDEX host=$(hostname)"', {
        completionMode: 'Indexed',
        completions: 2,
        parallelism: 2,
      }),
    ]);
    const args = ['-n', NS, 'wait', '--for=condition=complete', 'job/idx', '--timeout=120s'];
    const r = await kubectl(node, args, { timeoutMs: 130_000 });
    expect(r.code, describeRun(args, r)).toBe(0);
    const logs: string[] = [];
    for (const p of await jobPods('idx'))
      logs.push((await kubectlOk(node, ['-n', NS, 'logs', p.metadata?.name ?? ''])).trim());
    expect(logs.sort()).toEqual(['index=0 host=idx-0', 'index=1 host=idx-1']);
    const j = await node.admin.getJson<{ status?: { completedIndexes?: string } }>(
      `/apis/batch/v1/namespaces/${NS}/jobs/idx`,
    );
    expect(j.status?.completedIndexes).toBe('0,1');
  });

  it('fails a Job at once on an exit code its pod failure policy names', async () => {
    await apply(node, [
      job('fatal', 'exit 3', {
        backoffLimit: 6,
        podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [3] } }] },
      }),
    ]);
    const args = ['-n', NS, 'wait', '--for=condition=failed', 'job/fatal', '--timeout=120s'];
    const r = await kubectl(node, args, { timeoutMs: 130_000 });
    expect(r.code, describeRun(args, r)).toBe(0);
    const j = await node.admin.getJson<{
      status?: { conditions?: { type: string; reason?: string; message?: string }[] };
    }>(`/apis/batch/v1/namespaces/${NS}/jobs/fatal`);
    const failed = j.status?.conditions?.find((c) => c.type === 'Failed');
    expect(failed?.reason).toBe('PodFailurePolicy');
    expect(failed?.message).toMatch(
      /^Container work for pod batch\/fatal-[a-z0-9]{5} failed with exit code 3 matching FailJob rule at index 0$/,
    );
    expect(await jobPods('fatal')).toHaveLength(1);
  });
});
