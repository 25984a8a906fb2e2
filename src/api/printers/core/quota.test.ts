import { describe, expect, it } from 'vitest';
import { ago, columnNames, row } from '../testing/table.js';
import { resourceQuotaPrinter } from './quota.js';

describe('resourcequota printer', () => {
  it('has upstream columns (AGE last, as in 1.33)', () => {
    expect(columnNames(resourceQuotaPrinter)).toEqual(['Name', 'Request', 'Limit', 'Age']);
  });

  it('splits limits.* from the rest, sorted, with used/hard', () => {
    const quota = {
      metadata: { name: 'compute', creationTimestamp: ago({ s: 30 }) },
      status: {
        hard: {
          pods: '10',
          'requests.cpu': '1',
          'requests.memory': '1024Mi',
          'limits.cpu': '2',
          'limits.memory': '2Gi',
        },
        used: { pods: '2', 'requests.cpu': '500m', 'limits.memory': '512Mi' },
      },
    };
    expect(row(resourceQuotaPrinter, quota)).toEqual({
      Name: 'compute',
      Request: 'pods: 2/10, requests.cpu: 500m/1, requests.memory: 0/1Gi',
      Limit: 'limits.cpu: 0/2, limits.memory: 512Mi/2Gi',
      Age: '30s',
    });
  });

  it('prints empty cells before the quota controller fills the status', () => {
    expect(row(resourceQuotaPrinter, { metadata: { name: 'q' } })).toEqual({
      Name: 'q',
      Request: '',
      Limit: '',
      Age: '<unknown>',
    });
  });
});
