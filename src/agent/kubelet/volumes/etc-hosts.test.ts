import type { Pod } from 'kubernetes-types/core/v1.js';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { etcHostsFile, podHostnameAndDomain, terminationLogFile } from './etc-hosts.js';
import { tempDir } from './testing/fakes.js';

const base: Pod = { metadata: { name: 'web-0', namespace: 'shop', uid: 'u' }, spec: { containers: [] } };

describe('per-pod files', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => cleanup());

  it('writes the managed hosts file', async () => {
    const file = await etcHostsFile(dir, base, ['10.42.0.7'], 'web-0', 'cluster.local');
    expect(file).toBe(path.join(dir, 'etc-hosts'));
    expect(await readFile(file, 'utf8')).toBe(
      '# Kubernetes-managed hosts file.\n' +
        '127.0.0.1\tlocalhost\n' +
        '::1\tlocalhost ip6-localhost ip6-loopback\n' +
        'fe00::0\tip6-localnet\n' +
        'fe00::0\tip6-mcastprefix\n' +
        'fe00::1\tip6-allnodes\n' +
        'fe00::2\tip6-allrouters\n' +
        '10.42.0.7\tweb-0\n',
    );
    expect((await stat(file)).mode & 0o777).toBe(0o644);
  });

  it('adds the FQDN with a subdomain and the hostAliases section', async () => {
    const pod: Pod = {
      ...base,
      spec: {
        containers: [],
        subdomain: 'web',
        hostAliases: [
          { ip: '10.1.2.3', hostnames: ['foo.local', 'bar.local'] },
          { ip: '10.1.2.4', hostnames: ['baz'] },
        ],
      },
    };
    const file = await etcHostsFile(dir, pod, ['10.42.0.7', 'fd00::7'], 'web-0', 'cluster.local');
    const text = await readFile(file, 'utf8');
    expect(text).toContain(
      '10.42.0.7\tweb-0.web.shop.svc.cluster.local\tweb-0\nfd00::7\tweb-0.web.shop.svc.cluster.local\tweb-0\n',
    );
    expect(
      text.endsWith('\n# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar.local\n10.1.2.4\tbaz\n'),
    ).toBe(true);
  });

  it("copies the node's hosts file for hostNetwork pods", async () => {
    const nodeHosts = path.join(dir, 'node-hosts');
    await writeFile(nodeHosts, '127.0.0.1 localhost\n192.168.1.10 node1\n');
    const pod: Pod = {
      ...base,
      spec: { containers: [], hostNetwork: true, hostAliases: [{ ip: '1.2.3.4', hostnames: ['x'] }] },
    };
    const file = await etcHostsFile(path.join(dir, 'pod'), pod, ['192.168.1.10'], 'node1', 'cluster.local', {
      nodeHostsPath: nodeHosts,
    });
    expect(await readFile(file, 'utf8')).toBe(
      '# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n192.168.1.10 node1\n' +
        '\n# Entries added by HostAliases.\n1.2.3.4\tx\n',
    );
  });

  it('rewrites in place and only when the content changes', async () => {
    const file = await etcHostsFile(dir, base, ['10.42.0.7'], 'web-0', 'cluster.local');
    const before = await stat(file);
    await etcHostsFile(dir, base, ['10.42.0.7'], 'web-0', 'cluster.local');
    expect((await stat(file)).mtimeMs).toBe(before.mtimeMs);
    await etcHostsFile(dir, base, ['10.42.0.8'], 'web-0', 'cluster.local');
    expect((await stat(file)).ino).toBe(before.ino);
    expect(await readFile(file, 'utf8')).toContain('10.42.0.8\tweb-0\n');
  });

  it('derives the hostname and domain like upstream', () => {
    expect(podHostnameAndDomain(base, 'cluster.local')).toEqual({ hostname: 'web-0', domain: '' });
    const long: Pod = {
      metadata: { name: `${'a'.repeat(62)}-b`, namespace: 'n' },
      spec: { containers: [], subdomain: 's' },
    };
    expect(podHostnameAndDomain(long, 'k8s.local')).toEqual({
      hostname: 'a'.repeat(62),
      domain: 's.n.svc.k8s.local',
    });
    expect(podHostnameAndDomain({ ...base, spec: { containers: [], hostname: 'h' } }, 'c').hostname).toBe(
      'h',
    );
  });

  it('creates a fresh world-writable termination log per container run', async () => {
    const a = await terminationLogFile(dir, 'app');
    const b = await terminationLogFile(dir, 'app');
    expect(a).not.toBe(b);
    expect(path.dirname(a)).toBe(path.join(dir, 'containers/app'));
    expect((await stat(a)).mode & 0o777).toBe(0o666);
    expect((await stat(a)).size).toBe(0);
    await expect(terminationLogFile(dir, '../x')).rejects.toThrow('invalid container name');
  });
});
