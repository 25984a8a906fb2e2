/** The network namespace of a pod on an agent-net node, for load clients run with `nsenter --net`. */
import { spawnSync } from 'node:child_process';
import type { NetNode } from '../../test/agent-net/support.js';

/** The PID of the pod's container (its network namespace is the pod's), from `ctr task ls`. */
export function containerPid(net: NetNode, containerId: string): number {
  const id = containerId.replace(/^containerd:\/\//, '');
  const r = spawnSync(
    'ctr',
    ['--address', net.node.containerdSocket, '--namespace', 'k8s.io', 'task', 'ls'],
    {
      encoding: 'utf8',
      timeout: 20_000,
    },
  );
  if (r.status !== 0) throw new Error(`ctr task ls failed: ${r.stderr}`);
  for (const line of r.stdout.split('\n')) {
    const [task, pid] = line.trim().split(/\s+/);
    if (task === id && pid) return Number(pid);
  }
  throw new Error(`no task ${id} in ctr task ls:\n${r.stdout}`);
}
