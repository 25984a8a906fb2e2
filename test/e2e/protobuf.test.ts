/**
 * The real kubectl as the oracle for protobuf decoding: for each `kubectl create` generator, the JSON
 * that `--dry-run=client -o json` prints must equal what decodeProtobufObject makes of the protobuf
 * body that the same command POSTs with `--dry-run=server`. Review, token and delete bodies are
 * checked against the objects kubectl builds for them. kubectl 1.32 and later send protobuf; older
 * versions send JSON, which the capture server parses, so the comparison still holds for them.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCaptureServer, type Captured, type CaptureServer } from './support/capture-server.js';

const exec = promisify(execFile);

/** kubectl binaries to check: the one on PATH and the 1.27 and 1.33 ones beside it. */
function kubectlBinaries(): string[] {
  let onPath: string;
  try {
    onPath = execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();
  } catch {
    return [];
  }
  if (!onPath) return [];
  const dir = dirname(realpathSync(onPath));
  return [onPath, join(dir, 'kubectl.1.27'), join(dir, 'kubectl.1.33')].filter((b) => existsSync(b));
}

function minorVersion(bin: string): number {
  const out = JSON.parse(execFileSync(bin, ['version', '--client', '-o', 'json'], { encoding: 'utf8' })) as {
    clientVersion: { minor: string };
  };
  return Number.parseInt(out.clientVersion.minor, 10);
}

const files = mkdtempSync(join(tmpdir(), 'k8ts-pb-files-'));
const tlsCert = join(files, 'tls.crt');
const tlsKey = join(files, 'tls.key');
const binary = join(files, 'blob.bin');

/** kubectl create generators, each exercising different parts of the schema. */
const GENERATORS: string[][] = [
  ['create', 'namespace', 'ns1'],
  ['create', 'configmap', 'cm1', '--from-literal=a=1', '--from-literal=empty=', `--from-file=blob=${binary}`],
  ['create', 'secret', 'generic', 's1', '--from-literal=user=admin', '--type=Opaque'],
  ['create', 'secret', 'tls', 't1', `--cert=${tlsCert}`, `--key=${tlsKey}`],
  [
    'create',
    'secret',
    'docker-registry',
    'd1',
    '--docker-server=r.example',
    '--docker-username=u',
    '--docker-password=p',
  ],
  ['create', 'deployment', 'web', '--image=nginx', '--replicas=3'],
  ['create', 'deployment', 'zero', '--image=nginx', '--image=busybox', '--replicas=0', '--port=8080'],
  ['create', 'job', 'j1', '--image=busybox', '--', 'echo', 'hi'],
  ['create', 'job', 'from-cron', '--from=cronjob/c0'],
  [
    'create',
    'cronjob',
    'c1',
    '--image=busybox',
    '--schedule=*/5 * * * *',
    '--restart=OnFailure',
    '--',
    'date',
  ],
  ['create', 'quota', 'q1', '--hard=cpu=1,memory=1Gi,pods=10', '--scopes=BestEffort'],
  ['create', 'role', 'r1', '--verb=get,list', '--resource=pods,deployments.apps', '--resource-name=x'],
  [
    'create',
    'rolebinding',
    'rb1',
    '--role=r1',
    '--user=alice',
    '--group=devs',
    '--serviceaccount=default:sa1',
  ],
  ['create', 'clusterrole', 'cr1', '--verb=get', '--non-resource-url=/healthz'],
  ['create', 'clusterrole', 'cr2', '--aggregation-rule=a=b'],
  ['create', 'clusterrolebinding', 'crb1', '--clusterrole=cr1', '--user=bob'],
  ['create', 'service', 'clusterip', 'svc1', '--tcp=80:8080', '--tcp=443'],
  ['create', 'service', 'clusterip', 'headless', '--clusterip=None'],
  ['create', 'service', 'nodeport', 'svc2', '--tcp=80:http', '--node-port=30080'],
  ['create', 'service', 'loadbalancer', 'lb1', '--tcp=5678:8080'],
  ['create', 'service', 'externalname', 'svc3', '--external-name=example.com'],
  ['create', 'serviceaccount', 'sa1'],
  ['create', 'priorityclass', 'pc1', '--value=1000', '--description=high', '--preemption-policy=Never'],
  ['create', 'priorityclass', 'pc0', '--value=0', '--global-default=false'],
  ['create', 'poddisruptionbudget', 'pdb1', '--selector=app=web', '--min-available=50%'],
  ['create', 'poddisruptionbudget', 'pdb2', '--selector=app=web', '--max-unavailable=0'],
  [
    'create',
    'ingress',
    'ing1',
    '--class=nginx',
    '--rule=foo.com/bar*=svc1:8080,tls=my-cert',
    '--rule=/exact=svc2:http',
    '--default-backend=svc2:http',
    '--annotation=a=b',
  ],
];

/** Objects the commands below need to read from the server. */
function installRoutes(server: CaptureServer): void {
  const cronJob = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'c0', namespace: 'default', uid: 'c0-uid', resourceVersion: '7' },
    spec: {
      schedule: '@hourly',
      jobTemplate: {
        metadata: { labels: { team: 'a' } },
        spec: {
          backoffLimit: 0,
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
        },
      },
    },
  };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'web-uid', resourceVersion: '5' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
    },
  };
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n1', uid: 'n1-uid', resourceVersion: '1' },
  };
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'p1',
      namespace: 'default',
      uid: 'p1-uid',
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true },
      ],
    },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx' }] },
  };
  const created = (req: Captured, status: Record<string, unknown>) => ({
    status: 201,
    body: { ...req.decoded, status },
  });
  server.routes.push((method, path, req) => {
    if (method === 'GET' && path === '/apis/batch/v1/namespaces/default/cronjobs/c0')
      return { status: 200, body: cronJob };
    if (method === 'GET' && path === '/apis/apps/v1/namespaces/default/deployments/web')
      return { status: 200, body: deployment };
    if (path === '/api/v1/nodes/n1') return { status: 200, body: node };
    if (method === 'GET' && path === '/api/v1/pods')
      return { status: 200, body: { apiVersion: 'v1', kind: 'PodList', metadata: {}, items: [pod] } };
    if (method === 'GET' && path === '/api/v1/namespaces/default/pods/p1')
      return {
        status: 404,
        body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 },
      };
    if (method === 'DELETE' && path === '/api/v1/namespaces/default/pods/p1')
      return { status: 200, body: pod };
    if (method !== 'POST') return undefined;
    if (path.endsWith('/token'))
      return created(req, { token: 'tok', expirationTimestamp: '2030-01-01T00:00:00Z' });
    if (path.endsWith('/selfsubjectaccessreviews')) return created(req, { allowed: true });
    if (path.endsWith('/selfsubjectrulesreviews'))
      return created(req, { resourceRules: [], nonResourceRules: [], incomplete: false });
    if (path.endsWith('/selfsubjectreviews')) return created(req, { userInfo: { username: 'tester' } });
    return undefined;
  });
}

const binaries = kubectlBinaries();

beforeAll(() => {
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'].concat([
      '-keyout',
      tlsKey,
      '-out',
      tlsCert,
      '-days',
      '1',
      '-subj',
      '/CN=example',
    ]),
    { stdio: 'ignore' },
  );
  writeFileSync(binary, Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80]));
});

afterAll(() => rmSync(files, { recursive: true, force: true }));

describe.skipIf(binaries.length === 0).each(binaries)('protobuf bodies from %s', (bin) => {
  let server: CaptureServer;
  let minor: number;

  beforeAll(async () => {
    minor = minorVersion(bin);
    server = await startCaptureServer();
    installRoutes(server);
  });
  afterAll(() => server.close());

  /** Runs kubectl; `flags` go before a `--` separator in `args`, if there is one. */
  async function kubectl(args: string[], flags: string[] = []): Promise<string> {
    const sep = args.indexOf('--');
    const all = sep < 0 ? [...args, ...flags] : [...args.slice(0, sep), ...flags, ...args.slice(sep)];
    const { stdout } = await exec(bin, ['--kubeconfig', server.kubeconfig, ...all], { encoding: 'utf8' });
    return stdout;
  }

  /**
   * Runs a command and returns the one write request it sent; kubectl 1.32 and later must have sent it
   * as protobuf unless `protobufFrom` says otherwise (kubectl sends evictions as JSON).
   */
  async function capture(args: string[], flags: string[] = [], protobufFrom = 32): Promise<Captured> {
    server.requests.length = 0;
    await kubectl(args, flags);
    const writes = server.requests.filter((r) => r.method !== 'GET' && r.method !== 'PATCH');
    expect(writes, `${args.join(' ')} sent ${writes.length} writes`).toHaveLength(1);
    const [write] = writes as [Captured];
    expect(write.error, `${args.join(' ')}: ${write.error ?? ''}`).toBeUndefined();
    if (minor >= protobufFrom)
      expect(write.contentType, args.join(' ')).toBe('application/vnd.kubernetes.protobuf');
    return write;
  }

  it.each(GENERATORS.map((g) => [g.slice(1, 3).join(' '), g] as const))(
    'kubectl create %s: the decoded body equals the client-side dry run',
    async (_name, args) => {
      const expected = JSON.parse(await kubectl(args, ['--dry-run=client', '-o', 'json'])) as unknown;
      const write = await capture(args, ['--dry-run=server', '-o', 'json']);
      expect(write.decoded).toEqual(expected);
    },
  );

  it('kubectl autoscale: the HorizontalPodAutoscaler body', async () => {
    const args = ['autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=80'];
    const expected = JSON.parse(await kubectl(args, ['--dry-run=client', '-o', 'json'])) as unknown;
    const write = await capture(args, ['--dry-run=server', '-o', 'json']);
    expect(write.decoded).toEqual(expected);
  });

  it('kubectl create token: the TokenRequest body', async () => {
    const write = await capture([
      'create',
      'token',
      'sa1',
      '--audience=a1',
      '--audience=a2',
      '--duration=10m',
      '--bound-object-kind=Pod',
      '--bound-object-name=p1',
      '--bound-object-uid=u1',
    ]);
    expect(write.url).toMatch(/^\/api\/v1\/namespaces\/default\/serviceaccounts\/sa1\/token/);
    expect(write.decoded).toEqual({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: { creationTimestamp: null },
      spec: {
        audiences: ['a1', 'a2'],
        expirationSeconds: 600,
        boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p1', uid: 'u1' },
      },
      status: { token: '', expirationTimestamp: null },
    });
  });

  it('kubectl auth can-i: SelfSubjectAccessReview bodies', async () => {
    const resource = await capture([
      'auth',
      'can-i',
      'create',
      'deployments.apps',
      '--subresource=scale',
      '-n',
      'kube-system',
    ]);
    expect(resource.decoded).toEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: { creationTimestamp: null },
      spec: {
        resourceAttributes: {
          namespace: 'kube-system',
          verb: 'create',
          group: 'apps',
          resource: 'deployments',
          subresource: 'scale',
        },
      },
      status: { allowed: false },
    });
    const nonResource = await capture(['auth', 'can-i', 'get', '/healthz']);
    expect(nonResource.decoded).toMatchObject({
      spec: { nonResourceAttributes: { path: '/healthz', verb: 'get' } },
      status: { allowed: false },
    });
  });

  it('kubectl auth can-i --list: the SelfSubjectRulesReview body', async () => {
    const write = await capture(['auth', 'can-i', '--list']);
    expect(write.decoded).toEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectRulesReview',
      metadata: { creationTimestamp: null },
      spec: { namespace: 'default' },
      status: { resourceRules: null, nonResourceRules: null, incomplete: false },
    });
  });

  it('kubectl auth whoami: the SelfSubjectReview body', async ({ skip }) => {
    // kubectl before 1.28 asks authentication.k8s.io/v1beta1, which k8ts does not serve.
    if (minor < 28) skip();
    const write = await capture(['auth', 'whoami']);
    expect(write.decoded).toEqual({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
      metadata: { creationTimestamp: null },
      status: { userInfo: {} },
    });
  });

  it('kubectl drain: the Eviction body, and DeleteOptions with --disable-eviction', async () => {
    const eviction = await capture(['drain', 'n1', '--grace-period=0', '--timeout=20s'], [], Infinity);
    expect(eviction.url).toMatch(/^\/api\/v1\/namespaces\/default\/pods\/p1\/eviction/);
    expect(eviction.decoded).toEqual({
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'p1', namespace: 'default', creationTimestamp: null },
      deleteOptions: { gracePeriodSeconds: 0 },
    });
    const del = await capture(['drain', 'n1', '--disable-eviction', '--grace-period=7', '--timeout=20s']);
    expect(del.method).toBe('DELETE');
    expect(del.decoded).toEqual({ apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 7 });
  });
});
