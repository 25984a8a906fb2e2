/**
 * `k8ts hollow-nodes`: simulated nodes for scale tests and benchmarks, in a process of their own
 * that talks to the API server through a kubeconfig like any client.
 */
import { parseArgs } from 'node:util';
import {
  DEFAULT_HOLLOW_OPTIONS as D,
  parseDurationMs,
  parseLabels,
  parseTaints,
  type HollowOptions,
} from '../hollow/options.js';

const HELP = `Run simulated ("hollow") nodes: each registers a Node, heartbeats through its Lease in
kube-node-lease like a kubelet, and makes the pods bound to it Running with simulated IPs, without
containers. Stopping the process (SIGTERM, SIGINT) stops the heartbeats; the nodes stay registered
and the node lifecycle controller marks them unreachable.

Usage:
  k8ts hollow-nodes --count N [flags]

Flags:
  --count N                 number of nodes (required)
  --kubeconfig FILE         credentials (default: $KUBECONFIG)
  --name-prefix PREFIX      nodes are PREFIX0, PREFIX1, … (default ${D.namePrefix})
  --zones N                 spread the nodes round-robin over N zones, zone-a, zone-b, …
                            (label topology.kubernetes.io/zone; default ${D.zones})
  --cpu QUANTITY            CPU capacity of each node (default ${D.cpu})
  --memory QUANTITY         memory capacity of each node (default ${D.memory})
  --pods N                  pod capacity of each node (default ${D.pods})
  --labels k=v,…            extra node labels
  --taints k=v:Effect,…     taints the nodes register with (NoSchedule, PreferNoSchedule, NoExecute)
  --lease-interval DUR      Lease renew interval of each node (default ${D.leaseRenewMs / 1000}s, as the node agent)
  --status-interval DUR     node status report interval (default ${D.statusReportMs / 1000}s)
  --concurrency N           API requests in flight at most, for Lease renewals and for pods each
                            (status posts: a quarter of it; default ${D.concurrency})
  -h, --help                show this help

Pods: containers run forever, unless the pod has the annotation hollow.k8ts.io/exit-after: DUR
(every container exits DUR after it started, with the code in hollow.k8ts.io/exit-code, default 0),
or a container's command is "true" or "false" (exits at once with 0 or 1). restartPolicy decides what
follows, as on a real node (Never: the pod Succeeds or Fails; otherwise a restart after 10 s).
`;

/** Parses `k8ts hollow-nodes` flags; throws with a one-line message on bad input. */
export function parseHollowFlags(argv: string[]): { opts: HollowOptions; kubeconfig: string } | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      count: { type: 'string' },
      kubeconfig: { type: 'string' },
      'name-prefix': { type: 'string' },
      zones: { type: 'string' },
      cpu: { type: 'string' },
      memory: { type: 'string' },
      pods: { type: 'string' },
      labels: { type: 'string', multiple: true },
      taints: { type: 'string', multiple: true },
      'lease-interval': { type: 'string' },
      'status-interval': { type: 'string' },
      concurrency: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length) throw new Error(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const int = (flag: string, text: string | undefined, min: number): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`invalid --${flag} ${JSON.stringify(text)}: want an integer >= ${min}`);
    return n;
  };
  const duration = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const ms = parseDurationMs(text);
    if (ms <= 0) throw new Error(`invalid --${flag} ${JSON.stringify(text)}: must be positive`);
    return ms;
  };
  const count = int('count', values.count, 1);
  if (count === undefined) throw new Error('--count is required');
  const prefix = values['name-prefix'] ?? D.namePrefix;
  if (!/^[a-z0-9]([-a-z0-9.]*)?$/.test(prefix))
    throw new Error(
      `invalid --name-prefix ${JSON.stringify(prefix)}: lower case letters, digits, '-' and '.', starting with a letter or digit`,
    );
  const kubeconfig = values.kubeconfig ?? process.env['KUBECONFIG'] ?? '';
  if (!kubeconfig) throw new Error('no kubeconfig: set KUBECONFIG or pass --kubeconfig');
  const opts: HollowOptions = {
    ...D,
    count,
    namePrefix: prefix,
    zones: int('zones', values.zones, 1) ?? D.zones,
    cpu: values.cpu ?? D.cpu,
    memory: values.memory ?? D.memory,
    pods: int('pods', values.pods, 1) ?? D.pods,
    labels: Object.assign({}, ...(values.labels ?? []).map(parseLabels)) as Record<string, string>,
    taints: (values.taints ?? []).flatMap(parseTaints),
    leaseRenewMs: duration('lease-interval', values['lease-interval']) ?? D.leaseRenewMs,
    statusReportMs: duration('status-interval', values['status-interval']) ?? D.statusReportMs,
    concurrency: int('concurrency', values.concurrency, 1) ?? D.concurrency,
  };
  return { opts, kubeconfig: kubeconfig.split(':')[0] ?? kubeconfig };
}

export async function runHollowNodesCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseHollowFlags(argv);
  } catch (err) {
    process.stderr.write(
      `error: ${err instanceof Error ? err.message : String(err)}\nRun 'k8ts hollow-nodes --help' for usage.\n`,
    );
    return 1;
  }
  if (parsed === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const { opts, kubeconfig } = parsed;
  const { clientFromKubeconfig } = await import('../client/http.js');
  const { componentLogger } = await import('../util/log.js');
  const { HollowNodes } = await import('../hollow/hollow.js');
  const log = componentLogger('hollow-nodes', { prefix: opts.namePrefix });
  let client;
  try {
    client = clientFromKubeconfig(kubeconfig, { component: 'hollow-nodes' });
  } catch (err) {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const hollow = new HollowNodes(opts, { client, log });
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  const started = Date.now();
  try {
    const first = await Promise.race([hollow.start().then(() => 'started'), stopped.then(() => 'stopped')]);
    if (first === 'stopped') {
      hollow.stop();
      client.close();
      setTimeout(() => process.exit(0), 500).unref();
      return 0;
    }
  } catch (err) {
    hollow.stop();
    client.close();
    process.stderr.write(
      `error: hollow nodes failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return 1;
  }
  process.stdout.write(
    `k8ts hollow-nodes: ${opts.count} nodes ${opts.namePrefix}0…${opts.namePrefix}${opts.count - 1} registered in ${Date.now() - started} ms\n`,
  );
  await stopped;
  hollow.stop();
  client.close();
  // Connections still closing must not hold the process.
  setTimeout(() => process.exit(0), 500).unref();
  return 0;
}
