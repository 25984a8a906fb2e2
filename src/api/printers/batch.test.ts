import { describe, expect, it } from 'vitest';
import { cronJobPrinter, jobPrinter } from './batch.js';
import { ago, columnNames, row } from './testing/table.js';

const template = { spec: { containers: [{ name: 'pi', image: 'perl' }], restartPolicy: 'Never' } };

function job(
  spec: Record<string, unknown>,
  status: Record<string, unknown>,
  deleting = false,
): Record<string, unknown> {
  return {
    metadata: {
      name: 'pi',
      creationTimestamp: ago({ m: 4 }),
      ...(deleting ? { deletionTimestamp: ago({ s: 1 }) } : {}),
    },
    spec: { template, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc' } }, ...spec },
    status,
  };
}

const cond = (type: string, status = 'True'): Record<string, string> => ({ type, status });

describe('job printer', () => {
  it('has upstream columns', () => {
    expect(columnNames(jobPrinter)).toEqual([
      'Name',
      'Status',
      'Completions',
      'Duration',
      'Age',
      'Containers*',
      'Images*',
      'Selector*',
    ]);
  });

  it('prints a running job', () => {
    const j = job(
      { completions: 3, parallelism: 1 },
      { startTime: ago({ m: 3, s: 50 }), succeeded: 1, active: 1 },
    );
    expect(row(jobPrinter, j)).toEqual({
      Name: 'pi',
      Status: 'Running',
      Completions: '1/3',
      Duration: '3m50s',
      Age: '4m',
      Containers: 'pi',
      Images: 'perl',
      Selector: 'batch.kubernetes.io/controller-uid=abc',
    });
  });

  it('prints a finished job with its run time', () => {
    const j = job(
      { completions: 1 },
      {
        startTime: ago({ m: 4 }),
        completionTime: ago({ m: 3, s: 1 }),
        succeeded: 1,
        conditions: [cond('SuccessCriteriaMet'), cond('Complete')],
      },
    );
    expect(row(jobPrinter, j)).toMatchObject({ Status: 'Complete', Completions: '1/1', Duration: '59s' });
  });

  it('prints work-queue completions', () => {
    expect(row(jobPrinter, job({ parallelism: 4 }, { succeeded: 2 }))['Completions']).toBe('2/1 of 4');
    expect(row(jobPrinter, job({}, {}))).toMatchObject({ Completions: '0/1', Duration: '' });
  });

  it('orders statuses as upstream', () => {
    expect(row(jobPrinter, job({}, { conditions: [cond('Failed')] }))['Status']).toBe('Failed');
    expect(row(jobPrinter, job({}, { conditions: [cond('Failed')] }, true))['Status']).toBe('Failed');
    expect(row(jobPrinter, job({}, { conditions: [cond('Suspended')] }, true))['Status']).toBe('Terminating');
    expect(row(jobPrinter, job({}, { conditions: [cond('Suspended')] }))['Status']).toBe('Suspended');
    expect(row(jobPrinter, job({}, { conditions: [cond('Suspended', 'False')] }))['Status']).toBe('Running');
    expect(row(jobPrinter, job({}, { conditions: [cond('FailureTarget')] }))['Status']).toBe('FailureTarget');
  });
});

describe('cronjob printer', () => {
  it('has upstream columns', () => {
    expect(columnNames(cronJobPrinter)).toEqual([
      'Name',
      'Schedule',
      'Timezone',
      'Suspend',
      'Active',
      'Last Schedule',
      'Age',
      'Containers*',
      'Images*',
      'Selector*',
    ]);
  });

  it('prints schedule, suspension, active jobs and the last run', () => {
    const cj = {
      metadata: { name: 'nightly', creationTimestamp: ago({ d: 10 }) },
      spec: {
        schedule: '0 3 * * *',
        timeZone: 'Europe/Berlin',
        suspend: false,
        jobTemplate: { spec: { template } },
      },
      status: { active: [{ name: 'nightly-1' }], lastScheduleTime: ago({ h: 9 }) },
    };
    expect(row(cronJobPrinter, cj)).toEqual({
      Name: 'nightly',
      Schedule: '0 3 * * *',
      Timezone: 'Europe/Berlin',
      Suspend: 'False',
      Active: 1,
      'Last Schedule': '9h',
      Age: '10d',
      Containers: 'pi',
      Images: 'perl',
      Selector: '<none>',
    });
  });

  it('prints placeholders for a cron job that never ran', () => {
    const cj = { metadata: { name: 'n' }, spec: { schedule: '@hourly', suspend: true } };
    expect(row(cronJobPrinter, cj)).toMatchObject({
      Timezone: '<none>',
      Suspend: 'True',
      Active: 0,
      'Last Schedule': '<none>',
      Age: '<unknown>',
    });
    expect(row(cronJobPrinter, { metadata: { name: 'n' }, spec: {} })['Suspend']).toBe('<unset>');
  });
});
