/**
 * Structured logs: one JSON line per event, one child logger per component
 * (`logger.child({ component: 'apiserver' })`). Level from K8TS_LOG_LEVEL (default info).
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export const logger: Logger = pino({
  level: process.env['K8TS_LOG_LEVEL'] ?? 'info',
  base: { pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime,
});

/** The logger of one component. */
export function componentLogger(component: string, fields?: Record<string, unknown>): Logger {
  return logger.child({ component, ...fields });
}
