import { describe, it, expect } from 'vitest';
import type { KubeObject } from '../../../api/meta.js';
import { coreStrategies } from './index.js';
import { create, update } from './testing.js';

const configmaps = coreStrategies['configmaps']!;
const secrets = coreStrategies['secrets']!;

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const KEY_MESSAGE =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

function cm(fields: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, ...fields };
}

function secret(fields: Record<string, unknown>, annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's', namespace: 'default', ...(annotations ? { annotations } : {}) },
    ...fields,
  };
}

describe('configmaps', () => {
  it('accepts valid keys and rejects bad ones with upstream wording', () => {
    expect(
      create(
        configmaps,
        cm({ data: { 'app.conf': 'x', KEY_NAME: 'y' }, binaryData: { 'bin.dat': b64('z') } }),
      ).errors,
    ).toEqual([]);
    expect(create(configmaps, cm({ data: { 'bad key': 'x' } })).errors).toEqual([
      `data[bad key]: Invalid value: "bad key": ${KEY_MESSAGE}`,
    ]);
    expect(create(configmaps, cm({ data: { '..x': 'x' } })).errors).toEqual([
      `data[..x]: Invalid value: "..x": must not start with '..'`,
    ]);
    expect(create(configmaps, cm({ data: { a: 'x' }, binaryData: { a: b64('y') } })).errors).toEqual([
      'data[a]: Invalid value: "a": duplicate of key present in binaryData',
    ]);
  });

  it('limits the total size to 1 MiB', () => {
    expect(create(configmaps, cm({ data: { big: 'x'.repeat(1024 * 1024 + 1) } })).errors).toEqual([
      ': Too long: may not be more than 1048576 bytes',
    ]);
  });

  it('freezes immutable configmaps', () => {
    const stored = create(configmaps, cm({ data: { a: '1' }, immutable: true })).obj;
    expect(update(configmaps, cm({ data: { a: '2' }, immutable: true }), stored).errors).toEqual([
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
    expect(update(configmaps, cm({ data: { a: '1' } }), stored).errors).toEqual([
      'immutable: Forbidden: field is immutable when `immutable` is set',
    ]);
    expect(update(configmaps, cm({ data: { a: '1' }, immutable: true }), stored).errors).toEqual([]);
  });
});

describe('secrets', () => {
  it('defaults the type and folds stringData into data', () => {
    const { obj, errors } = create(
      secrets,
      secret({ stringData: { password: 'hunter2' }, data: { user: b64('bob') } }),
    );
    expect(errors).toEqual([]);
    expect(obj).toMatchObject({ type: 'Opaque', data: { user: b64('bob'), password: b64('hunter2') } });
    expect(obj).not.toHaveProperty('stringData');
    expect(secrets.selectableFields?.(obj)).toEqual({ type: 'Opaque' });
  });

  it('checks the keys each type requires', () => {
    const cases: [KubeObject, string[]][] = [
      [
        secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c') } }),
        ['data[tls.key]: Required value'],
      ],
      [
        secret({ type: 'kubernetes.io/basic-auth', data: {} }),
        ['data[username]: Required value', 'data[password]: Required value'],
      ],
      [
        secret({ type: 'kubernetes.io/ssh-auth', data: { 'ssh-privatekey': '' } }),
        ['data[ssh-privatekey]: Required value'],
      ],
      [
        secret({ type: 'kubernetes.io/dockerconfigjson', data: {} }),
        ['data[.dockerconfigjson]: Required value'],
      ],
      [
        secret({ type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('<html>') } }),
        [
          'data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": invalid character \'<\' looking for beginning of value',
        ],
      ],
      [
        secret({ type: 'kubernetes.io/dockercfg', data: { '.dockercfg': b64('not json') } }),
        [
          "data[.dockercfg]: Invalid value: \"<secret contents redacted>\": invalid character 'o' in literal null (expecting 'u')",
        ],
      ],
      [
        secret({ type: 'kubernetes.io/dockercfg', data: { '.dockercfg': b64('[]') } }),
        [
          'data[.dockercfg]: Invalid value: "<secret contents redacted>": json: cannot unmarshal array into Go value of type map[string]interface {}',
        ],
      ],
      [
        secret({
          type: 'kubernetes.io/dockerconfigjson',
          data: { '.dockerconfigjson': b64('{"auths":{}}') },
        }),
        [],
      ],
      [
        secret({ type: 'kubernetes.io/service-account-token' }),
        ['metadata.annotations[kubernetes.io/service-account.name]: Required value'],
      ],
      [
        secret(
          { type: 'kubernetes.io/service-account-token' },
          { 'kubernetes.io/service-account.name': 'default' },
        ),
        [],
      ],
      [secret({ type: 'example.com/custom', data: { x: b64('y') } }), []],
    ];
    for (const [s, want] of cases) expect(create(secrets, s).errors).toEqual(want);
  });

  it('limits size and keeps the type and immutable data', () => {
    const big = Buffer.alloc(1024 * 1024 + 1).toString('base64');
    expect(create(secrets, secret({ data: { big } })).errors).toEqual([
      'data: Too long: may not be more than 1048576 bytes',
    ]);
    const stored = create(secrets, secret({ data: { a: b64('1') }, immutable: true })).obj;
    expect(
      update(secrets, secret({ type: 'kubernetes.io/tls', data: { a: b64('2') }, immutable: true }), stored)
        .errors,
    ).toEqual([
      'type: Invalid value: "kubernetes.io/tls": field is immutable',
      'data: Forbidden: field is immutable when `immutable` is set',
      'data[tls.crt]: Required value',
      'data[tls.key]: Required value',
    ]);
  });
});

describe('serviceaccounts', () => {
  it('validates nothing beyond metadata', () => {
    const sa = coreStrategies['serviceaccounts']!;
    expect(
      create(sa, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder' } }).errors,
    ).toEqual([]);
    expect(sa.nameValidation ?? 'subdomain').toBe('subdomain');
  });
});
