/** Test doubles for the volume manager: an in-memory object source and a mounter that only records. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Mounter } from '../mounter.js';
import type { VolumeSources } from '../types.js';

/** A recorded mount operation. */
export type MountCall =
  | { op: 'tmpfs'; target: string; size: bigint | undefined }
  | { op: 'bind'; source: string; target: string }
  | { op: 'unmount'; target: string };

/** A mounter that mounts nothing but keeps a mount table, so callers see their mounts. */
export class FakeMounter implements Mounter {
  readonly calls: MountCall[] = [];
  readonly table: string[] = [];
  /** Targets whose unmount fails. */
  readonly failUnmount = new Set<string>();

  mountTmpfs(target: string, size: bigint | undefined): Promise<void> {
    this.calls.push({ op: 'tmpfs', target, size });
    this.table.push(target);
    return Promise.resolve();
  }

  bindMount(source: string, target: string): Promise<void> {
    this.calls.push({ op: 'bind', source, target });
    this.table.push(target);
    return Promise.resolve();
  }

  unmount(target: string): Promise<void> {
    this.calls.push({ op: 'unmount', target });
    if (this.failUnmount.has(target)) return Promise.reject(new Error(`umount: ${target}: target is busy.`));
    const i = this.table.lastIndexOf(target);
    if (i >= 0) this.table.splice(i, 1);
    return Promise.resolve();
  }

  mountPoints(): Promise<string[]> {
    return Promise.resolve([...this.table]);
  }
}

/** ConfigMaps, Secrets and tokens held in maps keyed `namespace/name`. */
export class MemorySources implements VolumeSources {
  readonly configMaps = new Map<
    string,
    { data?: Record<string, string>; binaryData?: Record<string, Buffer> }
  >();
  readonly secrets = new Map<string, Record<string, Buffer>>();
  tokenCalls = 0;
  /** Reads of ConfigMaps and Secrets (`configmap ns/name`, `secret ns/name`), in order. */
  readonly reads: string[] = [];
  serviceAccountToken?: VolumeSources['serviceAccountToken'];

  configMap(
    namespace: string,
    name: string,
  ): Promise<{ data: Record<string, string>; binaryData: Record<string, Buffer> } | undefined> {
    this.reads.push(`configmap ${namespace}/${name}`);
    const cm = this.configMaps.get(`${namespace}/${name}`);
    return Promise.resolve(cm && { data: cm.data ?? {}, binaryData: cm.binaryData ?? {} });
  }

  secret(namespace: string, name: string): Promise<{ data: Record<string, Buffer> } | undefined> {
    this.reads.push(`secret ${namespace}/${name}`);
    const s = this.secrets.get(`${namespace}/${name}`);
    return Promise.resolve(s && { data: s });
  }

  /** Enables tokens: each call returns `token-<n>`. */
  enableTokens(): void {
    this.serviceAccountToken = (ns, sa, aud, exp) => {
      this.tokenCalls++;
      return Promise.resolve(`token-${this.tokenCalls}:${ns}/${sa}/${aud}/${exp}`);
    };
  }
}

/** A fresh temporary directory and its cleanup. */
export async function tempDir(prefix = 'k8ts-vol-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
