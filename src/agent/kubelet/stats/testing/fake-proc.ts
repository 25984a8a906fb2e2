/** A fake /proc tree for stats tests: the files HostReader reads, with figures the test sets. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Node figures of a fake /proc. */
export interface FakeProcFigures {
  /** USER_HZ ticks of user, system and idle time. */
  userTicks: number;
  systemTicks: number;
  idleTicks: number;
  /** Boot time, seconds since the epoch. */
  btime: number;
  memTotalKb: number;
  memFreeKb: number;
  inactiveFileKb: number;
  anonKb: number;
  swapTotalKb: number;
  swapFreeKb: number;
  eth0Rx: number;
  eth0Tx: number;
}

/** Defaults: a 4 GiB machine, 1 GiB free, eth0 the default route. */
export const DEFAULT_PROC: FakeProcFigures = {
  userTicks: 1000,
  systemTicks: 500,
  idleTicks: 10000,
  btime: 1_700_000_000,
  memTotalKb: 4 * 1024 * 1024,
  memFreeKb: 1024 * 1024,
  inactiveFileKb: 512 * 1024,
  anonKb: 256 * 1024,
  swapTotalKb: 0,
  swapFreeKb: 0,
  eth0Rx: 1000,
  eth0Tx: 2000,
};

/** Writes (or rewrites) the fake /proc files under `root`. */
export function writeFakeProc(root: string, f: FakeProcFigures = DEFAULT_PROC): void {
  mkdirSync(path.join(root, 'net'), { recursive: true });
  mkdirSync(path.join(root, 'sys', 'kernel'), { recursive: true });
  writeFileSync(
    path.join(root, 'stat'),
    `cpu  ${f.userTicks} 0 ${f.systemTicks} ${f.idleTicks} 0 0 0 0 0 0\n` +
      `cpu0 ${f.userTicks} 0 ${f.systemTicks} ${f.idleTicks} 0 0 0 0 0 0\n` +
      `intr 1 2 3\nctxt 99\nbtime ${f.btime}\nprocesses 42\n`,
  );
  writeFileSync(
    path.join(root, 'meminfo'),
    [
      `MemTotal:       ${f.memTotalKb} kB`,
      `MemFree:        ${f.memFreeKb} kB`,
      `MemAvailable:   ${f.memFreeKb} kB`,
      `Inactive(file): ${f.inactiveFileKb} kB`,
      `AnonPages:      ${f.anonKb} kB`,
      `SwapTotal:      ${f.swapTotalKb} kB`,
      `SwapFree:       ${f.swapFreeKb} kB`,
      `HugePages_Total:       0`,
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(root, 'vmstat'), 'nr_free_pages 1\npgfault 5000\npgmajfault 7\n');
  writeFileSync(
    path.join(root, 'net', 'dev'),
    'Inter-|   Receive                                                |  Transmit\n' +
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n' +
      '    lo:    9999      10    0    0    0     0          0         0     9999      10    0    0    0     0       0          0\n' +
      `  eth0: ${f.eth0Rx}     100    1    0    0     0          0         0 ${f.eth0Tx}     200    2    0    0     0       0          0\n` +
      '  cni0:     300       3    0    0    0     0          0         0      400       4    0    0    0     0       0          0\n' +
      'vethab12:     500       5    0    0    0     0          0         0      600       6    0    0    0     0       0          0\n',
  );
  writeFileSync(
    path.join(root, 'net', 'route'),
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' +
      'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n' +
      'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n',
  );
  writeFileSync(path.join(root, 'sys', 'kernel', 'pid_max'), '4194304\n');
  writeFileSync(path.join(root, 'sys', 'kernel', 'threads-max'), '191627\n');
  writeFileSync(path.join(root, 'loadavg'), '0.50 0.40 0.30 3/345 12345\n');
}
