/**
 * `k8ts images import FILE…`: imports image archives (OCI layout or `docker save` tars, optionally
 * gzip- or zstd-compressed) into the containerd of the node agent, for machines without registry
 * access.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { importImages } from '../agent/images/importer.js';
import { DEFAULT_CONFIG } from '../server/config.js';

const HELP = `Import container images into the node agent's containerd.

Usage:
  k8ts images import [--data-dir DIR] [--containerd-socket SOCKET] FILE...

FILE is a tar of an OCI image layout or of 'docker save' output, optionally compressed with gzip
or zstd. Images keep the names recorded in the archive. Prints one line per image imported.

Flags:
  --data-dir DIR              the agent's data directory (default ${DEFAULT_CONFIG.dataDir}); the
                              socket is DIR/agent/containerd/containerd.sock
  --containerd-socket SOCKET  containerd's socket, instead of the agent's
`;

/** The socket of the containerd the agent runs under a data dir. */
export function agentContainerdSocket(dataDir: string): string {
  return path.join(dataDir, 'agent', 'containerd', 'containerd.sock');
}

export async function runImagesCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'data-dir': { type: 'string' },
        'containerd-socket': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const { values, positionals } = parsed;
  const [action, ...files] = positionals;
  if (values.help || !action) {
    process.stdout.write(HELP);
    return values.help ? 0 : 1;
  }
  if (action !== 'import') {
    process.stderr.write(`error: unknown action ${JSON.stringify(action)} for "k8ts images" (want import)\n`);
    return 1;
  }
  if (files.length === 0) {
    process.stderr.write('error: k8ts images import needs at least one FILE\n');
    return 1;
  }
  const socket =
    values['containerd-socket'] ?? agentContainerdSocket(values['data-dir'] ?? DEFAULT_CONFIG.dataDir);
  try {
    if (!(await stat(socket)).isSocket())
      throw Object.assign(new Error('not a socket'), { code: 'ENOTSOCK' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'not found' : code === 'ENOTSOCK' ? 'not a socket' : String(e);
    process.stderr.write(
      `error: containerd socket ${socket}: ${why} (is the k8ts agent running? --containerd-socket names another)\n`,
    );
    return 1;
  }
  const results = await importImages(files, { socket });
  let failed = 0;
  for (const r of results) {
    for (const image of r.images)
      process.stdout.write(`imported ${image.name} (${image.digest}) from ${r.file}\n`);
    if (r.error) {
      failed++;
      process.stderr.write(`error: ${r.error}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}
