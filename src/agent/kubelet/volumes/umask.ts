/**
 * The process's umask, read once from /proc (Node's `process.umask()` without an argument is
 * deprecated: it sets the mask to read it). Volume code uses it to skip a chmod after creating a
 * file or directory whose mode the umask leaves intact.
 */
import { readFileSync } from 'node:fs';

let cached: number | undefined;

/** The umask (0o022 when /proc does not say). */
export function umask(): number {
  if (cached === undefined) {
    cached = 0o022;
    try {
      const m = /^Umask:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/status', 'latin1'));
      if (m?.[1]) cached = Number.parseInt(m[1], 8);
    } catch {
      // keep the usual default
    }
  }
  return cached;
}

/** True when creating something with `mode` gives exactly `mode` (no special bits, none masked). */
export function modeSurvivesUmask(mode: number): boolean {
  return (mode & 0o7000) === 0 && (mode & umask()) === 0;
}
