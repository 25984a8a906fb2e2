import { describe, expect, it } from 'vitest';
import {
  credentialsFromSecrets,
  DockerKeyring,
  keyringFromSecrets,
  registryKeyMatches,
  type PullSecret,
} from './pull-secrets.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function dockerConfigJson(auths: Record<string, unknown>, name = 'regcred'): PullSecret {
  return {
    metadata: { name, namespace: 'default' },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) },
  };
}

const user = (u: string): { username: string; password: string } => ({ username: u, password: `${u}-pw` });

describe('registryKeyMatches', () => {
  it.each([
    ['quay.io', 'quay.io/coreos/etcd', true],
    ['quay.io/coreos', 'quay.io/coreos/etcd', true],
    ['quay.io/other', 'quay.io/coreos/etcd', false],
    ['*.example.com', 'reg.example.com/app', true],
    ['*.example.com', 'example.com/app', false],
    ['*.example.com', 'a.b.example.com/app', false],
    ['reg-?.example.com', 'reg-1.example.com/app', true],
    ['127.0.0.1:5000', '127.0.0.1:5000/busybox', true],
    ['127.0.0.1:5000', '127.0.0.1/busybox', false],
    ['127.0.0.1', '127.0.0.1:5000/busybox', false],
    ['docker.io', 'docker.io/library/busybox', true],
    ['index.docker.io', 'docker.io/library/busybox', false],
  ])('%s covers %s: %s', (key, image, want) => {
    expect(registryKeyMatches(key, image)).toBe(want);
  });
});

describe('DockerKeyring', () => {
  it('indexes keys without scheme and /v1/ or /v2/, most specific first', () => {
    const k = new DockerKeyring();
    k.add({
      'https://quay.io': user('host'),
      'quay.io/coreos': user('team'),
      'http://quay.io/v2/': user('v2'),
    });
    expect(k.lookup('quay.io/coreos/etcd')).toEqual([user('team'), user('host'), user('v2')]);
    expect(k.lookup('quay.io/other/x')).toEqual([user('host'), user('v2')]);
    expect(k.lookup('gcr.io/x')).toEqual([]);
  });

  it('decodes the auth field, which wins over username and password', () => {
    const k = new DockerKeyring();
    k.add({ 'reg.example.com': { username: 'ignored', password: 'x', auth: b64('alice:s3cr:et') } });
    expect(k.lookup('reg.example.com/app')).toEqual([{ username: 'alice', password: 's3cr:et' }]);
    const unpadded = new DockerKeyring();
    unpadded.add({ 'r.example.com': { auth: b64('bob:pw').replace(/=+$/, '') } });
    expect(unpadded.lookup('r.example.com/a')).toEqual([{ username: 'bob', password: 'pw' }]);
    expect(() => new DockerKeyring().add({ r: { auth: b64('no-colon') } })).toThrow(
      'unable to parse auth field, must be formatted as base64(username:password)',
    );
  });

  it('uses the index.docker.io entry (as written by docker login) for Docker Hub images', () => {
    const k = new DockerKeyring();
    k.add({ 'https://index.docker.io/v1/': user('hub'), 'ghcr.io': user('gh') });
    expect(k.lookup('docker.io/library/busybox')).toEqual([user('hub')]);
    expect(k.lookup('docker.io/bitnami/nginx')).toEqual([user('hub')]);
    expect(k.lookup('ghcr.io/x/y')).toEqual([user('gh')]);
    expect(k.lookup('quay.io/x/y')).toEqual([]);
    const alias = new DockerKeyring();
    alias.add({ 'registry-1.docker.io': user('r1') });
    expect(alias.lookup('docker.io/library/busybox')).toEqual([user('r1')]);
  });
});

describe('credentialsFromSecrets', () => {
  it('matches pod images against dockerconfigjson secrets, in secret order', () => {
    const secrets = [
      dockerConfigJson({ '127.0.0.1:5000': user('a') }, 's1'),
      { metadata: { name: 'opaque' }, type: 'Opaque', data: { '.dockerconfigjson': b64('{}') } },
      dockerConfigJson({ '127.0.0.1:5000': user('b'), 'docker.io': user('hub') }, 's2'),
    ];
    expect(credentialsFromSecrets('127.0.0.1:5000/busybox:1', secrets)).toEqual([user('a'), user('b')]);
    expect(credentialsFromSecrets('busybox', secrets)).toEqual([user('hub')]);
    expect(credentialsFromSecrets('127.0.0.1:5001/busybox', secrets)).toEqual([]);
    expect(credentialsFromSecrets('busybox', [])).toEqual([]);
  });

  it('reads legacy dockercfg secrets', () => {
    const legacy: PullSecret = {
      type: 'kubernetes.io/dockercfg',
      data: {
        '.dockercfg': b64(JSON.stringify({ 'https://reg.example.com': { auth: b64('u:p'), email: 'x@y' } })),
      },
    };
    expect(credentialsFromSecrets('reg.example.com/team/app:2', [legacy])).toEqual([
      { username: 'u', password: 'p' },
    ]);
  });

  it('ignores secrets of the wrong type or without their key', () => {
    const wrongKey: PullSecret = {
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockercfg': b64('{}') },
    };
    const wrongType: PullSecret = {
      type: 'kubernetes.io/dockercfg',
      data: { '.dockerconfigjson': b64(JSON.stringify({ auths: { 'r.io': user('x') } })) },
    };
    expect(keyringFromSecrets([wrongKey, wrongType, {}]).lookup('r.io/a')).toEqual([]);
  });

  it('names the secret whose config is broken', () => {
    const broken: PullSecret = {
      metadata: { name: 'bad', namespace: 'ns1' },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': b64('{"auths": ') },
    };
    expect(() => credentialsFromSecrets('busybox', [broken])).toThrow(
      'image pull secret ns1/bad: .dockerconfigjson is not valid JSON',
    );
    const badAuth = dockerConfigJson({ 'r.io': { auth: b64('nocolon') } }, 'badauth');
    expect(() => credentialsFromSecrets('r.io/x', [badAuth])).toThrow(
      'image pull secret default/badauth: unable to parse auth field',
    );
  });

  it('rejects a bad image reference', () => {
    expect(() => credentialsFromSecrets('Bad Image', [])).toThrow('invalid reference format');
  });
});
