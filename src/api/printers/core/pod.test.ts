import type { Container, ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../meta.js';
import { NOW, ago, columnNames, row } from '../testing/table.js';
import { podPrinter, podRowConditions } from './pod.js';

const running = (name: string, extra: Partial<ContainerStatus> = {}): ContainerStatus => ({
  name,
  image: 'busybox',
  imageID: '',
  ready: true,
  restartCount: 0,
  started: true,
  state: { running: { startedAt: ago({ h: 1 }) } },
  ...extra,
});

const waiting = (name: string, reason: string, extra: Partial<ContainerStatus> = {}): ContainerStatus => ({
  name,
  image: 'busybox',
  imageID: '',
  ready: false,
  restartCount: 0,
  state: { waiting: { reason } },
  ...extra,
});

const terminated = (
  name: string,
  t: { exitCode: number; reason?: string; signal?: number },
  extra: Partial<ContainerStatus> = {},
): ContainerStatus => ({
  name,
  image: 'busybox',
  imageID: '',
  ready: false,
  restartCount: 0,
  state: { terminated: { ...t, finishedAt: ago({ m: 1 }) } },
  ...extra,
});

const READY: PodCondition[] = [
  { type: 'Initialized', status: 'True' },
  { type: 'Ready', status: 'True' },
];

function pod(opts: {
  containers?: string[];
  init?: Container[];
  phase?: string;
  reason?: string;
  statuses?: ContainerStatus[];
  initStatuses?: ContainerStatus[];
  conditions?: PodCondition[];
  deleting?: boolean;
}): KubeObject {
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web',
      namespace: 'default',
      creationTimestamp: ago({ d: 3, h: 4 }),
      ...(opts.deleting ? { deletionTimestamp: ago({ s: 5 }) } : {}),
    },
    spec: {
      containers: (opts.containers ?? ['app']).map((name) => ({ name, image: 'busybox' })),
      initContainers: opts.init,
    },
    status: {
      phase: opts.phase ?? 'Running',
      reason: opts.reason,
      conditions: opts.conditions,
      containerStatuses: opts.statuses,
      initContainerStatuses: opts.initStatuses,
    },
  };
  return p as KubeObject;
}

const status = (obj: KubeObject): unknown => row(podPrinter, obj)['Status'];

describe('pod printer', () => {
  it('has upstream columns, wide ones last', () => {
    expect(columnNames(podPrinter)).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
      'IP*',
      'Node*',
      'Nominated Node*',
      'Readiness Gates*',
    ]);
    expect(podPrinter.columns[0]?.format).toBe('name');
    expect(podPrinter.columns.find((c) => c.name === 'Restarts')?.type).toBe('string');
  });

  it('prints a running pod', () => {
    const obj = pod({
      containers: ['app', 'log'],
      statuses: [running('app'), running('log')],
      conditions: READY,
    });
    expect(row(podPrinter, obj)).toEqual({
      Name: 'web',
      Ready: '2/2',
      Status: 'Running',
      Restarts: '0',
      Age: '3d4h',
      IP: '<none>',
      Node: '<none>',
      'Nominated Node': '<none>',
      'Readiness Gates': '<none>',
    });
  });

  it('prints a pending pod and one creating its containers', () => {
    expect(row(podPrinter, pod({ phase: 'Pending' }))).toMatchObject({ Ready: '0/1', Status: 'Pending' });
    expect(status(pod({ phase: 'Pending', statuses: [waiting('app', 'ContainerCreating')] }))).toBe(
      'ContainerCreating',
    );
  });

  it('prints a crash-looping container with restarts and how long ago the last one was', () => {
    const obj = pod({
      statuses: [
        waiting('app', 'CrashLoopBackOff', {
          restartCount: 3,
          lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago({ m: 5 }) } },
        }),
      ],
    });
    expect(row(podPrinter, obj)).toMatchObject({
      Ready: '0/1',
      Status: 'CrashLoopBackOff',
      Restarts: '3 (5m ago)',
    });
  });

  it('prints restarts without a time when no finish time is known', () => {
    const obj = pod({ statuses: [running('app', { restartCount: 2 })] });
    expect(row(podPrinter, obj)['Restarts']).toBe('2');
  });

  it('lets the first container reason win', () => {
    const obj = pod({
      containers: ['a', 'b'],
      statuses: [waiting('a', 'ImagePullBackOff'), waiting('b', 'ErrImagePull')],
    });
    expect(status(obj)).toBe('ImagePullBackOff');
  });

  it('prints exit codes and signals of containers that stopped without a reason', () => {
    expect(status(pod({ statuses: [terminated('app', { exitCode: 137 })] }))).toBe('ExitCode:137');
    expect(status(pod({ statuses: [terminated('app', { exitCode: 0, signal: 9 })] }))).toBe('Signal:9');
    expect(status(pod({ statuses: [terminated('app', { exitCode: 1, reason: 'Error' })] }))).toBe('Error');
    expect(status(pod({ statuses: [terminated('app', { exitCode: 137, reason: 'OOMKilled' })] }))).toBe(
      'OOMKilled',
    );
  });

  describe('init containers', () => {
    const init: Container[] = [
      { name: 'setup', image: 'busybox' },
      { name: 'migrate', image: 'busybox' },
    ];

    it('counts finished init containers: Init:0/2, Init:1/2', () => {
      expect(
        status(pod({ phase: 'Pending', init, initStatuses: [running('setup', { ready: false })] })),
      ).toBe('Init:0/2');
      expect(
        status(
          pod({
            phase: 'Pending',
            init,
            initStatuses: [terminated('setup', { exitCode: 0, reason: 'Completed' }), running('migrate')],
          }),
        ),
      ).toBe('Init:1/2');
    });

    it('treats PodInitializing like no reason', () => {
      expect(
        status(pod({ phase: 'Pending', init, initStatuses: [waiting('setup', 'PodInitializing')] })),
      ).toBe('Init:0/2');
    });

    it('shows waiting and failure reasons of init containers', () => {
      expect(
        status(
          pod({
            phase: 'Pending',
            init,
            initStatuses: [waiting('setup', 'CrashLoopBackOff', { restartCount: 4 })],
          }),
        ),
      ).toBe('Init:CrashLoopBackOff');
      expect(
        status(
          pod({
            phase: 'Pending',
            init,
            initStatuses: [terminated('setup', { exitCode: 1, reason: 'Error' })],
          }),
        ),
      ).toBe('Init:Error');
      expect(
        status(pod({ phase: 'Pending', init, initStatuses: [terminated('setup', { exitCode: 3 })] })),
      ).toBe('Init:ExitCode:3');
      expect(
        status(
          pod({ phase: 'Pending', init, initStatuses: [terminated('setup', { exitCode: 143, signal: 15 })] }),
        ),
      ).toBe('Init:Signal:15');
      // Exit code 0 counts as done, whatever the signal.
      expect(
        status(
          pod({ phase: 'Pending', init, initStatuses: [terminated('setup', { exitCode: 0, signal: 15 })] }),
        ),
      ).toBe('Pending');
    });

    it('counts init container restarts while initializing', () => {
      const obj = pod({
        phase: 'Pending',
        init,
        initStatuses: [
          waiting('setup', 'CrashLoopBackOff', {
            restartCount: 4,
            lastState: { terminated: { exitCode: 1, finishedAt: ago({ s: 30 }) } },
          }),
        ],
      });
      expect(row(podPrinter, obj)).toMatchObject({ Ready: '0/1', Restarts: '4 (30s ago)' });
    });

    it('ignores init container restarts once the pod is initialized', () => {
      const obj = pod({
        init,
        initStatuses: [
          terminated('setup', { exitCode: 0, reason: 'Completed' }, { restartCount: 2 }),
          terminated('migrate', { exitCode: 0, reason: 'Completed' }),
        ],
        statuses: [running('app')],
        conditions: READY,
      });
      expect(row(podPrinter, obj)).toMatchObject({ Ready: '1/1', Status: 'Running', Restarts: '0' });
    });
  });

  describe('sidecars (restartable init containers)', () => {
    const init: Container[] = [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always' }];

    it('counts a started sidecar as a container of the pod', () => {
      const obj = pod({
        init,
        initStatuses: [
          running('proxy', {
            restartCount: 1,
            lastState: { terminated: { exitCode: 1, finishedAt: ago({ m: 10 }) } },
          }),
        ],
        statuses: [running('app')],
        conditions: READY,
      });
      expect(row(podPrinter, obj)).toMatchObject({
        Ready: '2/2',
        Status: 'Running',
        Restarts: '1 (10m ago)',
      });
    });

    it('waits for a sidecar that has not started', () => {
      const obj = pod({
        phase: 'Pending',
        init,
        initStatuses: [running('proxy', { started: false, ready: false })],
      });
      expect(row(podPrinter, obj)).toMatchObject({ Ready: '0/2', Status: 'Init:0/1' });
    });

    it('counts a started sidecar that is not ready as not ready', () => {
      const obj = pod({
        init,
        initStatuses: [running('proxy', { ready: false })],
        statuses: [running('app')],
        conditions: [{ type: 'Initialized', status: 'True' }],
      });
      expect(row(podPrinter, obj)).toMatchObject({ Ready: '1/2', Status: 'Running' });
    });
  });

  describe('completed pods', () => {
    it('prints Completed for a pod whose containers finished', () => {
      const obj = pod({
        phase: 'Succeeded',
        statuses: [terminated('app', { exitCode: 0, reason: 'Completed' })],
      });
      expect(row(podPrinter, obj)).toMatchObject({ Ready: '0/1', Status: 'Completed' });
      expect(podRowConditions(obj)).toEqual([
        {
          type: 'Completed',
          status: 'True',
          reason: 'Succeeded',
          message: 'The pod has completed successfully.',
        },
      ]);
    });

    it('prints Running or NotReady while another container still runs', () => {
      const statuses = [terminated('a', { exitCode: 0, reason: 'Completed' }), running('b')];
      expect(status(pod({ containers: ['a', 'b'], statuses, conditions: READY }))).toBe('Running');
      expect(
        status(pod({ containers: ['a', 'b'], statuses, conditions: [{ type: 'Ready', status: 'False' }] })),
      ).toBe('NotReady');
    });

    it('prints the pod reason, such as Evicted', () => {
      const obj = pod({ phase: 'Failed', reason: 'Evicted' });
      expect(status(obj)).toBe('Evicted');
      expect(podRowConditions(obj)[0]?.reason).toBe('Failed');
      expect(podRowConditions(pod({}))).toEqual([]);
    });
  });

  it('prints SchedulingGated for a pod held by scheduling gates', () => {
    const obj = pod({
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
    });
    expect(status(obj)).toBe('SchedulingGated');
  });

  describe('deleted pods', () => {
    it('prints Terminating while a running pod is deleted', () => {
      expect(status(pod({ deleting: true, statuses: [running('app')], conditions: READY }))).toBe(
        'Terminating',
      );
    });

    it('keeps the final status of a finished pod being deleted', () => {
      const obj = pod({
        deleting: true,
        phase: 'Succeeded',
        statuses: [terminated('app', { exitCode: 0, reason: 'Completed' })],
      });
      expect(status(obj)).toBe('Completed');
    });

    it('prints Unknown for a pod on a lost node', () => {
      expect(status(pod({ deleting: true, reason: 'NodeLost', statuses: [running('app')] }))).toBe('Unknown');
      // Not yet deleted: the pod's own reason shows.
      expect(status(pod({ reason: 'NodeLost', statuses: [running('app')] }))).toBe('NodeLost');
    });
  });

  it('prints wide columns: IP, node, nominated node, readiness gates', () => {
    const p = pod({
      statuses: [running('app')],
      conditions: [...READY, { type: 'example.com/lb', status: 'True' }],
    });
    const spec = p['spec'] as Record<string, unknown>;
    spec['nodeName'] = 'node-1';
    spec['readinessGates'] = [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }];
    const st = p['status'] as Record<string, unknown>;
    st['podIPs'] = [{ ip: '10.42.0.7' }, { ip: 'fd00::7' }];
    st['podIP'] = '10.42.0.7';
    st['nominatedNodeName'] = 'node-2';
    expect(row(podPrinter, p)).toMatchObject({
      IP: '10.42.0.7',
      Node: 'node-1',
      'Nominated Node': 'node-2',
      'Readiness Gates': '1/2',
    });
  });

  it('reads podIP when podIPs is missing', () => {
    const p = pod({});
    (p['status'] as Record<string, unknown>)['podIP'] = '10.42.0.9';
    expect(row(podPrinter, p)['IP']).toBe('10.42.0.9');
  });

  it('prints <unknown> age without a creation time', () => {
    const p = pod({});
    expect(row(podPrinter, { ...p, metadata: { name: 'web' } }, NOW)['Age']).toBe('<unknown>');
  });
});
