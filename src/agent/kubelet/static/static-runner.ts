/**
 * Keeps the static pods of the manifests directory (re-read every 20 s, as upstream's file source)
 * and their mirror pods in the API: created when missing, replaced when the manifest changed, deleted
 * when the manifest is gone.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../../api/errors.js';
import { PODS } from '../../../client/resources.js';
import type { ApiObject, Client, Informer } from '../../../client/types.js';
import type { Logger } from '../../../util/log.js';
import { CONFIG_MIRROR_ANNOTATION, mirrorPod, readStaticPods } from './static-pods.js';

export interface StaticPodsOptions {
  dir: string;
  nodeName: string;
  client: Client;
  nodeUid(): string | undefined;
  /** A static pod appeared, changed or went away (by uid): sync it. */
  onChange(uid: string): void;
  log: Logger;
  intervalMs?: number;
}

export class StaticPods {
  private current: Pod[] = [];
  private timer: NodeJS.Timeout | undefined;
  private informer: Informer<ApiObject> | undefined;

  constructor(private readonly o: StaticPodsOptions) {}

  /** The static pods as last read. */
  pods(): Pod[] {
    return this.current;
  }

  /** Reads the directory; announces what changed. */
  async load(): Promise<void> {
    const next = (await readStaticPods(this.o.dir, this.o.nodeName, this.o.log)).map((s) => s.pod);
    const before = new Set(this.current.map((p) => p.metadata?.uid ?? ''));
    const after = new Set(next.map((p) => p.metadata?.uid ?? ''));
    this.current = next;
    for (const uid of after) if (!before.has(uid)) this.o.onChange(uid);
    for (const uid of before) if (!after.has(uid)) this.o.onChange(uid);
  }

  /** Starts re-reading and mirroring (mirror pods are seen through the node's pod informer). */
  start(informer: Informer<ApiObject>): void {
    this.informer = informer;
    const tick = (): void => {
      this.load()
        .then(() => this.mirror())
        .catch((err: unknown) => this.o.log.warn({ err }, 'static pods sync failed'))
        .finally(() => {
          this.timer = setTimeout(tick, this.o.intervalMs ?? 20_000).unref();
        });
    };
    tick();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  /** Creates, replaces and deletes mirror pods to match the static pods. */
  async mirror(): Promise<void> {
    const mirrors = ((this.informer?.list() ?? []) as Pod[]).filter(
      (p) => p.metadata?.annotations?.[CONFIG_MIRROR_ANNOTATION] !== undefined,
    );
    for (const pod of this.current) {
      const meta = pod.metadata ?? {};
      const existing = mirrors.find(
        (m) => m.metadata?.namespace === meta.namespace && m.metadata?.name === meta.name,
      );
      const pods = this.o.client.resource(PODS, meta.namespace);
      if (existing?.metadata?.annotations?.[CONFIG_MIRROR_ANNOTATION] === meta.uid) continue;
      try {
        if (existing) await pods.delete(meta.name ?? '', { gracePeriodSeconds: 0 });
        await pods.create(mirrorPod(pod, this.o.nodeUid()) as ApiObject);
      } catch (err) {
        if (!(err instanceof ApiError && (err.code === 409 || err.code === 404))) throw err;
      }
    }
    for (const m of mirrors) {
      const uid = m.metadata?.annotations?.[CONFIG_MIRROR_ANNOTATION];
      if (this.current.some((p) => p.metadata?.uid === uid)) continue;
      try {
        await this.o.client
          .resource(PODS, m.metadata?.namespace)
          .delete(m.metadata?.name ?? '', { gracePeriodSeconds: 0 });
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
  }
}
