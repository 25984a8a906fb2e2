/**
 * The ConfigMaps and Secrets volumes are made of, read through a short-lived cache so that refreshing
 * every pod's volumes (each pod sync) does not ask the API server for the same objects again and
 * again: an object read less than `ttlMs` ago is reused; a read in flight is shared. A volume being
 * set up for the first time asks for a fresh read (as upstream's kubelet drops its cached copy when a
 * pod starts referencing an object), so a new pod never starts with content older than its own
 * creation; updates reach running pods within `ttlMs` plus one pod sync.
 */
import type { VolumeSources } from './types.js';

type ConfigMapData = Awaited<ReturnType<VolumeSources['configMap']>>;
type SecretData = Awaited<ReturnType<VolumeSources['secret']>>;

interface Entry<T> {
  /** When the read was sent (what the value is at least as new as). */
  at: number;
  value?: T;
  pending?: Promise<T>;
}

/** How long a read object is reused for refreshes, by default. */
export const DEFAULT_OBJECT_TTL_MS = 30_000;

/** A TTL cache in front of {@link VolumeSources} (configMap and secret; tokens have their own cache). */
export class ObjectCache {
  private readonly configMaps = new Map<string, Entry<ConfigMapData>>();
  private readonly secrets = new Map<string, Entry<SecretData>>();
  private sweptAt = 0;

  constructor(
    private readonly sources: VolumeSources,
    private readonly ttlMs: number = DEFAULT_OBJECT_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The sources as a payload builder sees them: `fresh` for a volume set up for the first time (a
   * read in flight still counts), else reads within the TTL are reused.
   */
  view(fresh: boolean): VolumeSources {
    const view: VolumeSources = {
      configMap: (ns, name) =>
        this.get(this.configMaps, `${ns}/${name}`, fresh, () => this.sources.configMap(ns, name)),
      secret: (ns, name) =>
        this.get(this.secrets, `${ns}/${name}`, fresh, () => this.sources.secret(ns, name)),
    };
    if (this.sources.serviceAccountToken) view.serviceAccountToken = this.sources.serviceAccountToken;
    return view;
  }

  private get<T>(
    map: Map<string, Entry<T>>,
    key: string,
    fresh: boolean,
    read: () => Promise<T>,
  ): Promise<T> {
    const now = this.now();
    this.sweep(now);
    const hit = map.get(key);
    if (hit?.pending) return hit.pending;
    if (hit && !fresh && now - hit.at < this.ttlMs) return Promise.resolve(hit.value as T);
    const entry: Entry<T> = { at: now };
    const pending = read().then(
      (value) => {
        if (map.get(key) === entry) {
          entry.value = value;
          delete entry.pending;
        }
        return value;
      },
      (err: unknown) => {
        if (map.get(key) === entry) map.delete(key);
        throw err;
      },
    );
    entry.pending = pending;
    map.set(key, entry);
    return pending;
  }

  /** Drops expired entries (at most once per TTL), so objects no pod uses any more do not stay. */
  private sweep(now: number): void {
    if (now - this.sweptAt < this.ttlMs) return;
    this.sweptAt = now;
    for (const map of [this.configMaps, this.secrets] as Map<string, Entry<unknown>>[]) {
      for (const [key, e] of map) if (!e.pending && now - e.at >= this.ttlMs) map.delete(key);
    }
  }
}
