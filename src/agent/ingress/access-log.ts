/**
 * The Ingress access log, written by HAProxy itself: one line per request, in the shape of the
 * agent's own pino lines (`{"level":30,"time":…,<the logger's bindings>,…fields…,"msg":"ingress
 * request"}`), straight to the agent's stdout (or another file descriptor), so the agent spends no
 * CPU per request. Every line fits in {@link ACCESS_LOG_LINE_MAX} bytes: HAProxy writes it with one
 * `writev()`, which a pipe takes whole (PIPE_BUF), so a line never interleaves with the agent's own.
 * See README.md ("Access log") for the fields and the limits.
 */
import { pino } from 'pino';
import type { Logger } from '../../util/log.js';

/** Longest line, newline included: PIPE_BUF on Linux (HAProxy's `log … len` counts the newline). */
export const ACCESS_LOG_LINE_MAX = 4096;

/** Bytes of the Host header kept in a line (DNS names are at most 253; longer ones are cut). */
export const ACCESS_LOG_HOST_BYTES = 128;

/** Bytes of the method kept in a line. */
const METHOD_BYTES = 16;

/** The message of every access-log line. */
export const ACCESS_LOG_MESSAGE = 'ingress request';

/** How the agent's logger writes its lines: what an access-log line must repeat. */
export interface AccessLogShape {
  /** The level number of `info`. */
  level: number;
  /** `iso`: `"time":"2026-…Z"` (the agent's logger), `epoch`: milliseconds (pino's default), `none`. */
  time: 'iso' | 'epoch' | 'none';
  /** The logger's bindings as pino writes them: `,"pid":1,"component":"ingress",…` (or empty). */
  bindings: string;
  /** The key of the message (`msg`). */
  messageKey: string;
}

/** Where HAProxy writes the access log: a file descriptor of the agent (default 1) or a file. */
export type AccessLogTarget = { fd: number } | { path: string };

/**
 * The shape of `logger`'s lines, or undefined when it does not log `info` (then no access log is
 * written). A logger that is not pino's (no bindings or time symbols) gets level 30, epoch time.
 */
export function accessLogShape(logger: Logger): AccessLogShape | undefined {
  if (!logger.isLevelEnabled('info')) return undefined;
  const internals = logger as unknown as Record<symbol, unknown>;
  const timeFn = internals[pino.symbols.timeSym];
  const timeText = typeof timeFn === 'function' ? String((timeFn as () => unknown)()) : ',"time":0';
  const time = timeText === '' ? 'none' : timeText.includes('"time":"') ? 'iso' : 'epoch';
  const bindings = internals[pino.symbols.chindingsSym];
  const messageKey = internals[pino.symbols.messageKeySym];
  return {
    level: logger.levels.values['info'] ?? 30,
    time,
    bindings: typeof bindings === 'string' ? bindings : '',
    messageKey: typeof messageKey === 'string' ? messageKey : 'msg',
  };
}

/** Literal text in a log-format: `%` doubled. */
function literal(text: string): string {
  return text.replace(/%/g, '%%');
}

/** One part of a line: the log-format text and the most bytes it can print. */
interface Part {
  format: string;
  max: number;
}

const lit = (text: string): Part => ({ format: literal(text), max: Buffer.byteLength(text) });
const val = (format: string, max: number): Part => ({ format, max });

/**
 * `json(utf8s)` prints at most 6 bytes per input byte (`\u0001` for a control character; `\"`,
 * `\\`, `\/` take 2, a valid multi-byte UTF-8 character 6 for 2 or 3 bytes, invalid bytes and
 * characters beyond U+FFFF are dropped).
 */
const JSON_GROWTH = 6;

/** The access-log configuration: HAProxy's `log-format` text and the URI length it allows. */
export interface AccessLogFormat {
  /** The `log-format` value (to be quoted for the configuration file). */
  format: string;
  /** Bytes of the request URI kept (`tune.http.logurilen`); longer URIs are cut to this. */
  uriBytes: number;
}

/**
 * The log-format of one line in `shape`, with the service of each backend from the map file
 * `serviceMap` (backend name → `namespace/service:port`). The URI gets what the line's other parts
 * leave of {@link ACCESS_LOG_LINE_MAX} in the worst case, so HAProxy never cuts a line (which would
 * break its JSON).
 */
export function accessLogFormat(shape: AccessLogShape, serviceMap: string): AccessLogFormat {
  const time: Part[] =
    shape.time === 'iso'
      ? [
          lit(',"time":"'),
          // Seconds and milliseconds of the same clock reading (HAProxy's date of this poll loop).
          val('%[date,utime(%Y-%m-%dT%H:%M:%S)]', 19),
          lit('.'),
          val('%[date(0,ms),mod(1000),add(1000),regsub(^1,)]', 3),
          lit('Z"'),
        ]
      : shape.time === 'epoch'
        ? [lit(',"time":'), val('%[date(0,ms)]', 16)]
        : [];
  const head: Part[] = [
    lit(`{"level":${shape.level}`),
    ...time,
    lit(shape.bindings),
    lit(',"access":true,"method":"'),
    val(`%[capture.req.method,bytes(0,${METHOD_BYTES}),json(utf8s)]`, METHOD_BYTES * JSON_GROWTH),
    lit('","host":"'),
    val(
      `%[var(txn.host),bytes(0,${ACCESS_LOG_HOST_BYTES}),json(utf8s)]`,
      ACCESS_LOG_HOST_BYTES * JSON_GROWTH,
    ),
    lit('","uri":"'),
  ];
  const tail: Part[] = [
    lit('","status":'),
    val('%ST', 11),
    lit(',"bytes":'),
    val('%B', 20),
    lit(',"durationMs":'),
    val('%Ta', 11),
    // IPv6 address (45) + ':' + port.
    lit(',"upstream":"'),
    val('%si:%sp', 51),
    // Backend names are ours: be_<namespace>_<service>_<port> (63 + 63 + 15 + 5), or k8ts_404.
    lit('","backend":"'),
    val('%b', 160),
    lit('","service":"'),
    val(`%[be_name,map(${serviceMap},)]`, 160),
    lit('","client":"'),
    val('%ci', 45),
    lit('","retries":"'),
    val('%rc', 11),
    lit('","tls":'),
    val('%[ssl_fc,iif(true,false)]', 5),
    lit(`,${JSON.stringify(shape.messageKey)}:${JSON.stringify(ACCESS_LOG_MESSAGE)}}`),
  ];
  const fixed = [...head, ...tail].reduce((n, p) => n + p.max, 0);
  // One byte of the line is the newline.
  const uriBytes = Math.min(1024, Math.floor((ACCESS_LOG_LINE_MAX - 1 - fixed) / JSON_GROWTH));
  if (uriBytes < 64)
    throw new Error(`the logger's bindings leave no room for the URI in a ${ACCESS_LOG_LINE_MAX}-byte line`);
  const uri = val('%[capture.req.uri,json(utf8s)]', uriBytes * JSON_GROWTH);
  return { format: [...head, uri, ...tail].map((p) => p.format).join(''), uriBytes };
}

/** The service map file's lines: backend name → `namespace/service:port`. */
export function serviceMapText(
  backends: readonly { name: string; namespace: string; service: string; port: string }[],
): string {
  return backends.map((b) => `${b.name} ${b.namespace}/${b.service}:${b.port}\n`).join('');
}
