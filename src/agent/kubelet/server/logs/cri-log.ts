/**
 * The CRI container log format that containerd writes: one line per chunk of output,
 * `<RFC3339Nano timestamp> <stdout|stderr> <F|P>[:more tags] <content>`, where `P` marks a partial
 * line continued by the next one and `F` a full line.
 */

/** One parsed log line. */
export interface CriLogLine {
  /** The timestamp as written (RFC 3339 with up to nine fractional digits and an offset). */
  timestamp: string;
  /** Milliseconds since the epoch, for `since` filtering. */
  time: number;
  stream: 'stdout' | 'stderr';
  /** True for a `P` (partial) line: its content has no newline and the next line continues it. */
  partial: boolean;
  /** The content, with a trailing newline for full lines. */
  content: Buffer;
}

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** Parses one line (without its newline); undefined when it is not in the CRI format. */
export function parseCriLogLine(line: Buffer): CriLogLine | undefined {
  const s1 = line.indexOf(0x20);
  if (s1 <= 0) return undefined;
  const timestamp = line.toString('latin1', 0, s1);
  if (!TIMESTAMP.test(timestamp)) return undefined;
  const time = Date.parse(timestamp);
  if (Number.isNaN(time)) return undefined;
  const s2 = line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return undefined;
  const stream = line.toString('latin1', s1 + 1, s2);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  let s3 = line.indexOf(0x20, s2 + 1);
  // A line with empty content may lack the separator after the tag.
  if (s3 < 0) s3 = line.length;
  const tag = line.toString('latin1', s2 + 1, s3).split(':')[0];
  if (tag !== 'F' && tag !== 'P') return undefined;
  const partial = tag === 'P';
  const body = line.subarray(Math.min(s3 + 1, line.length));
  const content = partial ? body : Buffer.concat([body, Buffer.from('\n')]);
  return { timestamp, time, stream, partial, content };
}

/**
 * A timestamp as `kubectl logs --timestamps` shows it: always nine fractional digits, the offset kept
 * (upstream's RFC3339NanoFixed).
 */
export function fixedNanoTimestamp(timestamp: string): string {
  const m = TIMESTAMP.exec(timestamp);
  if (!m) return timestamp;
  return `${m[1] ?? ''}.${(m[2] ?? '').padEnd(9, '0')}${m[3] ?? ''}`;
}
