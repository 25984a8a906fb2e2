import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  HostReader,
  defaultRouteInterface,
  nodeMemory,
  nodeNetwork,
  nodeTasks,
  parseKeyValues,
  parseNetDev,
  parseProcStat,
} from './host.js';
import { DEFAULT_PROC, writeFakeProc } from './testing/fake-proc.js';

const dir = mkdtempSync(path.join(tmpdir(), 'k8ts-stats-host-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('/proc parsers', () => {
  it('counts user, nice, system, irq and softirq ticks as CPU use, and reads the boot time', () => {
    const text = 'cpu  100 10 50 9000 40 5 5 7 3 0\ncpu0 100 10 50 9000 40 5 5 7 3 0\nbtime 1700000000\n';
    // (100+10+50+5+5) ticks at 100 Hz = 1.7 s; idle, iowait, steal and guest are not counted
    expect(parseProcStat(text)).toEqual({ usageCoreNanoSeconds: 1.7e9, bootTimeMs: 1_700_000_000_000 });
    expect(parseProcStat('intr 1\n')).toBeUndefined();
  });

  it('reads key/value files with kB units in bytes', () => {
    const m = parseKeyValues(
      'MemTotal:  2 kB\nInactive(file):   1 kB\nHugePages_Total:   0\npgfault 12\nbad line here\n',
    );
    expect(Object.fromEntries(m)).toEqual({
      MemTotal: 2048,
      'Inactive(file)': 1024,
      HugePages_Total: 0,
      pgfault: 12,
    });
  });

  it('derives usage, working set, rss and available memory like a root cgroup', () => {
    const mem = nodeMemory(
      parseKeyValues(
        'MemTotal: 1000 kB\nMemFree: 300 kB\nInactive(file): 200 kB\nAnonPages: 100 kB\nSwapTotal: 50 kB\nSwapFree: 20 kB\n',
      ),
      parseKeyValues('pgfault 9\npgmajfault 2\n'),
    );
    expect(mem).toEqual({
      usageBytes: 700 * 1024,
      workingSetBytes: 500 * 1024,
      rssBytes: 100 * 1024,
      availableBytes: 500 * 1024,
      pageFaults: 9,
      majorPageFaults: 2,
      swapUsageBytes: 30 * 1024,
    });
    expect(nodeMemory(new Map(), new Map())).toBeUndefined();
  });

  it('reads interface counters and picks the default route interface', () => {
    const dev =
      'Inter-|   Receive |  Transmit\n face |bytes packets errs drop fifo frame compressed multicast|bytes packets errs drop fifo colls carrier compressed\n' +
      '  ens3: 10 1 2 0 0 0 0 0 20 2 3 0 0 0 0 0\n' +
      '    lo: 5 1 0 0 0 0 0 0 5 1 0 0 0 0 0 0\n' +
      '  eth0: 7 1 0 0 0 0 0 0 8 1 0 0 0 0 0 0\n' +
      'veth1: 1 1 0 0 0 0 0 0 1 1 0 0 0 0 0 0\n';
    expect(parseNetDev(dev)[0]).toEqual({ name: 'ens3', rxBytes: 10, rxErrors: 2, txBytes: 20, txErrors: 3 });
    const route =
      'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\nens3\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\n';
    expect(defaultRouteInterface(route)).toBe('ens3');
    const net = nodeNetwork(dev, route);
    expect(net.interfaces.map((i) => i.name)).toEqual(['ens3', 'eth0']);
    expect(net.defaultInterface?.name).toBe('ens3');
    // no default route: eth0, as upstream's kubelet assumes
    expect(nodeNetwork(dev, '').defaultInterface?.name).toBe('eth0');
  });

  it('takes the lower of pid_max and threads-max and counts tasks from loadavg', () => {
    expect(nodeTasks('4194304\n', '191627\n', '0.1 0.2 0.3 2/345 999\n')).toEqual({
      maxpid: 191627,
      curproc: 345,
    });
    expect(nodeTasks('', '', '')).toEqual({});
  });
});

describe('HostReader', () => {
  it('reads a /proc tree', async () => {
    writeFakeProc(dir);
    const host = new HostReader(dir);
    expect(await host.cpu()).toEqual({ usageCoreNanoSeconds: 15e9, bootTimeMs: DEFAULT_PROC.btime * 1000 });
    expect((await host.memory())?.workingSetBytes).toBe((3 * 1024 - 512) * 1024 * 1024);
    const net = await host.network();
    expect(net?.defaultInterface).toEqual({
      name: 'eth0',
      rxBytes: 1000,
      rxErrors: 1,
      txBytes: 2000,
      txErrors: 2,
    });
    expect(net?.interfaces.map((i) => i.name)).toEqual(['eth0', 'cni0']);
    expect(await host.tasks()).toEqual({ maxpid: 191627, curproc: 345 });
    const missing = new HostReader(path.join(dir, 'nope'));
    expect(await missing.cpu()).toBeUndefined();
    expect(await missing.memory()).toBeUndefined();
    expect(await missing.network()).toBeUndefined();
  });
});
