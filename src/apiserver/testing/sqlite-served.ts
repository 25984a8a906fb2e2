/**
 * Test fixture: the served resources over a real SQLite backend in a fresh temporary directory, with
 * their watch caches started. `close()` stops the caches, closes the backend and removes the directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteBackend } from '../../storage/sqlite/sqlite.js';
import type { Clock } from '../../util/time.js';
import type { Logger } from '../../util/log.js';
import { ServedResources, type ServedDeps } from '../served.js';

export interface SqliteServed {
  served: ServedResources;
  backend: SqliteBackend;
  close(): Promise<void>;
}

/** Opens the fixture; `name` labels the temporary directory. */
export async function openSqliteServed(
  name: string,
  deps: { clock: Clock; log: Logger; hooksFor?: ServedDeps['hooksFor'] },
): Promise<SqliteServed> {
  const dir = mkdtempSync(join(tmpdir(), `k8ts-${name}-`));
  const backend = new SqliteBackend({ path: join(dir, 'state.db'), synchronous: 'NORMAL', logger: deps.log });
  await backend.start();
  const served = new ServedResources({
    backend,
    clock: deps.clock,
    log: deps.log,
    virtuals: {},
    printerFor: () => undefined,
    ...(deps.hooksFor ? { hooksFor: deps.hooksFor } : {}),
  });
  await served.caches.start();
  return {
    served,
    backend,
    close: async () => {
      served.caches.stop();
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
