/**
 * The kubelet's wait before it stops a deleted pod (PodSyncDeps.drain): until no data path of the
 * cluster sends new connections to the pod's address, so that a rolling update loses no request even
 * when the application has no preStop hook and exits at once on SIGTERM.
 *
 * First this node: its service proxy's rules in the kernel and its Ingress data path (HAProxy). Then
 * every other node that runs a proxy, all at once, each over its kubelet API (`/k8ts/routes`, a
 * long-poll that answers as soon as that node stopped routing to the address). Everything is bounded
 * by the budget the kubelet gives (a part of the grace period): a peer that does not answer in time
 * is given up on, never waited for past the budget.
 *
 * Slack: a peer that answers is exact (its rules are atomic: once they are in the kernel, no new
 * connection goes to the pod), so it needs none. A peer that fails at once (connection refused, an
 * older agent without `/k8ts/routes`, a certificate it cannot present) cannot be asked; for those
 * alone the drainer still waits {@link PEER_SLACK_MS}, about one proxy sync period, the time such a
 * proxy takes to follow the EndpointSlice change (what k8ts did for every peer before).
 */
import { Histogram, Registry } from 'prom-client';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../../util/log.js';
import type { DrainPeer } from './peers.js';

/** How long a peer that could not be asked is still given (about one proxy sync period). */
export const PEER_SLACK_MS = 1000;

/** How often the local data path is looked at while waiting (the proxy's check scans its rules). */
const POLL_MS = 50;

/** A peer is asked to answer this much before the caller gives up, so "still routed" arrives. */
const ANSWER_MARGIN_MS = 150;

/** How a drain ended (the `result` label of the duration histogram). */
export type DrainResult = 'drained' | 'timeout' | 'peer_error';

/** What one peer answered. */
type PeerOutcome = 'unrouted' | 'routed' | 'timeout' | 'error';

/**
 * Waits until `routes(ip)` is false (true), or `timeoutMs` passed or `signal` aborted (false).
 */
export async function waitUnrouted(
  routes: (ip: string) => boolean,
  ip: string,
  timeoutMs: number,
  signal?: AbortSignal,
  pollMs = POLL_MS,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (routes(ip)) {
    const left = deadline - Date.now();
    if (left <= 0 || signal?.aborted) return false;
    await new Promise((r) => setTimeout(r, Math.min(pollMs, left)));
  }
  return true;
}

/** The drain duration histogram, in a registry of its own (merged into the agent's /metrics). */
export class DrainMetrics {
  readonly registry = new Registry();
  readonly duration = new Histogram({
    name: 'k8ts_kubelet_pod_drain_duration_seconds',
    help: 'Time a deleted pod waited, before SIGTERM, for its address to leave the data path of every node, by result.',
    labelNames: ['result'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 7.5, 10, 15],
    registers: [this.registry],
  });

  /** The metrics in Prometheus text format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Options of {@link createDrainer}. */
export interface DrainerOptions {
  /** True while this node's proxy or Ingress data path sends new connections to `ip`. */
  localRoutes(ip: string): boolean;
  /** The other nodes to ask (Ready, running a proxy). */
  peers(): DrainPeer[];
  /**
   * Asks a peer whether it still routes to `ip` after waiting up to `waitMs`; rejects when it cannot
   * answer (the drainer aborts `signal` at the budget's end).
   */
  askPeer(peer: DrainPeer, ip: string, waitMs: number, signal: AbortSignal): Promise<boolean>;
  metrics?: DrainMetrics;
  /** Wait for peers that could not be asked (default {@link PEER_SLACK_MS}). */
  slackMs?: number;
  log: Logger;
}

function podRef(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/** The kubelet's drain: see the module comment. */
export function createDrainer(opts: DrainerOptions): (pod: Pod, budgetMs: number) => Promise<void> {
  const slackMs = opts.slackMs ?? PEER_SLACK_MS;

  const ask = async (peer: DrainPeer, ip: string, deadline: number): Promise<PeerOutcome> => {
    const left = deadline - Date.now();
    if (left <= 0) return 'timeout';
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new Error(`no answer within ${left} ms`)), left);
    try {
      const routed = await opts.askPeer(peer, ip, Math.max(0, left - ANSWER_MARGIN_MS), ac.signal);
      return routed ? 'routed' : 'unrouted';
    } catch (err) {
      if (ac.signal.aborted) return 'timeout';
      opts.log.warn({ err, peer: peer.name, ip }, 'could not ask a node whether it still routes to a pod');
      return 'error';
    } finally {
      clearTimeout(timer);
    }
  };

  const run = async (pod: Pod, ip: string, deadline: number): Promise<DrainResult> => {
    if (!(await waitUnrouted(opts.localRoutes, ip, deadline - Date.now()))) {
      opts.log.info(
        { pod: podRef(pod), ip },
        'this node still routes to the pod at the end of the drain budget',
      );
      return 'timeout';
    }
    const peers = opts.peers();
    if (peers.length === 0) return 'drained';
    const outcomes = await Promise.all(peers.map((p) => ask(p, ip, deadline)));
    const late = peers.filter((_, i) => outcomes[i] === 'routed' || outcomes[i] === 'timeout');
    if (late.length) {
      opts.log.warn(
        { pod: podRef(pod), ip, nodes: late.map((p) => p.name) },
        'nodes did not confirm within the drain budget that they stopped routing to the pod; stopping it anyway',
      );
      return 'timeout';
    }
    if (outcomes.includes('error')) {
      const left = deadline - Date.now();
      if (left > 0) await new Promise((r) => setTimeout(r, Math.min(slackMs, left)));
      return 'peer_error';
    }
    return 'drained';
  };

  return async (pod, budgetMs) => {
    const ip = pod.status?.podIP;
    if (!ip || pod.spec?.hostNetwork) return;
    const started = Date.now();
    const result = await run(pod, ip, started + budgetMs);
    const seconds = (Date.now() - started) / 1000;
    opts.metrics?.duration.observe({ result }, seconds);
    opts.log.debug({ pod: podRef(pod), ip, result, seconds }, 'pod drained from the data path');
  };
}
