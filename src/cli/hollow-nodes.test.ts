import { describe, expect, it } from 'vitest';
import { parseHollowFlags } from './hollow-nodes.js';

describe('k8ts hollow-nodes flags', () => {
  it('parses every flag', () => {
    const r = parseHollowFlags([
      '--count=100',
      '--kubeconfig',
      '/tmp/kc',
      '--name-prefix',
      'b-',
      '--zones',
      '5',
      '--cpu',
      '8',
      '--memory',
      '32Gi',
      '--pods',
      '50',
      '--labels',
      'a=1,b=2',
      '--taints',
      'x=y:NoSchedule',
      '--lease-interval',
      '2s',
      '--status-interval',
      '1m',
      '--concurrency',
      '8',
    ]);
    expect(r).toEqual({
      kubeconfig: '/tmp/kc',
      opts: {
        count: 100,
        namePrefix: 'b-',
        zones: 5,
        cpu: '8',
        memory: '32Gi',
        pods: 50,
        labels: { a: '1', b: '2' },
        taints: [{ key: 'x', value: 'y', effect: 'NoSchedule' }],
        leaseRenewMs: 2000,
        statusReportMs: 60_000,
        concurrency: 8,
      },
    });
  });

  it('takes the kubeconfig from KUBECONFIG and refuses bad values with the flag named', () => {
    const saved = process.env['KUBECONFIG'];
    process.env['KUBECONFIG'] = '/a/kc:/b/kc';
    try {
      const r = parseHollowFlags(['--count', '3']);
      expect(r !== 'help' && r.kubeconfig).toBe('/a/kc');
      expect(r !== 'help' && r.opts.namePrefix).toBe('hollow-');
      expect(() => parseHollowFlags([])).toThrow('--count is required');
      expect(() => parseHollowFlags(['--count', '0'])).toThrow('invalid --count "0": want an integer >= 1');
      expect(() => parseHollowFlags(['--count', '1', '--name-prefix', 'Bad_'])).toThrow(
        'invalid --name-prefix',
      );
      expect(() => parseHollowFlags(['--count', '1', '--lease-interval', '0s'])).toThrow('must be positive');
      delete process.env['KUBECONFIG'];
      expect(() => parseHollowFlags(['--count', '1'])).toThrow('no kubeconfig');
    } finally {
      if (saved === undefined) delete process.env['KUBECONFIG'];
      else process.env['KUBECONFIG'] = saved;
    }
    expect(parseHollowFlags(['-h'])).toBe('help');
  });
});
