/**
 * Test hosts: each is a network namespace the test creates (`k8ts-t-<pid>-<hex>`, loopback up) plus a
 * scratch directory and a cgroup prefix of the same name. Commands and long-lived processes
 * (containerd, a k8ts server) run inside it through `nsenter --net=…`, so the machine's own network
 * and iptables stay untouched: a containerd there creates its pod bridge and NAT rules inside the
 * namespace.
 *
 * Why nsenter and not `ip netns exec`: the latter also enters a new mount namespace and remounts
 * /sys, which hides /sys/fs/cgroup, and runc then cannot create cgroups.
 *
 * `destroy()` leaves nothing behind: it runs the test's cleanup hooks (e.g. remove pods through CRI,
 * stop containerd), kills by PID what is still running in the namespace (shims, and the containers
 * below them), unmounts what is mounted under the scratch dir, removes the cgroups under the prefix,
 * shim sockets, CNI result cache entries (when the IPAM data dir is in the scratch dir, as
 * test/support/containerd.ts sets it), the namespace and the directory. Hosts of a test process that died are swept the
 * next time a host is created; a process exit kills what the host still runs.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What a command run to completion returned. */
export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link TestHost.exec}. */
export interface ExecOptions {
  /** Kill it after this long (default 30 s). */
  timeoutMs?: number;
  /** Written to its stdin. */
  input?: string;
  /** Throw unless it exits 0 (default false). */
  check?: boolean;
}

/** Options of {@link TestHost.link}. */
export interface LinkOptions {
  /** This host's address with prefix (`192.168.77.1/24`). */
  address: string;
  /** The peer's address with prefix (`192.168.77.2/24`). */
  peerAddress: string;
}

/** A network-namespace test host. */
export interface TestHost {
  /** The namespace name (also the scratch dir and cgroup prefix name). */
  readonly name: string;
  /** `/run/netns/<name>` */
  readonly netnsPath: string;
  /** Scratch directory for data dirs, configs and logs; removed by destroy(). */
  readonly dir: string;
  /** A cgroup path prefix for this host's pods (`/k8ts-t-…`); removed in every hierarchy by destroy(). */
  readonly cgroupRoot: string;
  /** `argv` prefixed so that it runs inside the namespace (for supervisors that spawn themselves). */
  wrap(argv: string[]): string[];
  /** Runs a command to completion inside the namespace. */
  exec(command: string, args?: string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Starts a long-lived process inside the namespace; destroy() stops it by PID. */
  spawn(command: string, args?: string[], opts?: SpawnOptions): ChildProcess;
  /** Registers cleanup run first by destroy(), last registered first. */
  onDestroy(fn: () => Promise<void> | void): void;
  /**
   * HTTP GET from inside the namespace (with Node itself: no curl needed, and Debian's static busybox
   * wget crashes here); resolves with the status and body, rejects on connection errors.
   */
  httpGet(url: string, timeoutMs?: number): Promise<{ status: number; body: string }>;
  /** Connects this host and `peer` with a veth pair and addresses both ends. */
  link(peer: TestHost, opts: LinkOptions): Promise<void>;
  /** Tears everything down (idempotent); throws with what it could not clean. */
  destroy(): Promise<void>;
}

const NAME_RE = /^k8ts-t-(\d+)-[0-9a-f]+$/;
const NETNS_DIR = '/run/netns';
const live = new Map<string, () => void>();
let exitHookInstalled = false;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** True while the process exists and is not a zombie (PID 1 here may never reap orphans). */
function pidAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function runSync(command: string, args: string[]): { code: number | null; out: string } {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

/** All PIDs on the machine with their parent PID. */
function processTable(): Map<number, number> {
  const table = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(entry), Number(fields[1]));
    } catch {
      // the process ended while we looked
    }
  }
  return table;
}

/** The inode that identifies a network namespace file, or undefined. */
function netnsInode(file: string): number | undefined {
  try {
    return fs.statSync(file).ino;
  } catch {
    return undefined;
  }
}

/** PIDs living in the namespace with this inode, plus all their descendants (containers of shims). */
function processesOf(inode: number): number[] {
  const table = processTable();
  const found = new Set<number>();
  for (const pid of table.keys()) {
    if (pid === process.pid) continue;
    try {
      const link = fs.readlinkSync(`/proc/${pid}/ns/net`);
      if (link === `net:[${inode}]`) found.add(pid);
    } catch {
      // gone, or a kernel thread
    }
  }
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of table) {
      if (!found.has(pid) && found.has(ppid) && pid !== process.pid) {
        found.add(pid);
        grew = true;
      }
    }
  }
  return [...found];
}

function cmdline(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/**
 * containerd shim v2 listens on /run/containerd/s/<sha256(address/namespace/id)>; a SIGKILLed shim
 * leaves that socket behind. Returns the socket paths of the shims among `pids`.
 */
function shimSockets(pids: number[]): string[] {
  const sockets: string[] = [];
  for (const pid of pids) {
    const args = cmdline(pid);
    if (!args[0]?.includes('containerd-shim')) continue;
    const opt = (flag: string): string | undefined => {
      const i = args.indexOf(flag);
      return i >= 0 ? args[i + 1] : undefined;
    };
    const address = opt('-address');
    const ns = opt('-namespace');
    const id = opt('-id');
    if (!address || !ns || !id) continue;
    const hash = crypto
      .createHash('sha256')
      .update(path.join(address, ns, id))
      .digest('hex');
    sockets.push(`/run/containerd/s/${hash}`);
  }
  return sockets;
}

/** SIGKILLs the processes and waits (bounded) until they are gone. */
async function killAll(pids: number[], timeoutMs = 10_000): Promise<number[]> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + timeoutMs;
  let left = pids.filter(pidAlive);
  while (left.length > 0 && Date.now() < deadline) {
    await delay(20);
    left = left.filter(pidAlive);
  }
  return left;
}

/** Mount points at or below `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  const points: string[] = [];
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = line.split(' ')[4];
    if (!mp) continue;
    const decoded = mp.replace(/\\(\d{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
    if (decoded === dir || decoded.startsWith(`${dir}/`)) points.push(decoded);
  }
  return points.sort((a, b) => b.length - a.length);
}

/** The mount points of the cgroup hierarchies (v1 controllers and the v2 unified one). */
function cgroupMounts(): string[] {
  const points: string[] = [];
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [before, after] = line.split(' - ');
    const fstype = after?.split(' ')[0];
    const mp = before?.split(' ')[4];
    if (mp && (fstype === 'cgroup' || fstype === 'cgroup2')) points.push(mp);
  }
  return points;
}

/** Removes a cgroup directory tree bottom-up; returns the directories it could not remove. */
function removeCgroupTree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const failed: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) failed.push(...removeCgroupTree(path.join(dir, entry.name)));
  }
  try {
    fs.rmdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') failed.push(dir);
  }
  return failed;
}

const CNI_RESULTS_DIR = '/var/lib/cni/results';

/**
 * libcni caches each attachment's result in /var/lib/cni/results until the CNI DEL that a killed
 * containerd never ran. Removes the entries whose network config points into `dir` (our IPAM data
 * dir), with the loopback entry of the same container.
 */
function removeCniResults(dir: string): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(CNI_RESULTS_DIR);
  } catch {
    return;
  }
  for (const entry of entries) {
    try {
      const cached = JSON.parse(fs.readFileSync(path.join(CNI_RESULTS_DIR, entry), 'utf8')) as {
        containerId?: unknown;
        config?: unknown;
      };
      if (typeof cached.config !== 'string' || typeof cached.containerId !== 'string') continue;
      if (!Buffer.from(cached.config, 'base64').toString('utf8').includes(`${dir}/`)) continue;
      fs.rmSync(path.join(CNI_RESULTS_DIR, entry), { force: true });
      fs.rmSync(path.join(CNI_RESULTS_DIR, `cni-loopback-${cached.containerId}-lo`), { force: true });
    } catch {
      // not a cache entry we understand: leave it
    }
  }
}

/** Kills, unmounts and deletes everything of the host `name`; returns problems it could not fix. */
async function teardown(name: string, extraPids: number[] = []): Promise<string[]> {
  const problems: string[] = [];
  const netnsPath = path.join(NETNS_DIR, name);
  const dir = path.join(os.tmpdir(), name);
  const inode = netnsInode(netnsPath);
  const pids = [
    ...new Set([...extraPids.filter(pidAlive), ...(inode === undefined ? [] : processesOf(inode))]),
  ];
  const sockets = shimSockets(pids);
  const left = await killAll(pids);
  if (left.length > 0) problems.push(`processes still alive: ${left.join(', ')}`);
  for (const socket of sockets) fs.rmSync(socket, { force: true });
  removeCniResults(dir);
  for (const mp of mountsUnder(dir)) {
    const r = runSync('umount', ['-l', mp]);
    if (r.code !== 0) problems.push(`umount ${mp}: ${r.out}`);
  }
  const cgroupRoot = `/${name}`;
  for (const hierarchy of cgroupMounts()) {
    const target = path.join(hierarchy, cgroupRoot);
    let failed = removeCgroupTree(target);
    const deadline = Date.now() + 5000;
    while (failed.length > 0 && Date.now() < deadline) {
      await delay(50);
      failed = removeCgroupTree(target);
    }
    if (failed.length > 0) problems.push(`cgroups not removed: ${failed.join(', ')}`);
  }
  if (inode !== undefined) {
    const r = runSync('ip', ['netns', 'delete', name]);
    if (r.code !== 0) problems.push(`ip netns delete ${name}: ${r.out}`);
  }
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch (err) {
    problems.push(`rm ${dir}: ${(err as Error).message}`);
  }
  return problems;
}

/** Tears down hosts whose creating test process is gone (a crashed or killed test run). */
export async function sweepStaleTestHosts(): Promise<void> {
  const names = new Set<string>();
  for (const base of [NETNS_DIR, os.tmpdir()]) {
    let entries: string[] = [];
    try {
      entries = fs.readdirSync(base);
    } catch {
      continue;
    }
    for (const entry of entries) {
      const m = NAME_RE.exec(entry);
      if (m && !pidAlive(Number(m[1]))) names.add(entry);
    }
  }
  for (const name of names) {
    const problems = await teardown(name);
    if (problems.length > 0) console.warn(`sweeping stale test host ${name}: ${problems.join('; ')}`);
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const kill of live.values()) kill();
  });
}

/** Creates a test host: a fresh network namespace with loopback up, a scratch dir, a cgroup prefix. */
export async function createTestHost(): Promise<TestHost> {
  if (process.getuid?.() !== 0) throw new Error('test hosts need root (network namespaces, cgroups, mounts)');
  await sweepStaleTestHosts();
  installExitHook();
  const name = `k8ts-t-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  const netnsPath = path.join(NETNS_DIR, name);
  const dir = path.join(os.tmpdir(), name);
  const children = new Set<ChildProcess>();
  const hooks: (() => Promise<void> | void)[] = [];
  let destroyed: Promise<void> | undefined;

  const add = runSync('ip', ['netns', 'add', name]);
  if (add.code !== 0) throw new Error(`ip netns add ${name}: ${add.out}`);
  live.set(name, () => {
    // Synchronous last resort at process exit: stop what runs there; the sweeper does the rest.
    const inode = netnsInode(netnsPath);
    const pids = [...children].map((c) => c.pid).filter((p): p is number => p !== undefined);
    const all = [...pids, ...(inode === undefined ? [] : processesOf(inode))];
    const sockets = shimSockets(all);
    for (const pid of all) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (const socket of sockets) fs.rmSync(socket, { force: true });
    spawnSync('ip', ['netns', 'delete', name]);
  });
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });

  const wrap = (argv: string[]): string[] => ['nsenter', `--net=${netnsPath}`, '--', ...argv];

  const exec = (command: string, args: string[] = [], opts: ExecOptions = {}): Promise<ExecResult> =>
    new Promise((resolve, reject) => {
      const [cmd, ...rest] = wrap([command, ...args]) as [string, ...string[]];
      const child = spawn(cmd, rest, {
        stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        const result = { code, signal, stdout, stderr };
        if (opts.check && code !== 0) {
          reject(
            new Error(
              `${[command, ...args].join(' ')} (in ${name}) exited ${code ?? signal}: ${stderr || stdout}`,
            ),
          );
        } else resolve(result);
      });
      if (child.stdin) {
        // a command may exit without reading its input
        child.stdin.on('error', () => undefined);
        child.stdin.end(opts.input);
      }
    });

  const host: TestHost = {
    name,
    netnsPath,
    dir,
    cgroupRoot: `/${name}`,
    wrap,
    exec,
    spawn(command, args = [], opts = {}) {
      const [cmd, ...rest] = wrap([command, ...args]) as [string, ...string[]];
      const child = spawn(cmd, rest, opts);
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    onDestroy(fn) {
      hooks.push(fn);
    },
    async httpGet(url, timeoutMs = 5000) {
      const script = `
        const req = require('node:http').get(process.argv[1], { timeout: Number(process.argv[2]) }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (body += d));
          res.on('end', () => process.stdout.write(JSON.stringify({ status: res.statusCode, body })));
        });
        req.on('timeout', () => req.destroy(new Error('timed out')));
        req.on('error', (e) => { process.stderr.write(e.message); process.exit(1); });`;
      const r = await exec(process.execPath, ['-e', script, url, String(timeoutMs)], {
        timeoutMs: timeoutMs + 5000,
      });
      if (r.code !== 0)
        throw new Error(`GET ${url} from ${name}: ${r.stderr.trim() || `exit ${r.code ?? r.signal}`}`);
      return JSON.parse(r.stdout) as { status: number; body: string };
    },
    async link(peer, opts) {
      const tag = crypto.randomBytes(3).toString('hex');
      const here = `kv${tag}a`;
      const there = `kv${tag}b`;
      const add = runSync('ip', [
        'link',
        'add',
        here,
        'netns',
        name,
        'type',
        'veth',
        'peer',
        'name',
        there,
        'netns',
        peer.name,
      ]);
      if (add.code !== 0) throw new Error(`veth ${name} <-> ${peer.name}: ${add.out}`);
      await exec('ip', ['addr', 'add', opts.address, 'dev', here], { check: true });
      await exec('ip', ['link', 'set', here, 'up'], { check: true });
      await peer.exec('ip', ['addr', 'add', opts.peerAddress, 'dev', there], { check: true });
      await peer.exec('ip', ['link', 'set', there, 'up'], { check: true });
    },
    destroy() {
      destroyed ??= (async () => {
        const problems: string[] = [];
        for (const hook of hooks.reverse()) {
          try {
            await hook();
          } catch (err) {
            problems.push(`cleanup hook: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
        const pids = [...children].map((c) => c.pid).filter((p): p is number => p !== undefined);
        for (const child of children) child.kill('SIGTERM');
        const deadline = Date.now() + 5000;
        while (
          [...children].some((c) => c.exitCode === null && c.signalCode === null) &&
          Date.now() < deadline
        ) {
          await delay(20);
        }
        problems.push(...(await teardown(name, pids)));
        live.delete(name);
        if (problems.length > 0) throw new Error(`test host ${name} teardown: ${problems.join('; ')}`);
      })();
      return destroyed;
    },
  };

  try {
    await exec('ip', ['link', 'set', 'lo', 'up'], { check: true });
  } catch (err) {
    await host.destroy().catch(() => undefined);
    throw err;
  }
  return host;
}
