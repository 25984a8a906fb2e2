/**
 * Issue 2 acceptance: a namespace, then one multi-document manifest with an object of every kind the
 * server serves, applied with the real kubectl (1.32 and 1.27); every object reads back; `get` prints
 * upstream's table columns for each kind; a second apply changes nothing; `delete -f` removes all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL_VERSIONS, kubectlJson, kubectlOk } from '../support/kubectl.js';
import { everyKind, uniqueName, writeFile, yamlStream } from '../support/manifests.js';
import { pollUntil } from '../support/poll.js';
import { startServer, type TestServer } from '../support/server.js';
import { headerOf } from '../support/table.js';

/** Upstream's default (non-wide) columns per resource, as kubectl prints them. */
const HEADERS: Record<string, string> = {
  pods: 'NAME READY STATUS RESTARTS AGE',
  services: 'NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE',
  endpoints: 'NAME ENDPOINTS AGE',
  configmaps: 'NAME DATA AGE',
  secrets: 'NAME TYPE DATA AGE',
  serviceaccounts: 'NAME SECRETS AGE',
  nodes: 'NAME STATUS ROLES AGE VERSION',
  events: 'LAST SEEN TYPE REASON OBJECT MESSAGE',
  persistentvolumes:
    'NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE',
  persistentvolumeclaims: 'NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE',
  limitranges: 'NAME CREATED AT',
  resourcequotas: 'NAME REQUEST LIMIT AGE',
  namespaces: 'NAME STATUS AGE',
  'deployments.apps': 'NAME READY UP-TO-DATE AVAILABLE AGE',
  'replicasets.apps': 'NAME DESIRED CURRENT READY AGE',
  'statefulsets.apps': 'NAME READY AGE',
  'daemonsets.apps': 'NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE',
  'controllerrevisions.apps': 'NAME CONTROLLER REVISION AGE',
  'jobs.batch': 'NAME STATUS COMPLETIONS DURATION AGE',
  'cronjobs.batch': 'NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE',
  'horizontalpodautoscalers.autoscaling': 'NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE',
  'ingresses.networking.k8s.io': 'NAME CLASS HOSTS ADDRESS PORTS AGE',
  'ingressclasses.networking.k8s.io': 'NAME CONTROLLER PARAMETERS AGE',
  'networkpolicies.networking.k8s.io': 'NAME POD-SELECTOR AGE',
  'endpointslices.discovery.k8s.io': 'NAME ADDRESSTYPE PORTS ENDPOINTS AGE',
  'leases.coordination.k8s.io': 'NAME HOLDER AGE',
  'events.events.k8s.io': 'LAST SEEN TYPE REASON OBJECT MESSAGE',
  'roles.rbac.authorization.k8s.io': 'NAME CREATED AT',
  'clusterroles.rbac.authorization.k8s.io': 'NAME CREATED AT',
  'rolebindings.rbac.authorization.k8s.io': 'NAME ROLE AGE',
  'clusterrolebindings.rbac.authorization.k8s.io': 'NAME ROLE AGE',
  'storageclasses.storage.k8s.io':
    'NAME PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE ALLOWVOLUMEEXPANSION AGE',
  'poddisruptionbudgets.policy': 'NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE',
  'priorityclasses.scheduling.k8s.io': 'NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY',
};

/** Header columns joined by single spaces, as in {@link HEADERS}. */
function header(table: string): string {
  return headerOf(table).join(' ');
}

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

describe.each(KUBECTL_VERSIONS)('kubectl %s', (version) => {
  const ns = uniqueName(`every-${version.replace('.', '')}`);
  const { objects, entries } = everyKind(ns);
  let file = '';

  it('creates a namespace', async () => {
    const out = await kubectlOk(server, ['create', 'namespace', ns], { version });
    expect(out.trim()).toBe(`namespace/${ns} created`);
    const got = await kubectlJson<{ status?: { phase?: string } }>(server, ['get', 'namespace', ns], {
      version,
    });
    expect(got.status?.phase).toBe('Active');
  });

  it('applies a manifest with an object of every kind', async () => {
    file = writeFile(server, `${ns}.yaml`, yamlStream(objects));
    const out = await kubectlOk(server, ['apply', '-f', file], { version });
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(objects.length);
    for (const line of lines) expect(line).toMatch(/^[a-z0-9.]+\/[a-z0-9.-]+ created$/);
  });

  it('reads every object back', async () => {
    const refs = entries.map((e) => `${e.resource}/${e.name}`);
    const list = await kubectlJson<{ items: { kind: string; metadata: { name: string; uid?: string } }[] }>(
      server,
      ['get', '-n', ns, ...refs],
      { version },
    );
    expect(list.items.map((i) => `${i.kind}/${i.metadata.name}`)).toEqual(
      objects.map((o) => `${String(o['kind'])}/${(o['metadata'] as { name: string }).name}`),
    );
    for (const item of list.items) expect(item.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('prints upstream table columns for every kind', async () => {
    const resources = Object.keys(HEADERS);
    const tables = await Promise.all(
      resources.map((r) =>
        kubectlOk(server, ['get', r, ...(r === 'namespaces' ? [] : ['-n', ns])], { version }),
      ),
    );
    const got = Object.fromEntries(resources.map((r, i) => [r, header(tables[i] ?? '')]));
    expect(got).toEqual(HEADERS);
  });

  it('a second apply of the same manifest changes only what upstream changes', async () => {
    const out = await kubectlOk(server, ['apply', '-f', file], { version });
    const configured = out
      .trim()
      .split('\n')
      .filter((l) => !l.endsWith(' unchanged'));
    // As with upstream, a re-apply patches (and reports "configured") only where the manifest can never
    // match the live object: stringData is folded into data; defaults land inside lists that patch as a
    // whole (Endpoints subsets' port protocol, LimitRange limits' defaults); PDB spec.selector has the
    // "replace" patch strategy, which kubectl always sends.
    expect(configured).toEqual([
      'endpoints/manual configured',
      'secret/creds configured',
      'limitrange/limits configured',
      'poddisruptionbudget.policy/api configured',
    ]);
  });

  it('delete -f removes every object', async () => {
    await kubectlOk(server, ['delete', '-f', file, '--wait=false'], { version });
    const refs = entries.filter((e) => e.resource !== 'namespaces').map((e) => `${e.resource}/${e.name}`);
    await pollUntil(
      'every object of the manifest to be gone',
      async () =>
        kubectlOk(server, ['get', '-n', ns, ...refs, '--ignore-not-found', '-o', 'name'], { version }),
      (out) => out.trim() === '',
    );
  });
});
