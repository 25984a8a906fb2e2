/**
 * A PID lock file beside the database (`state.db.lock`). The SQLite backend delivers watch events
 * in process, so a second process writing the same file would go unseen by the first one's
 * watchers and revision counter; the lock turns that mistake into a clear error at start. A lock
 * left by a process that no longer runs (e.g. after kill -9) is taken over.
 */
import fs from 'node:fs';

/** True when `pid` runs; a zombie (killed, not yet reaped by its parent) holds nothing and counts as gone. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command (in parentheses): the first is the state letter.
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    } catch {
      // No /proc (not Linux) or the process just ended: trust kill(0).
    }
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(lock: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(lock, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Takes the lock for `file`; returns the function that releases it. */
export function lockDatabase(file: string): () => void {
  const lock = `${file}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(lock, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readPid(lock);
      if (holder !== undefined && holder !== process.pid && alive(holder)) {
        throw new Error(
          `sqlite database ${file} is in use by process ${holder} (lock file ${lock}); ` +
            'only one k8ts server may use a data directory',
        );
      }
      fs.rmSync(lock, { force: true });
      continue;
    }
    try {
      fs.writeSync(fd, `${process.pid}\n`);
    } finally {
      fs.closeSync(fd);
    }
    return () => {
      if (readPid(lock) === process.pid) fs.rmSync(lock, { force: true });
    };
  }
  throw new Error(`could not take the lock ${lock}: it keeps reappearing`);
}
