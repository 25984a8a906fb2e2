/**
 * `k8ts secrets-encrypt`: encryption-at-rest key management.
 *   status   the key names, primary first
 *   rotate   adds a new primary key; the next server start re-encrypts every Secret under it and
 *            then removes the old keys
 */
import { parseArgs } from 'node:util';
import { encryptionKeyFile, loadOrCreateEncryptionKeys, rotateEncryptionKey } from '../storage/encryption.js';
import { DEFAULT_CONFIG } from '../server/config.js';

const HELP = `Manage the keys that encrypt Secrets at rest.

Usage:
  k8ts secrets-encrypt status [--data-dir DIR]
  k8ts secrets-encrypt rotate [--data-dir DIR]

rotate adds a new primary key. Restart the server afterwards: at start it re-encrypts every Secret
with the new key and removes the old ones.
`;

export async function runSecretsEncryptCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const dataDir = values['data-dir'] ?? DEFAULT_CONFIG.dataDir;
  const action = positionals[0];
  if (values.help || !action) {
    process.stdout.write(HELP);
    return values.help ? 0 : 1;
  }
  if (action === 'status') {
    const keys = loadOrCreateEncryptionKeys(dataDir);
    process.stdout.write(
      `key file: ${encryptionKeyFile(dataDir)}\nprimary key: ${keys[0]?.name ?? '<none>'}\n`,
    );
    if (keys.length > 1)
      process.stdout.write(
        `older keys (removed at the next server start): ${keys
          .slice(1)
          .map((k) => k.name)
          .join(', ')}\n`,
      );
    return 0;
  }
  if (action === 'rotate') {
    const keys = rotateEncryptionKey(dataDir);
    process.stdout.write(
      `new primary key ${keys[0]?.name ?? ''} written to ${encryptionKeyFile(dataDir)}\nrestart k8ts server to re-encrypt every Secret with it\n`,
    );
    return 0;
  }
  process.stderr.write(
    `error: unknown action ${JSON.stringify(action)} for "k8ts secrets-encrypt" (want status or rotate)\n`,
  );
  return 1;
}
