import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../server/config.js';
import { parseDuration, parseServerFlags } from './server.js';

describe('k8ts server flags', () => {
  it('has upstream-like defaults', () => {
    expect(parseServerFlags([])).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG).toMatchObject({
      dataDir: '/var/lib/k8ts',
      httpsPort: 6443,
      clusterCidr: '10.42.0.0/16',
      serviceCidr: '10.43.0.0/16',
    });
  });
  it('parses every flag', () => {
    const c = parseServerFlags([
      '--data-dir',
      '/d',
      '--bind-address',
      '127.0.0.1',
      '--https-port',
      '7443',
      '--tls-san',
      'a.example,10.0.0.1',
      '--tls-san',
      'b',
      '--datastore-endpoint',
      'http://127.0.0.1:2379',
      '--cluster-cidr',
      '10.1.0.0/16',
      '--service-cidr',
      '10.2.0.0/16',
      '--token-auth-file',
      '/t.csv',
      '--secrets-encryption',
      'false',
      '--sqlite-synchronous',
      'full',
      '--compaction-interval',
      '1s',
    ]);
    expect(c).toMatchObject({
      dataDir: '/d',
      bindAddress: '127.0.0.1',
      httpsPort: 7443,
      tlsSans: ['a.example', '10.0.0.1', 'b'],
      datastoreEndpoint: 'http://127.0.0.1:2379',
      clusterCidr: '10.1.0.0/16',
      serviceCidr: '10.2.0.0/16',
      tokenAuthFile: '/t.csv',
      secretsEncryption: false,
      sqliteSynchronous: 'FULL',
      compactionIntervalMs: 1000,
    });
  });
  it('rejects bad values with one readable line', () => {
    expect(() => parseServerFlags(['--https-port', 'x'])).toThrow(
      'invalid --https-port "x": must be 0-65535',
    );
    expect(() => parseServerFlags(['--nope'])).toThrow(/Unknown option '--nope'/);
    expect(() => parseServerFlags(['--secrets-encryption', 'maybe'])).toThrow(/must be true or false/);
  });
  it('parses the node lifecycle and pod GC knobs', () => {
    const c = parseServerFlags([
      '--node-monitor-grace-period',
      '6s',
      '--default-not-ready-toleration-seconds',
      '3',
      '--default-unreachable-toleration-seconds',
      '0',
      '--terminated-pod-gc-threshold',
      '100',
    ]);
    expect(c !== 'help' && c.controllers).toMatchObject({
      nodeMonitorGracePeriodMs: 6000,
      defaultNotReadyTolerationSeconds: 3,
      defaultUnreachableTolerationSeconds: 0,
      terminatedPodGcThreshold: 100,
    });
    expect(DEFAULT_CONFIG.controllers).toMatchObject({
      nodeMonitorGracePeriodMs: 15_000,
      defaultNotReadyTolerationSeconds: 10,
      defaultUnreachableTolerationSeconds: 10,
    });
    expect(() => parseServerFlags(['--default-unreachable-toleration-seconds=-1'])).toThrow(
      'invalid --default-unreachable-toleration-seconds "-1": want a whole number >= 0',
    );
  });
  it('parses durations', () => {
    expect(parseDuration('1h30m', 'x')).toBe(5_400_000);
    expect(parseDuration('250ms', 'x')).toBe(250);
    expect(() => parseDuration('0s', 'x')).toThrow(/positive/);
  });
});
