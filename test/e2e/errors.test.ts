/**
 * Issue 2 acceptance, refusals with kubectl 1.32 and 1.27: invalid manifests give upstream's errors
 * and a non-zero exit, and leave nothing stored; a stale `replace` is a 409 Conflict; a body over
 * 3 MiB is 413; an unparsable label selector is 400.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf } from '../support/api.js';
import { KUBECTL_VERSIONS, kubectlFails, kubectlOk } from '../support/kubectl.js';
import { configMap, deployment, uniqueName, writeFile, yamlStream, type Obj } from '../support/manifests.js';
import { create, createNamespace, getPath, mergePatch } from '../support/objects.js';
import { startServer, type TestServer } from '../support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

const DNS1123_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must " +
  "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is " +
  "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

describe.each(KUBECTL_VERSIONS)('kubectl %s', (version) => {
  const ns = uniqueName(`err-${version.replace('.', '')}`);
  const file = (name: string, content: string): string => writeFile(server, `${version}-${name}`, content);
  const fails = (...args: string[]) => kubectlFails(server, args, { version });

  /** The names of every object of the namespace's main kinds, to prove nothing was half-written. */
  async function stored(): Promise<string[]> {
    const out = await kubectlOk(
      server,
      ['-n', ns, 'get', 'configmaps,deployments,pods,services', '-o', 'name'],
      {
        version,
      },
    );
    return out
      .trim()
      .split('\n')
      .filter((l) => l && l !== 'configmap/kube-root-ca.crt');
  }

  beforeAll(async () => {
    await createNamespace(server, ns);
    await create(server, configMap(ns, 'existing'));
  });

  it('a name that is not a DNS-1123 subdomain is Invalid', async () => {
    const f = file('bad-name.yaml', yamlStream([configMap(ns, 'Bad_Name')]));
    const r = await fails('apply', '-f', f);
    expect(r.stderr).toContain(
      `The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${DNS1123_SUBDOMAIN}`,
    );
  });

  it('a field of the wrong type is rejected', async () => {
    const d = deployment(ns, 'typed', 1);
    (d['spec'] as Obj)['replicas'] = 'three';
    const r = await fails('apply', '-f', file('wrong-type.yaml', yamlStream([d])));
    // Server-side field validation (kubectl's default when the server supports it) decodes like upstream.
    expect(r.stderr).toContain(
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
  });

  it('an unknown field is rejected with --validate=strict', async () => {
    const d = deployment(ns, 'strict', 1);
    (d['spec'] as Obj)['bogus'] = 1;
    const r = await fails('apply', '--validate=strict', '-f', file('unknown-field.yaml', yamlStream([d])));
    expect(r.stderr).toContain('strict decoding error: unknown field "spec.bogus"');
  });

  it('an unknown kind is refused', async () => {
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: ns } };
    const r = await fails('apply', '-f', file('unknown-kind.yaml', yamlStream([widget])));
    expect(r.stderr).toContain('no matches for kind "Widget" in version "example.com/v1"');
    const r2 = await fails(
      'apply',
      '-f',
      file('unknown-kind-v1.yaml', yamlStream([{ ...widget, apiVersion: 'v1' }])),
    );
    expect(r2.stderr).toContain('no matches for kind "Widget" in version "v1"');
  });

  it('malformed YAML is refused', async () => {
    const f = file(
      'malformed.yaml',
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\n data: [\n`,
    );
    const r = await fails('apply', '-f', f);
    expect(r.stderr).toMatch(/error converting YAML to JSON: yaml: line \d+:/);
  });

  it('a Deployment whose selector does not match its template labels is Invalid', async () => {
    const d = deployment(ns, 'mismatch', 1);
    (d['spec'] as { template: { metadata: Obj } }).template.metadata = { labels: { app: 'other' } };
    const r = await fails('apply', '-f', file('mismatch.yaml', yamlStream([d])));
    expect(r.stderr).toContain(
      'The Deployment "mismatch" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
    );
  });

  it('a body over 3 MiB is 413 Request Entity Too Large', async () => {
    const big = configMap(ns, 'huge', { blob: 'x'.repeat(3 * 1024 * 1024 + 1024) });
    const f = file('huge.json', JSON.stringify(big));
    const r = await fails('create', '-f', f);
    expect(r.stderr).toContain('Error from server (RequestEntityTooLarge)');
    expect(r.stderr).toContain('Request entity too large: limit is 3145728');
    const raw = await server.admin.request('POST', `/api/v1/namespaces/${ns}/configmaps`, fs.readFileSync(f));
    expect(raw.status).toBe(413);
    expect(jsonOf(raw)).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'RequestEntityTooLarge',
      code: 413,
    });
  });

  it('an unparsable label selector is 400', async () => {
    const r = await fails('-n', ns, 'get', 'pods', '-l', 'a b');
    expect(r.stderr).toMatch(/^Error from server \(BadRequest\): /);
    expect(r.stderr).toContain("found 'b', expected: in, notin, =, ==, !=, gt, lt");
  });

  it('nothing was half-written', async () => {
    expect(await stored()).toEqual(['configmap/existing']);
  });

  it('replace with an old resourceVersion is a 409 Conflict', async () => {
    const old = await kubectlOk(server, ['-n', ns, 'get', 'configmap', 'existing', '-o', 'yaml'], {
      version,
    });
    await mergePatch(server, `/api/v1/namespaces/${ns}/configmaps/existing`, { data: { key: 'changed' } });
    const f = file('stale.yaml', old.replace('key: value', 'key: mine'));
    const r = await fails('replace', '-f', f);
    expect(r.stderr.trim()).toBe(
      `Error from server (Conflict): error when replacing "${f}": Operation cannot be fulfilled on configmaps "existing": ` +
        'the object has been modified; please apply your changes to the latest version and try again',
    );
    const now = await getPath<{ data: Record<string, string> }>(
      server,
      `/api/v1/namespaces/${ns}/configmaps/existing`,
    );
    expect(now?.data).toEqual({ key: 'changed' });
  });
});

describe('duplicate keys in a JSON body', () => {
  const ns = uniqueName('err-dup');
  const body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup"},"data":{"a":"1","a":"2"}}';
  const path = (mode: string): string => `/api/v1/namespaces/${ns}/configmaps?fieldValidation=${mode}`;

  beforeAll(async () => {
    await createNamespace(server, ns);
  });

  it('fieldValidation=Strict refuses them, naming the field', async () => {
    const r = await server.admin.request('POST', path('Strict'), body);
    expect(r.status).toBe(400);
    expect(jsonOf<{ message: string }>(r).message).toContain(
      'strict decoding error: duplicate field "data.a"',
    );
  });

  it('fieldValidation=Warn stores the last value and warns', async () => {
    const r = await server.admin.request('POST', path('Warn'), body);
    expect(r.status).toBe(201);
    expect(String(r.headers['warning'])).toContain('duplicate field');
    expect(jsonOf<{ data: Record<string, string> }>(r).data).toEqual({ a: '2' });
  });
});
