/**
 * containerd's log lines (logrus text format: `time="…" level=info msg="…" key=value …`) turned into
 * fields for our structured logger.
 */

/** One parsed containerd log line. */
export interface ContainerdLogLine {
  /** containerd's level (`info`, `warning`, `error`, …); `info` when the line has none. */
  level: string;
  msg: string;
  /** The other key=value pairs (time left out: our logger stamps its own). */
  fields: Record<string, string>;
}

const PAIR = /([A-Za-z0-9_.-]+)=("(?:[^"\\]|\\.)*"|\S*)/g;

function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'string' ? parsed : value;
  } catch {
    return value.slice(1, -1);
  }
}

/** Parses one line; a line that is not key=value text becomes its own `msg`. */
export function parseContainerdLog(line: string): ContainerdLogLine {
  const fields: Record<string, string> = {};
  let found = false;
  for (const m of line.matchAll(PAIR)) {
    const key = m[1];
    const raw = m[2];
    if (key === undefined || raw === undefined) continue;
    fields[key] = unquote(raw);
    found = true;
  }
  if (!found || fields['msg'] === undefined) return { level: 'info', msg: line, fields: {} };
  const { level = 'info', msg = '', time: _time, ...rest } = fields;
  return { level, msg, fields: rest };
}

const LEVEL = /(?:^|\s)level=("?)([a-z]+)\1(?:\s|$)/;

/** The `level=` of a line without parsing the rest (`info` when it has none, as the full parse). */
export function levelOf(line: string): string {
  return LEVEL.exec(line)?.[2] ?? 'info';
}

const SHIM_DISCONNECTED = 'msg="cleaning up after shim disconnected"';
const CLEANUP_WARNINGS = 'msg="cleanup warnings ';
const EMBEDDED_LEVEL = /level=\\?"?([a-z]+)/g;

/**
 * The level we log a line at: containerd's own, except for two warnings containerd 1.6 prints each
 * time a pod's shim exits (whenever a sandbox stops), which say nothing is wrong: "cleaning up after
 * shim disconnected", and "cleanup warnings" that only carry the shim's own info lines. Those are
 * debug, like containerd's info lines.
 */
export function effectiveLevel(line: string): string {
  const level = levelOf(line);
  if (level !== 'warning') return level;
  if (line.includes(SHIM_DISCONNECTED)) return 'debug';
  const at = line.indexOf(CLEANUP_WARNINGS);
  if (at >= 0) {
    const inner = [...line.slice(at + CLEANUP_WARNINGS.length).matchAll(EMBEDDED_LEVEL)].map((m) => m[1]);
    if (inner.length > 0 && inner.every((l) => l === 'info' || l === 'debug' || l === 'trace'))
      return 'debug';
  }
  return level;
}

/** Our logger level for a containerd level: containerd's info is chatty, so it becomes debug. */
export function loggerLevel(level: string): 'debug' | 'warn' | 'error' {
  switch (level) {
    case 'warning':
    case 'warn':
      return 'warn';
    case 'error':
    case 'fatal':
    case 'panic':
      return 'error';
    default:
      return 'debug';
  }
}
