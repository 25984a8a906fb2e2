/**
 * Keeps start-up from inflating the idle heap.
 *
 * Start-up allocates a lot of data at once (modules, schemas, bootstrap objects, RBAC policy), and
 * V8 answers by growing its young generation to the maximum (2 × 16 MB semi-spaces). With no traffic
 * afterwards nothing shrinks it again until V8's memory reducer happens to run, so a freshly started,
 * idle server would keep ~15 MB it does not need. Holding the young generation at its initial size
 * while the server starts avoids that without measurably slowing start-up (its live data moves to
 * the old generation either way); V8's usual growth is restored for the load that follows, so request
 * throughput is untouched.
 */
import { setFlagsFromString } from 'node:v8';

const GROWTH_FLAG = /--semi[-_]space[-_]growth[-_]factor/;

/**
 * Stops V8's young generation from growing until the returned function is called, which restores
 * V8's default growth factor (2). Does nothing when the user set the factor on the command line, or
 * when V8 refuses the flag. Node 20 resets the factor when it creates a worker thread, which would
 * end the hold early (harmless; start-up creates none).
 */
export function holdYoungGenerationSmall(): () => void {
  if (process.execArgv.some((a) => GROWTH_FLAG.test(a))) return () => undefined;
  try {
    setFlagsFromString('--semi-space-growth-factor=1');
  } catch {
    return () => undefined;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    setFlagsFromString('--semi-space-growth-factor=2');
  };
}
