/**
 * The few mount operations volumes need (tmpfs for memory-backed volumes, bind mounts for subPaths,
 * unmount), behind an interface so unit tests can run without root. The system implementation runs
 * util-linux's mount(8)/umount(8) (through a long-lived shell, see shell-helper.ts) and reads the mount
 * table from /proc/self/mountinfo.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { ShellHelper, ShellHelperTimeout } from './shell-helper.js';

/** Mounts and unmounts on the host. */
export interface Mounter {
  /** Mounts a fresh tmpfs on `target` (an existing directory), limited to `sizeBytes` when given. */
  mountTmpfs(target: string, sizeBytes: bigint | undefined): Promise<void>;
  /** Bind-mounts `source` onto `target` (an existing file or directory); `source` is used as given. */
  bindMount(source: string, target: string): Promise<void>;
  /** Unmounts whatever is mounted on `target`. */
  unmount(target: string): Promise<void>;
  /** Every mount point on the host, as the kernel reports it. */
  mountPoints(): Promise<string[]>;
}

/** Decodes the octal escapes (`\040` for a space …) the kernel uses in mount table paths. */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** The mount points listed in a /proc/<pid>/mountinfo text (fifth field of each line). */
export function parseMountInfo(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const mp = fields[4];
    if (mp !== undefined) out.push(unescapeMountPath(mp));
  }
  return out;
}

function failure(cmd: string, args: string[], code: string, output: string): Error {
  return new Error(
    `${cmd} failed: ${code}\nMounting command: ${cmd}\nMounting arguments: ${args.join(' ')}\nOutput: ${output}`,
  );
}

/** Runs the command as a child of this process (the fallback when the shell helper cannot). */
function runDirect(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      if (!err) return resolve();
      const code = typeof err.code === 'number' ? `exit status ${err.code}` : String(err.message);
      reject(failure(cmd, args, code, `${stdout}${stderr}`.trim()));
    });
  });
}

/** One shell helper for the process: mounts and unmounts then cost no fork of the agent itself. */
let helper: ShellHelper | undefined;

async function run(cmd: string, args: string[]): Promise<void> {
  helper ??= new ShellHelper();
  let res;
  try {
    res = await helper.run(cmd, args);
  } catch (err) {
    if (err instanceof ShellHelperTimeout) throw failure(cmd, args, err.message, '');
    return runDirect(cmd, args);
  }
  if (res.code !== 0) throw failure(cmd, args, `exit status ${res.code}`, res.output.trim());
}

/** The host's mount(8)/umount(8); needs root (CAP_SYS_ADMIN). */
export function systemMounter(): Mounter {
  return {
    mountTmpfs: (target, sizeBytes) =>
      run('mount', [
        '--no-canonicalize',
        '-t',
        'tmpfs',
        ...(sizeBytes !== undefined && sizeBytes > 0n ? ['-o', `size=${sizeBytes}`] : []),
        'tmpfs',
        target,
      ]),
    bindMount: (source, target) => run('mount', ['--no-canonicalize', '--bind', source, target]),
    unmount: (target) => run('umount', [target]),
    mountPoints: async () => parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8')),
  };
}
