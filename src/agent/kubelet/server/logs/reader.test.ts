import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeletHttpError } from '../types.js';
import { fixedNanoTimestamp, parseCriLogLine } from './cri-log.js';
import { readContainerLog, type LogReadOptions } from './reader.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'k8ts-logs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const line = (ts: string, text: string, stream = 'stdout', tag = 'F'): string =>
  `${ts} ${stream} ${tag} ${text}\n`;

const BASE: LogReadOptions = { follow: false, timestamps: false };

async function read(
  path: string,
  opts: Partial<LogReadOptions> = {},
  isRunning: () => Promise<boolean> = async () => false,
): Promise<string> {
  const chunks: Buffer[] = [];
  await readContainerLog(path, { ...BASE, ...opts }, async (c) => void chunks.push(c), {
    isRunning,
    pollMs: 20,
  });
  return Buffer.concat(chunks).toString();
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('CRI log lines', () => {
  it('parses full and partial lines and pads timestamps to nanoseconds', () => {
    const full = parseCriLogLine(Buffer.from('2024-05-01T10:00:00.5Z stderr F hello world'));
    expect(full).toMatchObject({ stream: 'stderr', partial: false, timestamp: '2024-05-01T10:00:00.5Z' });
    expect(full?.content.toString()).toBe('hello world\n');
    const part = parseCriLogLine(Buffer.from('2024-05-01T10:00:00Z stdout P abc'));
    expect(part?.partial).toBe(true);
    expect(part?.content.toString()).toBe('abc');
    expect(parseCriLogLine(Buffer.from('2024-05-01T10:00:00Z stdout F'))?.content.toString()).toBe('\n');
    expect(parseCriLogLine(Buffer.from('not a log line'))).toBeUndefined();
    expect(fixedNanoTimestamp('2024-05-01T10:00:00.5+02:00')).toBe('2024-05-01T10:00:00.500000000+02:00');
    expect(fixedNanoTimestamp('2024-05-01T10:00:00Z')).toBe('2024-05-01T10:00:00.000000000Z');
  });
});

describe('readContainerLog', () => {
  it('prints stdout and stderr in order and joins partial lines', async () => {
    const p = join(dir, '0.log');
    writeFileSync(
      p,
      line('2024-05-01T10:00:00.1Z', 'one') +
        line('2024-05-01T10:00:00.2Z', 'two', 'stderr') +
        line('2024-05-01T10:00:00.3Z', 'thr', 'stdout', 'P') +
        line('2024-05-01T10:00:00.4Z', 'ee'),
    );
    expect(await read(p)).toBe('one\ntwo\nthree\n');
  });

  it('tails the last lines, filters by time, adds timestamps and stops at a byte limit', async () => {
    const p = join(dir, '0.log');
    writeFileSync(p, ['a', 'b', 'c', 'd'].map((t, i) => line(`2024-05-01T10:00:0${i}.25Z`, t)).join(''));
    expect(await read(p, { tailLines: 2 })).toBe('c\nd\n');
    expect(await read(p, { tailLines: 0 })).toBe('');
    expect(await read(p, { tailLines: 10 })).toBe('a\nb\nc\nd\n');
    expect(await read(p, { since: Date.parse('2024-05-01T10:00:02Z') })).toBe('c\nd\n');
    expect(await read(p, { tailLines: 1, timestamps: true })).toBe('2024-05-01T10:00:03.250000000Z d\n');
    expect(await read(p, { limitBytes: 3 })).toBe('a\nb');
  });

  it('follows new lines until the container stops', async () => {
    const p = join(dir, '0.log');
    writeFileSync(p, line('2024-05-01T10:00:00Z', 'first'));
    let running = true;
    const chunks: Buffer[] = [];
    const done = readContainerLog(p, { ...BASE, follow: true }, async (c) => void chunks.push(c), {
      isRunning: async () => running,
      pollMs: 20,
    });
    const text = (): string => Buffer.concat(chunks).toString();
    await until(() => text() === 'first\n', 'the first line');
    appendFileSync(p, line('2024-05-01T10:00:01Z', 'second'));
    await until(() => text() === 'first\nsecond\n', 'the appended line');
    appendFileSync(p, line('2024-05-01T10:00:02Z', 'last'));
    running = false;
    await done;
    expect(text()).toBe('first\nsecond\nlast\n');
  });

  it('follows the log into a new file after rotation', async () => {
    const p = join(dir, '0.log');
    writeFileSync(p, line('2024-05-01T10:00:00Z', 'before'));
    let running = true;
    const chunks: Buffer[] = [];
    const done = readContainerLog(p, { ...BASE, follow: true }, async (c) => void chunks.push(c), {
      isRunning: async () => running,
      pollMs: 20,
    });
    const text = (): string => Buffer.concat(chunks).toString();
    await until(() => text() === 'before\n', 'the first line');
    appendFileSync(p, line('2024-05-01T10:00:01Z', 'old-tail'));
    renameSync(p, `${p}.20240501-100001`);
    writeFileSync(p, line('2024-05-01T10:00:02Z', 'after'));
    await until(() => text().includes('after'), 'the line in the new file');
    running = false;
    await done;
    expect(text()).toBe('before\nold-tail\nafter\n');
  });

  it('stops following when aborted', async () => {
    const p = join(dir, '0.log');
    writeFileSync(p, line('2024-05-01T10:00:00Z', 'x'));
    const ac = new AbortController();
    const done = readContainerLog(p, { ...BASE, follow: true }, async () => undefined, {
      isRunning: async () => true,
      pollMs: 10_000,
      signal: ac.signal,
    });
    ac.abort();
    await done;
  });

  it('answers 400 when the log file is missing', async () => {
    await expect(read(join(dir, 'nope.log'))).rejects.toBeInstanceOf(KubeletHttpError);
  });
});
