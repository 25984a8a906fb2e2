import { describe, expect, it } from 'vitest';
import { restartDelay } from './containerd.js';
import { containerdEnv, containerdLogLevel } from './config.js';
import { effectiveLevel, levelOf, loggerLevel, parseContainerdLog } from './logfmt.js';

describe('restartDelay', () => {
  it('doubles from the first delay up to the cap', () => {
    const b = { initialMs: 500, maxMs: 30_000, resetAfterMs: 60_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 8, 100].map((n) => restartDelay(n, b))).toEqual([
      500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
  });
});

describe('containerd log lines', () => {
  it('parses logrus text lines', () => {
    const line =
      'time="2026-11-29T10:00:00.123456789Z" level=warning msg="failed to load plugin \\"x\\"" error="boom: no" type=io.containerd.snapshotter.v1';
    expect(parseContainerdLog(line)).toEqual({
      level: 'warning',
      msg: 'failed to load plugin "x"',
      fields: { error: 'boom: no', type: 'io.containerd.snapshotter.v1' },
    });
  });

  it('keeps other lines whole', () => {
    expect(parseContainerdLog('panic: something')).toEqual({
      level: 'info',
      msg: 'panic: something',
      fields: {},
    });
  });

  it("maps containerd's levels to ours (info is debug)", () => {
    expect(['info', 'debug', 'warning', 'error', 'fatal'].map(loggerLevel)).toEqual([
      'debug',
      'debug',
      'warn',
      'error',
      'error',
    ]);
  });

  it('reads the level of a line without parsing it, as the full parse does', () => {
    const lines = [
      'time="2026-11-29T10:00:00Z" level=warning msg="x level=error"',
      'time="2026-11-29T10:00:00Z" level="error" msg=y',
      'level=info msg="starting"',
      'time="x" msg="no level"',
      'panic: something',
    ];
    expect(lines.map(levelOf)).toEqual(['warning', 'error', 'info', 'info', 'info']);
    expect(lines.map(levelOf)).toEqual(lines.map((l) => parseContainerdLog(l).level));
  });

  it('runs containerd at warn unless the agent logs at debug or trace', () => {
    expect([undefined, 'info', 'warn', 'error', 'debug', 'trace'].map((l) => containerdLogLevel(l))).toEqual([
      'warn',
      'warn',
      'warn',
      'warn',
      'debug',
      'trace',
    ]);
  });

  it("runs containerd with GOGC=50 unless the agent's environment sets GOGC", () => {
    expect(containerdEnv({ PATH: '/bin' })).toEqual({ PATH: '/bin', GOGC: '50' });
    expect(containerdEnv({ PATH: '/bin', GOGC: '200' })).toEqual({ PATH: '/bin', GOGC: '200' });
  });

  it("treats containerd 1.6's routine shim-exit warnings as debug, and keeps other warnings", () => {
    const id = 'a'.repeat(64);
    const lines = [
      `time="2026-11-29T15:17:21.654131100Z" level=warning msg="cleaning up after shim disconnected" id=${id} namespace=k8s.io`,
      'time="2026-11-29T15:17:21.963197292Z" level=warning msg="cleanup warnings time=\\"2026-11-29T15:17:21Z\\" level=info msg=\\"starting signal loop\\" namespace=k8s.io pid=12789 runtime=io.containerd.runc.v2\\n"',
      'time="2026-11-29T15:17:21.963197292Z" level=warning msg="cleanup warnings time=\\"2026-11-29T15:17:21Z\\" level=info msg=\\"starting signal loop\\"\\ntime=\\"2026-11-29T15:17:21Z\\" level=warning msg=\\"failed to remove runc container\\" error=\\"runc did not terminate successfully\\"\\n"',
      'time="2026-11-29T15:17:22Z" level=warning msg="failed to load plugin" error="boom"',
      `time="2026-11-29T15:17:22Z" level=error msg="cleaning up after shim disconnected" id=${id}`,
    ];
    expect(lines.map(effectiveLevel)).toEqual(['debug', 'debug', 'warning', 'warning', 'error']);
  });
});
