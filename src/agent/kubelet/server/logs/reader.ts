/**
 * Reads a container's CRI log file the way `kubectl logs` expects: the last N lines, lines since a
 * time, with or without timestamps, at most N bytes, and following the file while the container runs
 * (through log rotation to a new file, ending when the container stops).
 */
import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { KubeletHttpError } from '../types.js';
import { fixedNanoTimestamp, parseCriLogLine } from './cri-log.js';

/** What to read (upstream's PodLogOptions, as the kubelet applies them). */
export interface LogReadOptions {
  follow: boolean;
  /** Only the last N lines of the file; undefined for all. */
  tailLines?: number;
  /** Only lines at or after this time (epoch milliseconds). */
  since?: number;
  timestamps: boolean;
  /** Stop after this many bytes of output. */
  limitBytes?: number;
}

/** Where the output goes; resolves once the sink can take more (backpressure). */
export type LogSink = (chunk: Buffer) => Promise<void>;

/** Dependencies of {@link readContainerLog}. */
export interface LogReadDeps {
  /** Whether the container still runs; a followed log ends once it does not. */
  isRunning(): Promise<boolean>;
  /** Ends a follow (client gone). */
  signal?: AbortSignal;
  /** How often a follow looks again without a file event (upstream: 1 s). */
  pollMs?: number;
}

const READ_CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

/** The offset of the first of the last `n` lines of the file (lines end with a newline). */
export async function tailStart(fh: FileHandle, size: number, n: number): Promise<number> {
  if (n <= 0) return size;
  let pos = size;
  let count = 0;
  // A newline that ends the file closes the last line; it does not start a new one.
  let skipLast = true;
  const buf = Buffer.alloc(READ_CHUNK);
  while (pos > 0) {
    const len = Math.min(READ_CHUNK, pos);
    pos -= len;
    const { bytesRead } = await fh.read(buf, 0, len, pos);
    for (let i = bytesRead - 1; i >= 0; i--) {
      if (buf[i] !== NEWLINE) continue;
      if (skipLast && pos + i === size - 1) continue;
      count++;
      if (count === n) return pos + i + 1;
    }
    skipLast = false;
  }
  return 0;
}

/** Turns raw file bytes into output, line by line, applying since/timestamps/limitBytes. */
class LineWriter {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private written = 0;
  /** True when the previous line was partial, so the next one continues it without a timestamp. */
  private midLine = false;
  done = false;

  constructor(
    private readonly opts: LogReadOptions,
    private readonly sink: LogSink,
  ) {}

  /** Processes every complete line in `data` (plus what was held back); keeps an unfinished tail. */
  async feed(data: Buffer): Promise<void> {
    let start = 0;
    for (let i = data.indexOf(NEWLINE); i >= 0 && !this.done; i = data.indexOf(NEWLINE, start)) {
      const piece = data.subarray(start, i);
      start = i + 1;
      const line = this.pendingLength ? Buffer.concat([...this.pending, piece]) : piece;
      this.pending = [];
      this.pendingLength = 0;
      await this.line(line);
    }
    if (start < data.length && !this.done) {
      this.pending.push(data.subarray(start));
      this.pendingLength += data.length - start;
    }
  }

  /** Processes a held-back line with no newline yet (end of a file that is not followed). */
  async flushIncomplete(): Promise<void> {
    if (this.pendingLength === 0 || this.done) return;
    const line = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingLength = 0;
    await this.line(line);
  }

  /** Drops a held-back unfinished line (the file rotated away under it). */
  dropIncomplete(): void {
    this.pending = [];
    this.pendingLength = 0;
  }

  private async line(raw: Buffer): Promise<void> {
    const msg = parseCriLogLine(raw);
    if (!msg) return;
    if (this.opts.since !== undefined && msg.time < this.opts.since) return;
    let out = msg.content;
    if (this.opts.timestamps && !this.midLine) {
      out = Buffer.concat([Buffer.from(`${fixedNanoTimestamp(msg.timestamp)} `), out]);
    }
    this.midLine = msg.partial;
    if (this.opts.limitBytes !== undefined) {
      const room = this.opts.limitBytes - this.written;
      if (out.length >= room) {
        out = out.subarray(0, room);
        this.done = true;
      }
    }
    this.written += out.length;
    if (out.length > 0) await this.sink(out);
  }
}

async function openLog(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Reads from `pos` to the end of the file into the writer; returns the new position. */
async function readToEnd(fh: FileHandle, pos: number, w: LineWriter): Promise<number> {
  const buf = Buffer.alloc(READ_CHUNK);
  for (;;) {
    if (w.done) return pos;
    const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, pos);
    if (bytesRead === 0) return pos;
    pos += bytesRead;
    await w.feed(Buffer.from(buf.subarray(0, bytesRead)));
  }
}

/** Resolves on the next change to the file, after `ms`, or when aborted. */
function waitForChange(path: string, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    let watcher: FSWatcher | undefined;
    const done = (): void => {
      clearTimeout(timer);
      watcher?.close();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    try {
      watcher = watch(path, { persistent: false }, done);
      watcher.on('error', done);
    } catch {
      // The file may be gone mid-rotation: the timer looks again.
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Writes a container's log to `sink`. Throws {@link KubeletHttpError} (400) when the log file cannot
 * be opened, as upstream's kubelet.
 */
export async function readContainerLog(
  path: string,
  opts: LogReadOptions,
  sink: LogSink,
  deps: LogReadDeps,
): Promise<void> {
  let fh = await openLog(path);
  if (!fh) {
    throw new KubeletHttpError(
      400,
      `failed to try resolving symlinks in path "${path}": lstat ${path}: no such file or directory`,
    );
  }
  const w = new LineWriter(opts, sink);
  try {
    const size = (await fh.stat()).size;
    let pos = opts.tailLines !== undefined ? await tailStart(fh, size, opts.tailLines) : 0;
    pos = await readToEnd(fh, pos, w);
    if (!opts.follow) {
      await w.flushIncomplete();
      return;
    }
    const pollMs = deps.pollMs ?? 1000;
    for (;;) {
      if (w.done || deps.signal?.aborted) return;
      if (!(await deps.isRunning())) {
        // Lines written just before the container stopped.
        await readToEnd(fh, pos, w);
        await w.flushIncomplete();
        return;
      }
      await waitForChange(path, pollMs, deps.signal);
      pos = await readToEnd(fh, pos, w);
      // Rotation: the path now names another file (or this one was truncated).
      const now = await stat(path).catch(() => undefined);
      const mine = await fh.stat();
      if (now && (now.ino !== mine.ino || now.dev !== mine.dev || now.size < pos)) {
        const next = await openLog(path);
        if (next) {
          if (now.ino === mine.ino && now.dev === mine.dev) {
            // Truncated in place: start over at the beginning.
            await next.close();
            w.dropIncomplete();
          } else {
            pos = await readToEnd(fh, pos, w);
            await w.flushIncomplete();
            await fh.close();
            fh = next;
          }
          pos = 0;
          pos = await readToEnd(fh, pos, w);
        }
      }
    }
  } finally {
    await fh.close();
  }
}
