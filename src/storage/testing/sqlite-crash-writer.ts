/**
 * A write burst for the kill -9 test: `node --import tsx sqlite-crash-writer.ts DB ROUND`.
 * Writes forever with 32 writes in flight (creates of new keys and updates of per-worker counters)
 * and prints one line per acknowledged write to stdout (`create KEY REV` / `update KEY VALUE REV`).
 * Stdout is a pipe, and pipe writes are synchronous on Linux, so a line the parent has read was
 * printed after its write was acknowledged. Logs go to stderr.
 */
import { pino } from 'pino';
import { SqliteBackend } from '../sqlite/sqlite.js';

const [file, round] = process.argv.slice(2);
if (!file || !round) {
  process.stderr.write('usage: sqlite-crash-writer.ts DB ROUND\n');
  process.exit(2);
}

const backend = new SqliteBackend({ path: file, logger: pino({ level: 'warn' }, pino.destination(2)) });
await backend.start();

let next = 0;
async function worker(id: number): Promise<never> {
  const counterKey = `/registry/configmaps/crash/r${round}-w${id}`;
  let counter = await backend.create(counterKey, Buffer.from('0'));
  process.stdout.write(`create ${counterKey} ${counter.modRevision}\n`);
  for (;;) {
    const key = `/registry/pods/crash/r${round}-p${next++}`;
    const kv = await backend.create(key, Buffer.from(key));
    process.stdout.write(`create ${key} ${kv.modRevision}\n`);
    const value = Number(counter.value.toString()) + 1;
    counter = await backend.update(counterKey, Buffer.from(String(value)), counter.modRevision);
    process.stdout.write(`update ${counterKey} ${value} ${counter.modRevision}\n`);
  }
}

await Promise.all(Array.from({ length: 32 }, (_, i) => worker(i)));
