/**
 * The real `etcdctl` (Debian's etcd-client) against a test etcd: to read what the server stored and
 * to compact history behind the server's back.
 */
import { execFile } from 'node:child_process';
import type { TestEtcd } from '../../src/storage/testing/etcd.js';

/** Runs etcdctl (API v3) against the etcd; resolves with stdout as bytes; throws on failure. */
export function etcdctl(etcd: TestEtcd, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      'etcdctl',
      ['--endpoints', etcd.endpoint, ...args],
      { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`etcdctl ${args.join(' ')} failed: ${err.message}\n${stderr.toString()}`));
        else resolve(stdout);
      },
    );
  });
}

/** The etcd cluster's current revision. */
export async function etcdRevision(etcd: TestEtcd): Promise<number> {
  const out = await etcdctl(etcd, ['endpoint', 'status', '-w', 'json']);
  const status = JSON.parse(out.toString()) as { Status?: { header?: { revision?: number } } }[];
  const rev = status[0]?.Status?.header?.revision;
  if (typeof rev !== 'number') throw new Error(`no revision in etcdctl endpoint status: ${out.toString()}`);
  return rev;
}

/** Compacts etcd's history up to `revision` (physically, waiting for it). */
export async function etcdCompact(etcd: TestEtcd, revision: number): Promise<void> {
  await etcdctl(etcd, ['compact', String(revision), '--physical']);
}
