/**
 * Splits a byte stream into newline-terminated lines, whatever the chunk boundaries (mid-line, or in
 * the middle of a multi-byte UTF-8 character): the framing of a JSON watch stream.
 */

const NL = 0x0a;

/** Incremental line splitter; feed it chunks, take complete lines. */
export class LineSplitter {
  private pending: Buffer[] = [];

  /** Adds a chunk; returns the lines it completed (without their `\n`, `\r` trimmed, blanks skipped). */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NL, start); nl !== -1; nl = chunk.indexOf(NL, start)) {
      let line: Buffer;
      if (this.pending.length) {
        this.pending.push(chunk.subarray(start, nl));
        line = Buffer.concat(this.pending);
        this.pending = [];
      } else {
        line = chunk.subarray(start, nl);
      }
      const text = line.toString('utf8').trim();
      if (text) lines.push(text);
      start = nl + 1;
    }
    if (start < chunk.length) this.pending.push(chunk.subarray(start));
    return lines;
  }

  /** The unterminated rest at the end of the stream, if it holds anything but whitespace. */
  end(): string | undefined {
    if (!this.pending.length) return undefined;
    const text = Buffer.concat(this.pending).toString('utf8').trim();
    this.pending = [];
    return text || undefined;
  }

  /** Bytes held waiting for a newline. */
  get buffered(): number {
    let n = 0;
    for (const b of this.pending) n += b.length;
    return n;
  }
}
