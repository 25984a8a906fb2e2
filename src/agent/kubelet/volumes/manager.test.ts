import type { Pod, Volume } from 'kubernetes-types/core/v1.js';
import { lstat, mkdir, readFile, readdir, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failedMountMessage, HostVolumeManager } from './manager.js';
import { FakeMounter, MemorySources, tempDir } from './testing/fakes.js';
import { VolumeError, type VolumeContext } from './types.js';

const ctx: VolumeContext = {
  hostIP: '10.0.0.1',
  podIPs: ['10.42.0.5'],
  nodeAllocatable: { memory: '8Gi', cpu: '2' },
};

function pod(volumes: Volume[], extra: Partial<Pod> = {}): Pod {
  return {
    metadata: { name: 'web', namespace: 'ns', uid: 'uid-1', labels: { app: 'web', tier: 'front' } },
    spec: {
      containers: [{ name: 'c', image: 'x', resources: { limits: { memory: '256Mi', cpu: '500m' } } }],
      volumes,
    },
    ...extra,
  };
}

describe('HostVolumeManager', () => {
  let dataDir: string;
  let cleanup: () => Promise<void>;
  let sources: MemorySources;
  let mounter: FakeMounter;
  let mgr: HostVolumeManager;
  let clock: number;

  beforeEach(async () => {
    ({ dir: dataDir, cleanup } = await tempDir());
    sources = new MemorySources();
    mounter = new FakeMounter();
    clock = Date.UTC(2026, 10, 29, 10, 0, 0);
    mgr = new HostVolumeManager({ dataDir, sources, mounter, now: () => clock });
  });
  afterEach(async () => cleanup());

  const podDir = () => path.join(dataDir, 'agent/pods/uid-1');
  const mode = async (p: string) => (await stat(p)).mode & 0o7777;
  const failure = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      expect(err).toBeInstanceOf(VolumeError);
      return err as VolumeError;
    }
    throw new Error('expected a VolumeError');
  };

  describe('configMap', () => {
    it('projects every key (data and binaryData) with the default mode 0644, read-only', async () => {
      sources.configMaps.set('ns/cfg', {
        data: { 'a.conf': 'A' },
        binaryData: { 'b.bin': Buffer.from([0, 1, 2]) },
      });
      const vols = await mgr.setUp(pod([{ name: 'cfg', configMap: { name: 'cfg' } }]), ctx);
      const v = vols.get('cfg');
      expect(v).toEqual({
        hostPath: path.join(podDir(), 'volumes/kubernetes.io~configmap/cfg'),
        readOnly: true,
        plugin: 'kubernetes.io~configmap',
      });
      const dir = v?.hostPath ?? '';
      expect(await readFile(path.join(dir, 'a.conf'), 'utf8')).toBe('A');
      expect([...(await readFile(path.join(dir, 'b.bin')))]).toEqual([0, 1, 2]);
      expect(await mode(path.join(dir, 'a.conf'))).toBe(0o644);
      expect(await readlink(path.join(dir, 'a.conf'))).toBe('..data/a.conf');
      expect(mounter.calls).toEqual([]);
    });

    it('projects only the listed items, at their paths and modes', async () => {
      sources.configMaps.set('ns/cfg', { data: { a: 'A', b: 'B', c: 'C' } });
      const vols = await mgr.setUp(
        pod([
          {
            name: 'cfg',
            configMap: {
              name: 'cfg',
              defaultMode: 0o440,
              items: [
                { key: 'a', path: 'conf/a.txt', mode: 0o400 },
                { key: 'b', path: 'b' },
              ],
            },
          },
        ]),
        ctx,
      );
      const dir = vols.get('cfg')?.hostPath ?? '';
      expect((await readdir(dir)).filter((n) => !n.startsWith('..')).sort()).toEqual(['b', 'conf']);
      expect(await readFile(path.join(dir, 'conf/a.txt'), 'utf8')).toBe('A');
      expect(await mode(path.join(dir, 'conf/a.txt'))).toBe(0o400);
      expect(await mode(path.join(dir, 'b'))).toBe(0o440);
    });

    it('fails with upstream wording for a missing ConfigMap or key', async () => {
      const err = await failure(mgr.setUp(pod([{ name: 'cfg', configMap: { name: 'nope' } }]), ctx));
      expect(err.volume).toBe('cfg');
      expect(err.message).toBe('configmap "nope" not found');
      expect(failedMountMessage(err)).toBe(
        'MountVolume.SetUp failed for volume "cfg" : configmap "nope" not found',
      );
      // Nothing is created for a volume that could not be set up.
      await expect(stat(path.join(podDir(), 'volumes/kubernetes.io~configmap/cfg'))).rejects.toThrow();

      sources.configMaps.set('ns/cfg', { data: { a: 'A' } });
      const keyErr = await failure(
        mgr.setUp(pod([{ name: 'cfg', configMap: { name: 'cfg', items: [{ key: 'zz', path: 'z' }] } }]), ctx),
      );
      expect(keyErr.message).toBe('configmap references non-existent config key: zz');
    });

    it('gives an empty volume for a missing optional ConfigMap and skips missing optional keys', async () => {
      const vols = await mgr.setUp(pod([{ name: 'cfg', configMap: { name: 'nope', optional: true } }]), ctx);
      const dir = vols.get('cfg')?.hostPath ?? '';
      expect((await readdir(dir)).filter((n) => !n.startsWith('..'))).toEqual([]);

      sources.configMaps.set('ns/cfg', { data: { a: 'A' } });
      const again = await mgr.setUp(
        pod([
          {
            name: 'cfg',
            configMap: {
              name: 'cfg',
              optional: true,
              items: [
                { key: 'a', path: 'a' },
                { key: 'gone', path: 'g' },
              ],
            },
          },
        ]),
        ctx,
      );
      const d2 = again.get('cfg')?.hostPath ?? '';
      expect((await readdir(d2)).filter((n) => !n.startsWith('..'))).toEqual(['a']);
    });

    it('updates in place on a later sync, and only when the ConfigMap changed', async () => {
      sources.configMaps.set('ns/cfg', { data: { a: '1' } });
      const p = pod([{ name: 'cfg', configMap: { name: 'cfg' } }]);
      const dir = (await mgr.setUp(p, ctx)).get('cfg')?.hostPath ?? '';
      const v1 = await readlink(path.join(dir, '..data'));

      clock += 31_000;
      await mgr.setUp(p, ctx);
      expect(await readlink(path.join(dir, '..data'))).toBe(v1);

      sources.configMaps.set('ns/cfg', { data: { a: '2', b: 'new' } });
      clock += 31_000;
      await mgr.setUp(p, ctx);
      const v2 = await readlink(path.join(dir, '..data'));
      expect(v2).not.toBe(v1);
      expect(v2).toMatch(/^\.\.2026_11_29_10_01_02\./);
      expect(await readFile(path.join(dir, 'a'), 'utf8')).toBe('2');
      expect(await readFile(path.join(dir, 'b'), 'utf8')).toBe('new');
      expect((await readdir(dir)).filter((n) => n.startsWith('..2'))).toEqual([v2]);
    });

    it('reads the ConfigMap again only once the last read is 30 s old; a new pod reads it fresh', async () => {
      sources.configMaps.set('ns/cfg', { data: { a: '1' } });
      const p = pod([{ name: 'cfg', configMap: { name: 'cfg' } }]);
      const dir = (await mgr.setUp(p, ctx)).get('cfg')?.hostPath ?? '';
      expect(sources.reads).toEqual(['configmap ns/cfg']);

      sources.configMaps.set('ns/cfg', { data: { a: '2' } });
      clock += 10_000;
      await mgr.setUp(p, ctx);
      expect(sources.reads).toHaveLength(1);
      expect(await readFile(path.join(dir, 'a'), 'utf8')).toBe('1');

      // Another pod using the same ConfigMap gets today's content, and so then does the first one.
      const other = pod([{ name: 'cfg', configMap: { name: 'cfg' } }]);
      other.metadata = { ...other.metadata, name: 'other', uid: 'uid-2' };
      const otherDir = (await mgr.setUp(other, ctx)).get('cfg')?.hostPath ?? '';
      expect(await readFile(path.join(otherDir, 'a'), 'utf8')).toBe('2');
      expect(sources.reads).toHaveLength(2);
      await mgr.setUp(p, ctx);
      expect(await readFile(path.join(dir, 'a'), 'utf8')).toBe('2');
      expect(sources.reads).toHaveLength(2);

      clock += 30_000;
      await mgr.setUp(p, ctx);
      await mgr.setUp(other, ctx);
      expect(sources.reads).toHaveLength(3);
    });

    it('keeps the last content when the ConfigMap disappears, and reports it', async () => {
      sources.configMaps.set('ns/cfg', { data: { a: '1' } });
      const p = pod([{ name: 'cfg', configMap: { name: 'cfg' } }]);
      const dir = (await mgr.setUp(p, ctx)).get('cfg')?.hostPath ?? '';
      sources.configMaps.delete('ns/cfg');
      clock += 31_000;
      expect((await failure(mgr.setUp(p, ctx))).message).toBe('configmap "cfg" not found');
      expect(await readFile(path.join(dir, 'a'), 'utf8')).toBe('1');
    });

    it('reads a ConfigMap again at each sync while the volume could not be set up', async () => {
      const p = pod([{ name: 'cfg', configMap: { name: 'cfg' } }]);
      expect((await failure(mgr.setUp(p, ctx))).message).toBe('configmap "cfg" not found');
      sources.configMaps.set('ns/cfg', { data: { a: '1' } });
      clock += 2000;
      const dir = (await mgr.setUp(p, ctx)).get('cfg')?.hostPath ?? '';
      expect(await readFile(path.join(dir, 'a'), 'utf8')).toBe('1');
    });

    it('writes nothing on a later sync when the content is unchanged', async () => {
      sources.configMaps.set('ns/cfg', { data: { a: '1' } });
      const p = pod([{ name: 'cfg', configMap: { name: 'cfg' } }]);
      const dir = (await mgr.setUp(p, ctx)).get('cfg')?.hostPath ?? '';
      const before = (await lstat(path.join(dir, '..data'))).mtimeMs;
      clock += 60_000;
      await mgr.setUp(p, ctx);
      expect((await lstat(path.join(dir, '..data'))).mtimeMs).toBe(before);
    });
  });

  describe('secret', () => {
    it('projects secret data with mode 0644 by default, on tmpfs', async () => {
      sources.secrets.set('ns/s', { password: Buffer.from('hunter2') });
      const dir =
        (await mgr.setUp(pod([{ name: 's', secret: { secretName: 's' } }]), ctx)).get('s')?.hostPath ?? '';
      expect(dir).toBe(path.join(podDir(), 'volumes/kubernetes.io~secret/s'));
      expect(await readFile(path.join(dir, 'password'), 'utf8')).toBe('hunter2');
      expect(await mode(path.join(dir, 'password'))).toBe(0o644);
      // Sized like upstream: the pod's memory limit (256Mi) is below node allocatable (8Gi).
      expect(mounter.calls).toEqual([{ op: 'tmpfs', target: dir, size: 256n * 1024n * 1024n }]);
      // A later sync does not mount again.
      await mgr.setUp(pod([{ name: 's', secret: { secretName: 's' } }]), ctx);
      expect(mounter.calls).toHaveLength(1);
    });

    it('stays on disk when secretsInMemory is false', async () => {
      mgr = new HostVolumeManager({ dataDir, sources, mounter, secretsInMemory: false });
      sources.secrets.set('ns/s', { k: Buffer.from('v') });
      await mgr.setUp(pod([{ name: 's', secret: { secretName: 's', defaultMode: 0o400 } }]), ctx);
      expect(mounter.calls).toEqual([]);
      expect(await mode(path.join(podDir(), 'volumes/kubernetes.io~secret/s/k'))).toBe(0o400);
    });

    it('fails with upstream wording for a missing Secret or key; optional is fine', async () => {
      expect((await failure(mgr.setUp(pod([{ name: 's', secret: { secretName: 'x' } }]), ctx))).message).toBe(
        'secret "x" not found',
      );
      sources.secrets.set('ns/x', { a: Buffer.from('1') });
      const err = await failure(
        mgr.setUp(pod([{ name: 's', secret: { secretName: 'x', items: [{ key: 'b', path: 'b' }] } }]), ctx),
      );
      expect(err.message).toBe('references non-existent secret key: b');
      const ok = await mgr.setUp(pod([{ name: 's', secret: { secretName: 'y', optional: true } }]), ctx);
      expect(ok.get('s')?.readOnly).toBe(true);
    });
  });

  describe('downwardAPI', () => {
    const downward: Volume = {
      name: 'info',
      downwardAPI: {
        items: [
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
          { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
          { path: 'app', fieldRef: { fieldPath: "metadata.labels['app']" } },
          { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' }, mode: 0o400 },
          {
            path: 'mem',
            resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' },
          },
          { path: 'cpu', resourceFieldRef: { containerName: 'c', resource: 'limits.cpu', divisor: '1m' } },
        ],
      },
    };

    it('writes metadata and resources as upstream formats them', async () => {
      const p = pod([downward]);
      p.metadata = { ...p.metadata, annotations: { note: 'say "hi"\n' } };
      const dir = (await mgr.setUp(p, ctx)).get('info')?.hostPath ?? '';
      expect(dir).toBe(path.join(podDir(), 'volumes/kubernetes.io~downward-api/info'));
      const read = (n: string) => readFile(path.join(dir, n), 'utf8');
      expect(await read('labels')).toBe('app="web"\ntier="front"');
      expect(await read('annotations')).toBe('note="say \\"hi\\"\\n"');
      expect(await mode(path.join(dir, 'annotations'))).toBe(0o400);
      expect(await read('name')).toBe('web');
      expect(await read('app')).toBe('web');
      expect(await read('mem')).toBe('256');
      expect(await read('cpu')).toBe('500');
    });

    it('follows label changes on the next sync', async () => {
      const p = pod([downward]);
      const dir = (await mgr.setUp(p, ctx)).get('info')?.hostPath ?? '';
      p.metadata = { ...p.metadata, labels: { app: 'web', tier: 'back' } };
      await mgr.setUp(p, ctx);
      expect(await readFile(path.join(dir, 'labels'), 'utf8')).toBe('app="web"\ntier="back"');
    });

    it('reports an unsupported field and an unknown container', async () => {
      const err = await failure(
        mgr.setUp(
          pod([
            {
              name: 'info',
              downwardAPI: {
                items: [
                  { path: 'ip', fieldRef: { fieldPath: 'status.podIP' } },
                  { path: 'm', resourceFieldRef: { containerName: 'nope', resource: 'limits.memory' } },
                ],
              },
            },
          ]),
          ctx,
        ),
      );
      expect(err.message).toBe('[unsupported fieldPath: status.podIP, container nope not found]');
    });
  });

  describe('projected', () => {
    it('merges its sources in order, on tmpfs', async () => {
      sources.configMaps.set('ns/cfg', { data: { shared: 'from-cm', only: 'cm' } });
      sources.secrets.set('ns/sec', { shared: Buffer.from('from-secret') });
      sources.enableTokens();
      const vol: Volume = {
        name: 'all',
        projected: {
          defaultMode: 0o444,
          sources: [
            { configMap: { name: 'cfg' } },
            { secret: { name: 'sec' } },
            { downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
            { serviceAccountToken: { path: 'token', audience: 'api', expirationSeconds: 3600 } },
          ],
        },
      };
      const p = pod([vol]);
      p.spec = { ...p.spec, containers: p.spec?.containers ?? [], serviceAccountName: 'robot' };
      const dir = (await mgr.setUp(p, ctx)).get('all')?.hostPath ?? '';
      const read = (n: string) => readFile(path.join(dir, n), 'utf8');
      expect(await read('shared')).toBe('from-secret');
      expect(await read('only')).toBe('cm');
      expect(await read('ns')).toBe('ns');
      expect(await read('token')).toBe('token-1:ns/robot/api/3600');
      expect(await mode(path.join(dir, 'token'))).toBe(0o444);
      expect(mounter.calls.map((c) => c.op)).toEqual(['tmpfs']);

      // The token is reused while fresh, and renewed at 80% of its lifetime.
      const version = await readlink(path.join(dir, '..data'));
      clock += 1000 * 60 * 30;
      await mgr.setUp(p, ctx);
      expect(sources.tokenCalls).toBe(1);
      expect(await readlink(path.join(dir, '..data'))).toBe(version);
      clock += 1000 * 60 * 19;
      await mgr.setUp(p, ctx);
      expect(sources.tokenCalls).toBe(2);
      expect(await read('token')).toBe('token-2:ns/robot/api/3600');
    });

    it('fails clearly when no token source is configured, and aggregates several failures', async () => {
      const err = await failure(
        mgr.setUp(
          pod([
            {
              name: 'kube-api-access',
              projected: {
                sources: [{ serviceAccountToken: { path: 'token' } }, { configMap: { name: 'x' } }],
              },
            },
          ]),
          ctx,
        ),
      );
      expect(err.volume).toBe('kube-api-access');
      expect(err.message).toBe(
        '[cannot project a token of service account "default": this node agent has no service account token source, ' +
          'configmap "x" not found]',
      );
    });

    it('accepts a missing optional source', async () => {
      const vols = await mgr.setUp(
        pod([{ name: 'p', projected: { sources: [{ secret: { name: 'x', optional: true } }] } }]),
        ctx,
      );
      expect(vols.get('p')?.plugin).toBe('kubernetes.io~projected');
    });
  });

  describe('emptyDir', () => {
    it('is a world-writable directory on disk', async () => {
      const v = (await mgr.setUp(pod([{ name: 'scratch', emptyDir: {} }]), ctx)).get('scratch');
      expect(v).toEqual({
        hostPath: path.join(podDir(), 'volumes/kubernetes.io~empty-dir/scratch'),
        readOnly: false,
        plugin: 'kubernetes.io~empty-dir',
      });
      expect(await mode(v?.hostPath ?? '')).toBe(0o777);
      expect(mounter.calls).toEqual([]);
    });

    it('treats a volume without a source as an emptyDir (API defaulting)', async () => {
      expect((await mgr.setUp(pod([{ name: 'x' }]), ctx)).get('x')?.plugin).toBe('kubernetes.io~empty-dir');
    });

    it('mounts a tmpfs for medium Memory, sized by the smallest of node, pod limit and sizeLimit', async () => {
      const dir = path.join(podDir(), 'volumes/kubernetes.io~empty-dir');
      await mgr.setUp(pod([{ name: 'small', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } }]), ctx);
      await mgr.setUp(pod([{ name: 'big', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } }]), ctx);
      const unlimited = pod([{ name: 'free', emptyDir: { medium: 'Memory' } }]);
      unlimited.spec = { ...unlimited.spec, containers: [{ name: 'c', image: 'x' }] };
      await mgr.setUp(unlimited, ctx);
      expect(mounter.calls).toEqual([
        { op: 'tmpfs', target: path.join(dir, 'small'), size: 64n * 1024n * 1024n },
        { op: 'tmpfs', target: path.join(dir, 'big'), size: 256n * 1024n * 1024n },
        { op: 'tmpfs', target: path.join(dir, 'free'), size: 8n * 1024n * 1024n * 1024n },
      ]);
    });

    it('rejects media this node does not offer', async () => {
      const err = await failure(mgr.setUp(pod([{ name: 'h', emptyDir: { medium: 'HugePages' } }]), ctx));
      expect(err.message).toBe('emptyDir medium "HugePages" is not supported by this node agent');
    });
  });

  it('returns hostPath volumes as they are', async () => {
    const v = (
      await mgr.setUp(pod([{ name: 'h', hostPath: { path: dataDir, type: 'Directory' } }]), ctx)
    ).get('h');
    expect(v).toEqual({ hostPath: dataDir, readOnly: false, plugin: 'kubernetes.io~host-path' });
    const err = await failure(
      mgr.setUp(pod([{ name: 'h', hostPath: { path: `${dataDir}/nope`, type: 'File' } }]), ctx),
    );
    expect(err.message).toBe(`hostPath type check failed: ${dataDir}/nope is not a file`);
  });

  it('reports volume types it does not support, and still sets up the others', async () => {
    const err = await failure(
      mgr.setUp(
        pod([
          { name: 'data', persistentVolumeClaim: { claimName: 'pvc' } },
          { name: 'scratch', emptyDir: {} },
        ]),
        ctx,
      ),
    );
    expect(err.volume).toBe('data');
    expect(err.message).toBe('volume type persistentVolumeClaim is not supported by this node agent');
    expect((await stat(path.join(podDir(), 'volumes/kubernetes.io~empty-dir/scratch'))).isDirectory()).toBe(
      true,
    );
  });

  describe('tearDown and podsOnDisk', () => {
    it('lists pods with directories and removes a pod entirely, unmounting first', async () => {
      sources.secrets.set('ns/s', { k: Buffer.from('v') });
      await mgr.setUp(
        pod([
          { name: 'mem', emptyDir: { medium: 'Memory' } },
          { name: 's', secret: { secretName: 's' } },
        ]),
        ctx,
      );
      const other = pod([]);
      other.metadata = { ...other.metadata, uid: 'uid-2' };
      await mgr.setUp(other, ctx);
      expect((await mgr.podsOnDisk()).sort()).toEqual(['uid-1', 'uid-2']);

      // A mount outside the pod directory is never touched.
      mounter.table.push('/somewhere/else');
      await mgr.tearDown('uid-1');
      expect(
        mounter.calls
          .filter((c) => c.op === 'unmount')
          .map((c) => c.target)
          .sort(),
      ).toEqual([
        path.join(podDir(), 'volumes/kubernetes.io~empty-dir/mem'),
        path.join(podDir(), 'volumes/kubernetes.io~secret/s'),
      ]);
      expect(mounter.table).toEqual(['/somewhere/else']);
      await expect(lstat(podDir())).rejects.toThrow();
      expect(await mgr.podsOnDisk()).toEqual(['uid-2']);
      await mgr.tearDown('uid-1');
      await mgr.tearDown('never-existed');
    });

    it('never follows symlinks out of the pod directory', async () => {
      const outside = path.join(dataDir, 'precious');
      await mkdir(outside);
      await writeFile(path.join(outside, 'keep.txt'), 'keep');
      const dir = (await mgr.setUp(pod([{ name: 'e', emptyDir: {} }]), ctx)).get('e')?.hostPath ?? '';
      await symlink(outside, path.join(dir, 'escape'));
      await symlink(path.join(outside, 'keep.txt'), path.join(dir, 'file-escape'));
      await mgr.tearDown('uid-1');
      expect(await readFile(path.join(outside, 'keep.txt'), 'utf8')).toBe('keep');
      await expect(lstat(podDir())).rejects.toThrow();
    });

    it('keeps the directory when an unmount fails', async () => {
      await mgr.setUp(pod([{ name: 'mem', emptyDir: { medium: 'Memory' } }]), ctx);
      const target = path.join(podDir(), 'volumes/kubernetes.io~empty-dir/mem');
      mounter.failUnmount.add(target);
      await expect(mgr.tearDown('uid-1')).rejects.toThrow('target is busy');
      expect((await stat(target)).isDirectory()).toBe(true);
      mounter.failUnmount.clear();
      await mgr.tearDown('uid-1');
      await expect(lstat(podDir())).rejects.toThrow();
    });

    it('refuses pod UIDs that are not a single path segment', async () => {
      await expect(mgr.tearDown('..')).rejects.toThrow('invalid pod UID');
      await expect(mgr.tearDown('a/b')).rejects.toThrow('invalid pod UID');
    });
  });
});
