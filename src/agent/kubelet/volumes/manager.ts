/**
 * The node's volume manager: sets up every volume of a pod under `<dataDir>/agent/pods/<uid>/volumes`,
 * and removes it all once the pod is gone. Operations on one pod are serialised; different pods
 * proceed in parallel.
 *
 * Each pod sync asks for the pod's volumes again. What was set up is remembered: emptyDir and
 * hostPath volumes are not touched again, and the content of configMap, secret, downwardAPI and
 * projected volumes is recomputed from cached objects (object-cache.ts: the API server is asked again
 * once they are older than `objectTtlMs`; tokens are renewed at 80 % of their lifetime) and written
 * only when it differs from what was written last, so a sync of an unchanged pod costs no I/O.
 */
import type { Pod, Volume } from 'kubernetes-types/core/v1.js';
import { createHash } from 'node:crypto';
import { readdir, realpath } from 'node:fs/promises';
import type { Logger } from '../../../util/log.js';
import { writeAtomic, type Payload } from './atomic-writer.js';
import type { SubPathBinding } from './container-mounts.js';
import { ensureDir, memoryVolumeSize } from './empty-dir.js';
import { checkHostPath } from './host-path.js';
import { systemMounter, type Mounter } from './mounter.js';
import { PLUGINS, isWithin, podDir, podsRoot, volumeDir, type PluginName } from './paths.js';
import {
  DEFAULT_MODE,
  aggregate,
  configMapPayload,
  downwardPayload,
  projectedPayload,
  secretVolumePayload,
  type PayloadContext,
} from './payload.js';
import { ObjectCache } from './object-cache.js';
import { removeTree } from './remove-tree.js';
import { TokenCache } from './tokens.js';
import {
  VolumeError,
  type MountedVolume,
  type VolumeContext,
  type VolumeManager,
  type VolumeSources,
} from './types.js';

/** Options of {@link HostVolumeManager}. */
export interface HostVolumeManagerOptions {
  /** The agent's data directory (`--data-dir`). */
  dataDir: string;
  /** Reads ConfigMaps, Secrets and service account tokens. */
  sources: VolumeSources;
  /** Mount operations (default: mount(8)/umount(8), root only). */
  mounter?: Mounter;
  /** Keep secret and projected volumes on tmpfs so their content never reaches the disk (default true). */
  secretsInMemory?: boolean;
  /** Clock in milliseconds (token renewal, object cache, version directory names). */
  now?: () => number;
  /**
   * How long a ConfigMap or Secret read for a volume is reused before a refresh reads it again
   * (default 30 s): updates reach running pods' volumes within this plus one pod sync.
   */
  objectTtlMs?: number;
  log?: Logger;
}

/** The event message upstream's kubelet gives a volume that failed to set up (reason FailedMount). */
export function failedMountMessage(err: VolumeError): string {
  return `MountVolume.SetUp failed for volume "${err.volume}" : ${err.message}`;
}

/** Volume source fields this node knows; any other source is reported as unsupported. */
const KNOWN_SOURCES = new Set(['emptyDir', 'hostPath', 'configMap', 'secret', 'downwardAPI', 'projected']);

/** Per setUp call: the host's mount table, read at most once and only when needed. */
type MountTable = () => Promise<string[]>;

/** A volume set up for a pod: the volume's spec then, the digest of its content, the result. */
interface SetUpVolume {
  spec: string;
  digest?: string;
  result: MountedVolume;
}

/** A digest of a payload (paths, modes and contents), to tell whether it must be written again. */
function payloadDigest(payload: Payload): string {
  const h = createHash('sha256');
  for (const [p, f] of [...payload].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    h.update(`${p}\0${f.mode}\0${f.data.length}\0`);
    h.update(f.data);
  }
  return h.digest('base64');
}

/** Volumes on the local disk (and tmpfs), per pod. */
export class HostVolumeManager implements VolumeManager {
  readonly mounter: Mounter;
  private readonly tokens: TokenCache;
  private readonly objects: ObjectCache;
  private readonly now: () => number;
  private readonly tmpfs = new Set<string>();
  private readonly locks = new Map<string, Promise<unknown>>();
  /** What is set up, by pod uid and volume name. */
  private readonly setUpVolumes = new Map<string, Map<string, SetUpVolume>>();

  constructor(private readonly opts: HostVolumeManagerOptions) {
    this.mounter = opts.mounter ?? systemMounter();
    this.now = opts.now ?? Date.now;
    this.tokens = new TokenCache(this.now);
    this.objects = new ObjectCache(opts.sources, opts.objectTtlMs, this.now);
  }

  /** `<dataDir>/agent/pods/<uid>`: where the pod's volumes, /etc/hosts and termination logs live. */
  podDir(uid: string): string {
    return podDir(this.opts.dataDir, uid);
  }

  /** What {@link containerMounts} needs to bind-mount this pod's subPaths safely. */
  subPathBinding(uid: string): SubPathBinding {
    return { podDir: this.podDir(uid), mounter: this.mounter };
  }

  setUp(pod: Pod, ctx: VolumeContext): Promise<Map<string, MountedVolume>> {
    const uid = pod.metadata?.uid;
    if (!uid) return Promise.reject(new Error('pod has no metadata.uid'));
    return this.serialize(uid, async () => {
      const dir = this.podDir(uid);
      let known = this.setUpVolumes.get(uid);
      if (!known) {
        await ensureDir(dir, 0o750);
        known = new Map();
        this.setUpVolumes.set(uid, known);
      }
      const done = known;
      let table: Promise<string[]> | undefined;
      const mountTable: MountTable = () => (table ??= this.mounter.mountPoints());
      const volumes = pod.spec?.volumes ?? [];
      const results = await Promise.allSettled(
        volumes.map((v) => this.setUpVolume(dir, v, pod, ctx, done, mountTable)),
      );
      const out = new Map<string, MountedVolume>();
      let failure: VolumeError | undefined;
      results.forEach((r, i) => {
        const name = volumes[i]?.name ?? '';
        if (r.status === 'fulfilled') out.set(name, r.value);
        else if (!failure) {
          const reason: unknown = r.reason;
          failure = reason instanceof VolumeError ? reason : new VolumeError(name, messageOf(reason));
        }
      });
      if (failure) throw failure;
      return out;
    });
  }

  tearDown(podUid: string): Promise<void> {
    return this.serialize(podUid, async () => {
      const dir = this.podDir(podUid);
      let real: string;
      try {
        real = await realpath(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        this.tokens.forget(podUid);
        this.setUpVolumes.delete(podUid);
        return;
      }
      // Whatever happens below, nothing of the pod counts as set up any more.
      this.setUpVolumes.delete(podUid);
      const inside = (await this.mounter.mountPoints()).filter((m) => isWithin(real, m));
      inside.sort((a, b) => b.length - a.length);
      const errors: Error[] = [];
      for (const m of inside) {
        try {
          await this.mounter.unmount(m);
        } catch (err) {
          errors.push(err instanceof Error ? err : new Error(String(err)));
        }
      }
      for (const m of [...this.tmpfs]) if (isWithin(real, m)) this.tmpfs.delete(m);
      const failed = aggregate(errors);
      if (failed) throw failed;
      await removeTree(dir);
      this.tokens.forget(podUid);
      this.opts.log?.debug({ pod: podUid }, 'pod volumes removed');
    });
  }

  async podsOnDisk(): Promise<string[]> {
    try {
      const entries = await readdir(podsRoot(this.opts.dataDir), { withFileTypes: true });
      return entries.filter((e) => e.isDirectory()).map((e) => e.name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  private async setUpVolume(
    pod: string,
    v: Volume,
    podObj: Pod,
    ctx: VolumeContext,
    done: Map<string, SetUpVolume>,
    mountTable: MountTable,
  ): Promise<MountedVolume> {
    try {
      const spec = JSON.stringify(v);
      const before = done.get(v.name);
      const known = before?.spec === spec ? before : undefined;
      const remember = (result: MountedVolume, digest?: string): MountedVolume => {
        done.set(v.name, { spec, result, ...(digest !== undefined ? { digest } : {}) });
        return result;
      };
      // Content volumes: recomputed each time (from cached objects), written when it changed.
      const content = await this.contentOf(v, podObj, ctx, known === undefined);
      if (content) {
        const digest = payloadDigest(content.payload);
        if (known?.digest === digest) return known.result;
        const memory = this.opts.secretsInMemory !== false && content.secret;
        const tmpfs = memory ? { size: memoryVolumeSize(podObj, undefined, ctx.nodeAllocatable) } : undefined;
        return remember(
          await this.project(pod, v.name, content.plugin, content.payload, tmpfs, mountTable),
          digest,
        );
      }
      if (known) return known.result;
      if (v.hostPath) {
        await checkHostPath(v.hostPath.path, v.hostPath.type);
        return remember({ hostPath: v.hostPath.path, readOnly: false, plugin: PLUGINS.hostPath });
      }
      const other = Object.keys(v).find((k) => k !== 'name' && !KNOWN_SOURCES.has(k));
      if (other) throw new Error(`volume type ${other} is not supported by this node agent`);
      return remember(await this.emptyDir(pod, v, podObj, ctx, mountTable));
    } catch (err) {
      throw new VolumeError(v.name, messageOf(err));
    }
  }

  /**
   * The files of a configMap, secret, downwardAPI or projected volume (undefined for other volumes);
   * `fresh` reads its objects from the API server rather than the cache.
   */
  private async contentOf(
    v: Volume,
    pod: Pod,
    ctx: VolumeContext,
    fresh: boolean,
  ): Promise<{ payload: Payload; plugin: PluginName; secret: boolean } | undefined> {
    if (!v.configMap && !v.secret && !v.downwardAPI && !v.projected) return undefined;
    const pctx: PayloadContext = {
      pod,
      sources: this.objects.view(fresh),
      volumeCtx: ctx,
      tokens: this.tokens,
    };
    if (v.configMap) {
      const payload = await configMapPayload(v.configMap, v.configMap.defaultMode ?? DEFAULT_MODE, pctx);
      return { payload, plugin: PLUGINS.configMap, secret: false };
    }
    if (v.secret)
      return { payload: await secretVolumePayload(v.secret, pctx), plugin: PLUGINS.secret, secret: true };
    if (v.downwardAPI) {
      const items = v.downwardAPI.items ?? [];
      const payload = downwardPayload(items, v.downwardAPI.defaultMode ?? DEFAULT_MODE, pctx);
      return { payload, plugin: PLUGINS.downwardAPI, secret: false };
    }
    const projected = v.projected ?? {};
    return { payload: await projectedPayload(projected, pctx), plugin: PLUGINS.projected, secret: true };
  }

  private async emptyDir(
    pod: string,
    v: Volume,
    podObj: Pod,
    ctx: VolumeContext,
    mountTable: MountTable,
  ): Promise<MountedVolume> {
    const medium = v.emptyDir?.medium ?? '';
    if (medium !== '' && medium !== 'Memory')
      throw new Error(`emptyDir medium ${JSON.stringify(medium)} is not supported by this node agent`);
    const dir = volumeDir(pod, PLUGINS.emptyDir, v.name);
    await ensureDir(dir);
    if (medium === 'Memory') {
      await this.ensureTmpfs(
        dir,
        memoryVolumeSize(podObj, v.emptyDir?.sizeLimit, ctx.nodeAllocatable),
        mountTable,
      );
    }
    return { hostPath: dir, readOnly: false, plugin: PLUGINS.emptyDir };
  }

  /**
   * Writes a projected payload into its volume directory, on a tmpfs when `tmpfs` is given (size
   * undefined: tmpfs's own default).
   */
  private async project(
    pod: string,
    name: string,
    plugin: PluginName,
    payload: Payload,
    tmpfs: { size: bigint | undefined } | undefined,
    mountTable: MountTable,
  ): Promise<MountedVolume> {
    const dir = volumeDir(pod, plugin, name);
    await ensureDir(dir);
    if (tmpfs) await this.ensureTmpfs(dir, tmpfs.size, mountTable);
    const written = await writeAtomic(dir, payload, { now: () => new Date(this.now()) });
    if (written) this.opts.log?.debug({ volume: name, plugin, dir }, 'volume content written');
    return { hostPath: dir, readOnly: true, plugin };
  }

  private async ensureTmpfs(dir: string, size: bigint | undefined, mountTable: MountTable): Promise<void> {
    const real = await realpath(dir);
    if (this.tmpfs.has(real)) return;
    if (!(await mountTable()).includes(real)) await this.mounter.mountTmpfs(real, size);
    this.tmpfs.add(real);
  }

  private serialize<T>(uid: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(uid) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(uid, tail);
    void tail.then(() => {
      if (this.locks.get(uid) === tail) this.locks.delete(uid);
    });
    return run;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A volume manager for a node (see {@link HostVolumeManagerOptions}). */
export function createVolumeManager(opts: HostVolumeManagerOptions): HostVolumeManager {
  return new HostVolumeManager(opts);
}
