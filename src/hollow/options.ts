/**
 * What a hollow-nodes process simulates: how many nodes, their names, zones, size, labels and taints,
 * and how often they heartbeat. Parsers for the flag values live here too, apart from the CLI.
 */

/** A node taint (`key[=value]:Effect`). */
export interface TaintSpec {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** Options of {@link HollowNodes}. */
export interface HollowOptions {
  /** Number of nodes. */
  count: number;
  /** Node names are `<namePrefix><index>` (index from 0). */
  namePrefix: string;
  /** Nodes are spread round-robin over this many zones (`topology.kubernetes.io/zone`). */
  zones: number;
  /** capacity/allocatable of every node. */
  cpu: string;
  memory: string;
  pods: number;
  /** Extra node labels. */
  labels: Record<string, string>;
  /** Taints every node registers with. */
  taints: TaintSpec[];
  /** How often each node renews its Lease (spread over the interval across the nodes). */
  leaseRenewMs: number;
  /** How often each node posts its status (also spread), besides when the server's view is stale. */
  statusReportMs: number;
  /** API requests in flight at most, for Lease renewals and for pods each (status posts: a quarter). */
  concurrency: number;
}

/**
 * The Lease renew interval. The same as the node agent's (src/agent/kubelet/node/node-manager.ts):
 * the node lifecycle controller's grace period (15 s by default) allows three missed renewals.
 */
export const DEFAULT_LEASE_RENEW_MS = 5_000;

/** The Lease's leaseDurationSeconds, as the agent writes it. */
export const LEASE_DURATION_SECONDS = 40;

export const DEFAULT_HOLLOW_OPTIONS: HollowOptions = {
  count: 1,
  namePrefix: 'hollow-',
  zones: 3,
  cpu: '4',
  memory: '16Gi',
  pods: 110,
  labels: {},
  taints: [],
  leaseRenewMs: DEFAULT_LEASE_RENEW_MS,
  statusReportMs: 60_000,
  concurrency: 32,
};

/** Parses `k=v,k2=v2` into labels; throws a one-line message on bad input. */
export function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const item = part.trim();
    if (!item) continue;
    const i = item.indexOf('=');
    if (i <= 0) throw new Error(`invalid label ${JSON.stringify(item)}: want key=value`);
    out[item.slice(0, i)] = item.slice(i + 1);
  }
  return out;
}

/** Parses `k=v:NoSchedule,k2:NoExecute` into taints; throws a one-line message on bad input. */
export function parseTaints(text: string): TaintSpec[] {
  const out: TaintSpec[] = [];
  for (const part of text.split(',')) {
    const item = part.trim();
    if (!item) continue;
    const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(item);
    if (!m?.[1] || !m[3])
      throw new Error(
        `invalid taint ${JSON.stringify(item)}: want key[=value]:NoSchedule|PreferNoSchedule|NoExecute`,
      );
    out.push({ key: m[1], ...(m[2] ? { value: m[2] } : {}), effect: m[3] as TaintSpec['effect'] });
  }
  return out;
}

/** Parses a duration such as 500ms, 5s, 2m or 1m30s into milliseconds (0 allowed). */
export function parseDurationMs(text: string): number {
  const t = text.trim();
  const m = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$/.exec(t);
  if (!m || t === '') throw new Error(`invalid duration ${JSON.stringify(text)}: want e.g. 500ms, 10s or 2m`);
  const [, h, min, sec, ms] = m;
  return Math.round(
    Number(h ?? 0) * 3_600_000 + Number(min ?? 0) * 60_000 + Number(sec ?? 0) * 1000 + Number(ms ?? 0),
  );
}
