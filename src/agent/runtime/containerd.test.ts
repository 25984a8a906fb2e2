import { describe, expect, it } from 'vitest';
import { restartDelay } from './containerd.js';
import { loggerLevel, parseContainerdLog } from './logfmt.js';

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
});
