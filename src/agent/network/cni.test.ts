import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CNI_CONFLIST_NAME, cniConflist, parseIpv4Cidr, podGateway, writeCniConfig } from './cni.js';

describe('CNI conflist', () => {
  it('is a bridge with host-local IPAM over the pod CIDR, plus portmap', () => {
    expect(
      cniConflist({ confDir: '/c', podCidr: '10.42.3.0/24', ipamDataDir: '/ipam', bridge: 'k8ts-br0' }),
    ).toEqual({
      cniVersion: '1.0.0',
      name: 'k8ts',
      plugins: [
        {
          type: 'bridge',
          bridge: 'k8ts-br0',
          isGateway: true,
          ipMasq: true,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: '10.42.3.0/24', gateway: '10.42.3.1' }]],
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir: '/ipam',
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    });
  });

  it('defaults the bridge to cni0 and leaves IPAM state to the plugin', () => {
    const conf = cniConflist({ confDir: '/c', podCidr: '10.88.0.0/16', ipMasq: false, mtu: 1450 });
    const bridge = (conf['plugins'] as Record<string, unknown>[])[0];
    expect(bridge).toMatchObject({ bridge: 'cni0', ipMasq: false, mtu: 1450 });
    expect(bridge?.['ipam']).not.toHaveProperty('dataDir');
  });

  it('rejects bad CIDRs and bridge names', () => {
    expect(() => parseIpv4Cidr('10.42.0.1/24')).toThrow(/host bits are set \(network is 10.42.0.0\/24\)/);
    expect(() => parseIpv4Cidr('10.42.0.0')).toThrow(/invalid pod CIDR/);
    expect(() => parseIpv4Cidr('fd00::/64')).toThrow(/invalid pod CIDR/);
    expect(() => parseIpv4Cidr('10.256.0.0/16')).toThrow(/invalid pod CIDR/);
    expect(() =>
      cniConflist({ confDir: '/c', podCidr: '10.0.0.0/24', bridge: 'a-very-long-bridge' }),
    ).toThrow(/invalid bridge name/);
    expect(podGateway('192.168.7.0/24')).toBe('192.168.7.1');
  });

  it('writes the file atomically and leaves nothing else behind', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-cni-'));
    try {
      const confDir = path.join(dir, 'cni');
      const file = writeCniConfig({ confDir, podCidr: '10.42.0.0/24', ipamDataDir: path.join(dir, 'ipam') });
      expect(file).toBe(path.join(confDir, CNI_CONFLIST_NAME));
      expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(
        cniConflist({ confDir, podCidr: '10.42.0.0/24', ipamDataDir: path.join(dir, 'ipam') }),
      );
      writeCniConfig({ confDir, podCidr: '10.42.1.0/24' });
      expect(fs.readdirSync(confDir)).toEqual([CNI_CONFLIST_NAME]);
      expect(fs.readFileSync(file, 'utf8')).toContain('10.42.1.0/24');
      expect(fs.statSync(path.join(dir, 'ipam')).isDirectory()).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
