/**
 * The network-namespace test hosts themselves: isolation from the machine, processes inside,
 * a veth link between two hosts, and teardown that leaves nothing. Needs root.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestHost, type TestHost } from '../support/host.js';
import { pollUntil } from '../support/poll.js';

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('test hosts', () => {
  const hosts: TestHost[] = [];
  afterAll(async () => {
    for (const h of hosts) await h.destroy();
  });

  it('run processes in their own network, talk over a veth link, and leave nothing behind', async () => {
    const a = await createTestHost();
    const b = await createTestHost();
    hosts.push(a, b);
    expect(fs.existsSync(a.netnsPath)).toBe(true);
    expect(a.name).not.toBe(b.name);

    const links = await a.exec('ip', ['-o', 'link'], { check: true });
    expect(links.stdout.trim().split('\n')).toHaveLength(1); // just lo
    expect(links.stdout).toMatch(/lo: <LOOPBACK,UP/);

    await a.link(b, { address: '192.168.250.1/30', peerAddress: '192.168.250.2/30' });
    const server = a.spawn(process.execPath, [
      '-e',
      "require('node:http').createServer((q, s) => s.end('from a')).listen(8080, '192.168.250.1', () => console.log('up'))",
    ]);
    let out = '';
    server.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await pollUntil(
      'the server in host a',
      () => out,
      (o) => o.includes('up'),
      { timeoutMs: 10_000 },
    );
    const res = await b.httpGet('http://192.168.250.1:8080/');
    expect(res).toEqual({ status: 200, body: 'from a' });
    // a closed port on the peer is refused: the link is real
    await expect(b.httpGet('http://192.168.250.1:8081/', 1000)).rejects.toThrow(/ECONNREFUSED/);

    const pid = server.pid ?? 0;
    await a.destroy();
    expect(fs.existsSync(a.netnsPath)).toBe(false);
    expect(fs.existsSync(a.dir)).toBe(false);
    expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
    // the peer end went away with a's namespace
    const left = await b.exec('ip', ['-o', 'link'], { check: true });
    expect(left.stdout.trim().split('\n')).toHaveLength(1);
    await a.destroy(); // idempotent
  });
});
