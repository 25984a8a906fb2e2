/**
 * The kubelet's picture of the runtime (upstream's PLEG and its pod cache, in k8ts's shape): one
 * ListPodSandbox + ListContainers of the whole node every second (the relist) tells which pods
 * changed, and the pod workers read their pods from that picture instead of asking the runtime again.
 *
 * - A pod's entry is used as long as it is newer than the last change this agent made to the pod
 *   (every create/start/stop/remove goes through {@link RuntimeCache.changed}); otherwise, or when
 *   asked to (`fresh`), the pod is listed again on its own (two list calls, filtered by its uid).
 * - Container statuses (exit codes, times, reasons: what ListContainers does not say) are read once
 *   per container and state, and again only when the list shows another state. An exited container
 *   read within {@link SETTLE_MS} of its exit is read once more later: the runtime may learn the
 *   reason (OOMKilled) just after the exit.
 * - The IPs of a ready sandbox are read once (they never change).
 *
 * Changes the agent does not make (a container exits, a sandbox dies) show at the next relist, as
 * upstream; the relist's fingerprints make the pod manager sync those pods. Until a first relist,
 * every pod is read when asked for.
 */
import type { RuntimeService } from '../../cri/client.js';
import type { Container as CriContainer, PodSandbox } from '../../cri/types.js';
import { POD_UID_LABEL } from './labels.js';
import type { ObservedContainer, ObservedSandbox } from './runtime-state.js';
import { observedContainer } from './runtime-view.js';

/** An exited container's status read this soon after its exit is read again later. */
export const SETTLE_MS = 2000;

/** A pod as the runtime holds it: sandboxes newest first (ready ones with their IPs), all containers. */
export interface PodRuntimeRecord {
  sandboxes: ObservedSandbox[];
  containers: ObservedContainer[];
}

/** What a list says of a sandbox and of a container (kept small: it stays until the pod changes). */
interface ListedSandbox {
  id: string;
  ready: boolean;
  attempt: number;
  createdAt: number;
}
interface ListedContainer {
  id: string;
  sandboxId: string;
  state: string;
}

interface Listed {
  /** Sequence number of the read this comes from (a read started after every earlier change). */
  seq: number;
  /** Ids and states, sorted: equal prints, equal pods. */
  print: string;
  /** Newest first. */
  sandboxes: ListedSandbox[];
  containers: ListedContainer[];
}

/** The fingerprint of a pod's sandboxes and containers: ids and states. */
function printOf(sandboxes: PodSandbox[], containers: CriContainer[]): string {
  const parts = [
    ...sandboxes.map((s) => `s:${s.id}:${s.state}`),
    ...containers.map((c) => `c:${c.id}:${c.state}`),
  ];
  return parts.sort().join(',');
}

function listed(seq: number, sandboxes: PodSandbox[], containers: CriContainer[], print?: string): Listed {
  return {
    seq,
    print: print ?? printOf(sandboxes, containers),
    sandboxes: sandboxes
      .map((s) => ({
        id: s.id,
        ready: s.state === 'SANDBOX_READY',
        attempt: s.metadata?.attempt ?? 0,
        createdAt: s.createdAt ?? 0,
      }))
      .sort((a, b) => b.createdAt - a.createdAt),
    containers: containers.map((c) => ({ id: c.id, sandboxId: c.podSandboxId, state: c.state })),
  };
}

interface CachedStatus {
  /** The CRI state the status was read in. */
  state: string;
  readAtMs: number;
  container: ObservedContainer;
}

const fromNanos = (ns: number): Date | undefined => (ns ? new Date(Math.floor(ns / 1e6)) : undefined);

/** Sandboxes and containers of the node, by pod uid. */
export class RuntimeCache {
  private seq = 0;
  /** Sequence number of the last whole-node relist (-1: none yet, nothing is known). */
  private relistSeq = -1;
  private readonly listed = new Map<string, Listed>();
  /** Per pod: sequence number at its last change by this agent. */
  private readonly changes = new Map<string, number>();
  private readonly ips = new Map<string, string[]>();
  private readonly statuses = new Map<string, CachedStatus>();

  constructor(
    private readonly runtime: RuntimeService,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /**
   * Lists every sandbox and container of the node; returns a fingerprint (ids and states) per pod uid
   * seen, for telling which pods changed since the last relist.
   */
  async relist(): Promise<Map<string, string>> {
    const seq = ++this.seq;
    const [sandboxes, containers] = await Promise.all([
      this.runtime.listPodSandbox({}),
      this.runtime.listContainers({}),
    ]);
    const pods = new Map<string, { sandboxes: PodSandbox[]; containers: CriContainer[] }>();
    const entry = (uid: string): { sandboxes: PodSandbox[]; containers: CriContainer[] } => {
      let e = pods.get(uid);
      if (!e) pods.set(uid, (e = { sandboxes: [], containers: [] }));
      return e;
    };
    const sandboxIds = new Set<string>();
    const containerIds = new Set<string>();
    for (const s of sandboxes.items ?? []) {
      sandboxIds.add(s.id);
      const uid = s.labels?.[POD_UID_LABEL];
      if (uid) entry(uid).sandboxes.push(s);
    }
    for (const c of containers.containers ?? []) {
      containerIds.add(c.id);
      const uid = c.labels?.[POD_UID_LABEL];
      if (uid) entry(uid).containers.push(c);
    }
    const prints = new Map<string, string>();
    for (const [uid, e] of pods) {
      const print = printOf(e.sandboxes, e.containers);
      prints.set(uid, print);
      const cur = this.listed.get(uid);
      // An unchanged pod keeps its entry: the relist then leaves nothing behind in the heap.
      if (cur?.print === print) cur.seq = Math.max(cur.seq, seq);
      else if (!cur || cur.seq < seq) this.listed.set(uid, listed(seq, e.sandboxes, e.containers, print));
    }
    for (const [uid, e] of this.listed) if (!pods.has(uid) && e.seq < seq) this.listed.delete(uid);
    for (const id of this.ips.keys()) if (!sandboxIds.has(id)) this.ips.delete(id);
    for (const id of this.statuses.keys()) if (!containerIds.has(id)) this.statuses.delete(id);
    for (const [uid, at] of this.changes) if (at < seq) this.changes.delete(uid);
    this.relistSeq = seq;
    return prints;
  }

  /** This agent changed the pod in the runtime (or may have: call it also when the change failed). */
  changed(uid: string): void {
    this.changes.set(uid, ++this.seq);
  }

  /** Runs a runtime change of the pod, marking it changed whatever the outcome. */
  async change<T>(uid: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } finally {
      this.changed(uid);
    }
  }

  /** The pod's sandboxes and containers: from the last relist when that is recent enough, else read. */
  async pod(uid: string, opts: { fresh?: boolean } = {}): Promise<PodRuntimeRecord> {
    const changedAt = this.changes.get(uid) ?? -1;
    let listed = this.listed.get(uid);
    // Without relists (none yet, or nobody runs them) nothing keeps the picture current: read.
    const known = this.relistSeq >= 0 && (listed ? listed.seq > changedAt : this.relistSeq > changedAt);
    if (opts.fresh || !known) listed = await this.read(uid);
    if (!listed) return { sandboxes: [], containers: [] }; // not in the last relist, nothing since
    const [sandboxes, containers] = await Promise.all([
      this.withIps(listed.sandboxes),
      this.observed(listed.containers),
    ]);
    return { sandboxes, containers };
  }

  /** The pod's sandboxes as the runtime lists them now, newest first (one call; for stopping them). */
  async sandboxes(uid: string): Promise<{ id: string; ready: boolean }[]> {
    const res = await this.runtime.listPodSandbox({ filter: { labelSelector: { [POD_UID_LABEL]: uid } } });
    return [...(res.items ?? [])]
      .sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0))
      .map((s) => ({ id: s.id, ready: s.state === 'SANDBOX_READY' }));
  }

  /** One sandbox as the runtime reports it now (its IPs are kept for later reads). */
  async sandboxStatus(id: string): Promise<ObservedSandbox> {
    const st = (await this.runtime.podSandboxStatus({ podSandboxId: id })).status;
    if (!st) throw new Error(`no status for sandbox ${id}`);
    const net = st.network;
    const ips = [net?.ip ?? '', ...(net?.additionalIps ?? []).map((a) => a.ip)].filter((ip) => ip !== '');
    const ready = st.state === 'SANDBOX_READY';
    if (ready) this.ips.set(id, ips);
    return {
      id,
      ready,
      attempt: st.metadata?.attempt ?? 0,
      ips: ready ? ips : [],
      createdAt: fromNanos(st.createdAt ?? 0),
    };
  }

  /** Lists the pod alone. */
  private async read(uid: string): Promise<Listed> {
    const seq = ++this.seq;
    const filter = { labelSelector: { [POD_UID_LABEL]: uid } };
    const [sandboxes, containers] = await Promise.all([
      this.runtime.listPodSandbox({ filter }),
      this.runtime.listContainers({ filter }),
    ]);
    const read = listed(seq, sandboxes.items ?? [], containers.containers ?? []);
    const cur = this.listed.get(uid);
    // Kept even when empty (the pod has nothing in the runtime): the next relist drops it.
    if (!cur || cur.seq < seq) this.listed.set(uid, read);
    return read;
  }

  private async withIps(list: ListedSandbox[]): Promise<ObservedSandbox[]> {
    return Promise.all(
      list.map(async (s) => {
        const sandbox = { id: s.id, ready: s.ready, attempt: s.attempt, createdAt: fromNanos(s.createdAt) };
        if (!s.ready) return { ...sandbox, ips: [] };
        let ips = this.ips.get(s.id);
        if (!ips) {
          try {
            const net = (await this.runtime.podSandboxStatus({ podSandboxId: s.id })).status?.network;
            ips = [net?.ip ?? '', ...(net?.additionalIps ?? []).map((a) => a.ip)].filter((ip) => ip !== '');
            this.ips.set(s.id, ips);
          } catch {
            ips = [];
          }
        }
        return { ...sandbox, ips };
      }),
    );
  }

  private async observed(list: ListedContainer[]): Promise<ObservedContainer[]> {
    const now = this.nowMs();
    const out = await Promise.all(
      list.map(async (c): Promise<ObservedContainer | undefined> => {
        let cached = this.statuses.get(c.id);
        if (!cached || cached.state !== c.state || this.unsettled(cached)) {
          try {
            const st = (await this.runtime.containerStatus({ containerId: c.id })).status;
            if (!st) return undefined;
            cached = { state: st.state, readAtMs: now, container: observedContainer(st) };
            this.statuses.set(c.id, cached);
          } catch {
            // Removed between list and status: skip it.
            return undefined;
          }
        }
        return { ...cached.container, sandboxId: c.sandboxId };
      }),
    );
    return out.filter((c): c is ObservedContainer => c !== undefined);
  }

  /** An exited container read right after its exit: its reason may still change. */
  private unsettled(s: CachedStatus): boolean {
    const finished = s.container.finishedAt?.getTime();
    return (
      s.container.state === 'exited' &&
      finished !== undefined &&
      s.readAtMs - finished < SETTLE_MS &&
      this.nowMs() - s.readAtMs >= 500
    );
  }
}
