import { describe, expect, it } from 'vitest';
import { defaultPullPolicy, parseImageRef } from './reference.js';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('parseImageRef', () => {
  it.each([
    ['busybox', 'docker.io', 'library/busybox', undefined, undefined, 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io', 'library/busybox', '1.36', undefined, 'docker.io/library/busybox:1.36'],
    [
      'library/busybox',
      'docker.io',
      'library/busybox',
      undefined,
      undefined,
      'docker.io/library/busybox:latest',
    ],
    ['bitnami/nginx:1', 'docker.io', 'bitnami/nginx', '1', undefined, 'docker.io/bitnami/nginx:1'],
    [
      'docker.io/busybox',
      'docker.io',
      'library/busybox',
      undefined,
      undefined,
      'docker.io/library/busybox:latest',
    ],
    [
      'index.docker.io/busybox:1',
      'docker.io',
      'library/busybox',
      '1',
      undefined,
      'docker.io/library/busybox:1',
    ],
    ['k8ts.local/pause:3.10', 'k8ts.local', 'pause', '3.10', undefined, 'k8ts.local/pause:3.10'],
    ['127.0.0.1:5000/busybox:1', '127.0.0.1:5000', 'busybox', '1', undefined, '127.0.0.1:5000/busybox:1'],
    ['localhost/app', 'localhost', 'app', undefined, undefined, 'localhost/app:latest'],
    ['localhost:5000/a/b/c', 'localhost:5000', 'a/b/c', undefined, undefined, 'localhost:5000/a/b/c:latest'],
    [
      'quay.io/coreos/etcd@' + DIGEST,
      'quay.io',
      'coreos/etcd',
      undefined,
      DIGEST,
      `quay.io/coreos/etcd@${DIGEST}`,
    ],
    [
      'nginx:1.27@' + DIGEST,
      'docker.io',
      'library/nginx',
      '1.27',
      DIGEST,
      `docker.io/library/nginx:1.27@${DIGEST}`,
    ],
    ['[::1]:5000/img:v1', '[::1]:5000', 'img', 'v1', undefined, '[::1]:5000/img:v1'],
    [
      'my-reg.example.com/a_b/c__d/e-f:T.1-x',
      'my-reg.example.com',
      'a_b/c__d/e-f',
      'T.1-x',
      undefined,
      'my-reg.example.com/a_b/c__d/e-f:T.1-x',
    ],
  ])('%s', (image, registry, repository, tag, digest, normalized) => {
    const ref = parseImageRef(image);
    expect(ref).toEqual({
      registry,
      repository,
      ...(tag ? { tag } : {}),
      ...(digest ? { digest } : {}),
      name: `${registry}/${repository}`,
      normalized,
    });
  });

  it.each([
    ['', 'invalid reference format'],
    ['Busybox', 'invalid reference format: repository name (Busybox) must be lowercase'],
    ['docker.io/Library/x', 'invalid reference format: repository name (Library/x) must be lowercase'],
    ['busybox:', 'invalid reference format'],
    ['busybox:bad tag', 'invalid reference format'],
    ['-busybox', 'invalid reference format'],
    ['a//b', 'invalid reference format'],
    ['busybox@sha256:abc', 'invalid reference format'],
    [`busybox@sha256:${'a'.repeat(40)}`, 'invalid checksum digest length'],
    ['0123456789abcdef'.repeat(4), 'cannot specify 64-byte hexadecimal strings'],
    [`example.com/${'a'.repeat(250)}`, 'must not be more than 255 characters'],
  ])('rejects %j', (image, message) => {
    expect(() => parseImageRef(image)).toThrow(message);
  });
});

describe('defaultPullPolicy', () => {
  it.each([
    ['busybox', 'Always'],
    ['busybox:latest', 'Always'],
    ['k8ts.local/busybox:1', 'IfNotPresent'],
    [`busybox@${DIGEST}`, 'IfNotPresent'],
    [`busybox:latest@${DIGEST}`, 'Always'],
    ['127.0.0.1:5000/busybox', 'Always'],
    ['NOT VALID', 'IfNotPresent'],
  ])('%s → %s', (image, policy) => {
    expect(defaultPullPolicy(image)).toBe(policy);
  });
});
