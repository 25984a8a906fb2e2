/**
 * The node's volume manager: sets up every volume of a pod under `<dataDir>/agent/pods/<uid>/volumes`
 * (again on each sync, so projected content follows its objects), and removes it all once the pod is
 * gone. Operations on one pod are serialised; different pods proceed in parallel.
 */
import type { Pod, Volume } from 'kubernetes-types/core/v1.js';
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
  /** Clock in milliseconds (token renewal, version directory names). */
  now?: () => number;
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

/** Volumes on the local disk (and tmpfs), per pod. */
export class HostVolumeManager implements VolumeManager {
  readonly mounter: Mounter;
  private readonly tokens: TokenCache;
  private readonly now: () => number;
  private readonly tmpfs = new Set<string>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly opts: HostVolumeManagerOptions) {
    this.mounter = opts.mounter ?? systemMounter();
    this.now = opts.now ?? Date.now;
    this.tokens = new TokenCache(this.now);
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
      await ensureDir(dir, 0o750);
      const pctx: PayloadContext = { pod, sources: this.opts.sources, volumeCtx: ctx, tokens: this.tokens };
      let table: Promise<string[]> | undefined;
      const mountTable: MountTable = () => (table ??= this.mounter.mountPoints());
      const volumes = pod.spec?.volumes ?? [];
      const results = await Promise.allSettled(
        volumes.map((v) => this.setUpVolume(dir, v, pod, ctx, pctx, mountTable)),
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
        return;
      }
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
    pctx: PayloadContext,
    mountTable: MountTable,
  ): Promise<MountedVolume> {
    try {
      if (v.hostPath) {
        await checkHostPath(v.hostPath.path, v.hostPath.type);
        return { hostPath: v.hostPath.path, readOnly: false, plugin: PLUGINS.hostPath };
      }
      const memory = this.opts.secretsInMemory !== false;
      if (v.configMap) {
        const payload = await configMapPayload(v.configMap, v.configMap.defaultMode ?? DEFAULT_MODE, pctx);
        return await this.project(pod, v.name, PLUGINS.configMap, payload, undefined, mountTable);
      }
      const tmpfs = memory ? { size: memoryVolumeSize(podObj, undefined, ctx.nodeAllocatable) } : undefined;
      if (v.secret) {
        const payload = await secretVolumePayload(v.secret, pctx);
        return await this.project(pod, v.name, PLUGINS.secret, payload, tmpfs, mountTable);
      }
      if (v.downwardAPI) {
        const payload = downwardPayload(
          v.downwardAPI.items ?? [],
          v.downwardAPI.defaultMode ?? DEFAULT_MODE,
          pctx,
        );
        return await this.project(pod, v.name, PLUGINS.downwardAPI, payload, undefined, mountTable);
      }
      if (v.projected) {
        const payload = await projectedPayload(v.projected, pctx);
        return await this.project(pod, v.name, PLUGINS.projected, payload, tmpfs, mountTable);
      }
      const other = Object.keys(v).find((k) => k !== 'name' && !KNOWN_SOURCES.has(k));
      if (other) throw new Error(`volume type ${other} is not supported by this node agent`);
      return await this.emptyDir(pod, v, podObj, ctx, mountTable);
    } catch (err) {
      throw new VolumeError(v.name, messageOf(err));
    }
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
