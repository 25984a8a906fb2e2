import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerdConfig, containerdPaths, writeContainerdConfig } from './config.js';

describe('containerd config', () => {
  it('puts root, state and socket under <data-dir>/agent/containerd', () => {
    const p = containerdPaths('/var/lib/k8ts');
    expect(p).toEqual({
      dir: '/var/lib/k8ts/agent/containerd',
      root: '/var/lib/k8ts/agent/containerd/root',
      state: '/var/lib/k8ts/agent/containerd/state',
      socket: '/var/lib/k8ts/agent/containerd/containerd.sock',
      configFile: '/var/lib/k8ts/agent/containerd/containerd.toml',
      pidFile: '/var/lib/k8ts/agent/containerd/containerd.pid',
    });
  });

  it('configures the CRI plugin for this machine', () => {
    const text = containerdConfig({ dataDir: '/d', disableApparmor: true });
    expect(text).toContain('version = 2\n');
    expect(text).toContain('root = "/d/agent/containerd/root"');
    expect(text).toContain('state = "/d/agent/containerd/state"');
    expect(text).toMatch(/\[grpc\]\n {2}address = "\/d\/agent\/containerd\/containerd.sock"/);
    expect(text).toContain('sandbox_image = "k8ts.local/pause:3.10"');
    expect(text).toContain('restrict_oom_score_adj = true');
    expect(text).toContain('disable_apparmor = true');
    expect(text).toContain('stream_server_address = "127.0.0.1"');
    expect(text).toContain('stream_server_port = "0"');
    expect(text).toMatch(/\.containerd\]\n {2}snapshotter = "overlayfs"/);
    expect(text).toMatch(/runtimes\.runc\]\n {2}runtime_type = "io.containerd.runc.v2"/);
    expect(text).toMatch(/runtimes\.runc\.options\]\n {2}SystemdCgroup = false/);
    expect(text).toMatch(/\.cni\]\n {2}bin_dir = "\/usr\/lib\/cni"\n {2}conf_dir = "\/d\/agent\/cni"/);
    expect(text).toMatch(/\.registry\]\n {2}config_path = "\/d\/agent\/etc\/certs.d"/);
  });

  it('leaves out plugins the agent does not use, but never the snapshotter in use', () => {
    const plugins = (text: string): string[] =>
      JSON.parse(/^disabled_plugins = (\[.*\])$/m.exec(text)?.[1] ?? '[]') as string[];
    const defaults = plugins(containerdConfig({ dataDir: '/d', disableApparmor: true }));
    expect(defaults).toEqual(
      expect.arrayContaining([
        'io.containerd.monitor.v1.cgroups',
        'io.containerd.internal.v1.restart',
        'io.containerd.snapshotter.v1.native',
      ]),
    );
    expect(defaults).not.toContain('io.containerd.snapshotter.v1.overlayfs');
    expect(defaults).not.toContain('io.containerd.runtime.v1.linux');
    const native = plugins(containerdConfig({ dataDir: '/d', disableApparmor: true, snapshotter: 'native' }));
    expect(native).not.toContain('io.containerd.snapshotter.v1.native');
    expect(native).toContain('io.containerd.monitor.v1.cgroups');
  });

  it('opens the debug socket only when asked', () => {
    expect(containerdConfig({ dataDir: '/d', disableApparmor: true })).not.toMatch(/^ {2}address = .*debug/m);
    expect(containerdConfig({ dataDir: '/d', disableApparmor: true, debugAddress: '/d/debug.sock' })).toMatch(
      /\[debug\]\n {2}level = "\w+"\n {2}address = "\/d\/debug.sock"/,
    );
  });

  it('takes overrides and escapes strings', () => {
    const text = containerdConfig({
      dataDir: '/d',
      sandboxImage: '127.0.0.1:5000/pause:"x"',
      cniConfDir: '/c',
      cniBinDir: '/b',
      streamServerPort: 10010,
      disableApparmor: false,
    });
    expect(text).toContain('sandbox_image = "127.0.0.1:5000/pause:\\"x\\""');
    expect(text).toContain('conf_dir = "/c"');
    expect(text).toContain('bin_dir = "/b"');
    expect(text).toContain('stream_server_port = "10010"');
    expect(text).toContain('disable_apparmor = false');
  });

  it('writes the file and the directories containerd needs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-ctrd-config-'));
    try {
      const p = writeContainerdConfig({ dataDir: dir, disableApparmor: true });
      expect(fs.readFileSync(p.configFile, 'utf8')).toBe(
        containerdConfig({ dataDir: dir, disableApparmor: true }),
      );
      for (const d of [p.root, p.state, path.join(dir, 'agent/cni'), path.join(dir, 'agent/etc/certs.d')])
        expect(fs.statSync(d).isDirectory()).toBe(true);
      expect(fs.readdirSync(p.dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
