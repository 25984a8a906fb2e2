import { describe, expect, it } from 'vitest';
import { definitions } from '../types/index.js';
import { decodeProtobufObject, isKubernetesProtobuf, ProtobufDecodeError } from './index.js';

// A tiny protobuf writer for building test bodies by hand.
type Bytes = number[];
const varint = (n: number | bigint): Bytes => {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: Bytes = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return out;
};
const tag = (no: number, wt: number): Bytes => varint((no << 3) | wt);
const int = (no: number, n: number | bigint): Bytes => [...tag(no, 0), ...varint(n)];
const bytes = (no: number, b: Bytes | Buffer): Bytes => [...tag(no, 2), ...varint(b.length), ...b];
const str = (no: number, s: string): Bytes => bytes(no, Buffer.from(s, 'utf8'));
const msg = (no: number, ...parts: Bytes[]): Bytes => bytes(no, parts.flat());
const entry = (no: number, key: string, value: Bytes): Bytes => msg(no, str(1, key), value);
const envelope = (apiVersion: string, kind: string, ...fields: Bytes[]): Buffer =>
  Buffer.from([
    0x6b,
    0x38,
    0x73,
    0x00,
    ...msg(1, str(1, apiVersion), str(2, kind)),
    ...bytes(2, fields.flat()),
  ]);
const decode = (body: Uint8Array): Record<string, unknown> => decodeProtobufObject(body, definitions).object;

// Request bodies captured from the real kubectl v1.33 (auth whoami, auth can-i, auth can-i --list).
const CAPTURED = {
  whoami:
    'azhzAAotChhhdXRoZW50aWNhdGlvbi5rOHMuaW8vdjESEVNlbGZTdWJqZWN0UmV2aWV3EhoKEAoAEgAaACIAKgAyADgAQgASBgoECgASABoAIgA=',
  canIListPods:
    'azhzAAoyChdhdXRob3JpemF0aW9uLms4cy5pby92MRIXU2VsZlN1YmplY3RBY2Nlc3NSZXZpZXcSPQoQCgASABoAIgAqADIAOABCABIfCh0KB2RlZmF1bHQSBGxpc3QaACIAKgRwb2RzMgA6ABoICAASABoAIAAaACIA',
  canIList:
    'azhzAAoxChdhdXRob3JpemF0aW9uLms4cy5pby92MRIWU2VsZlN1YmplY3RSdWxlc1JldmlldxIjChAKABIAGgAiACoAMgA4AEIAEgkKB2RlZmF1bHQaBBgAIgAaACIA',
};

describe('decodeProtobufObject', () => {
  it('reads bodies captured from kubectl', () => {
    expect(decode(Buffer.from(CAPTURED.whoami, 'base64'))).toEqual({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
      metadata: { creationTimestamp: null },
      status: { userInfo: {} },
    });
    expect(decode(Buffer.from(CAPTURED.canIListPods, 'base64'))).toEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: { creationTimestamp: null },
      spec: { resourceAttributes: { namespace: 'default', verb: 'list', resource: 'pods' } },
      status: { allowed: false },
    });
    expect(decode(Buffer.from(CAPTURED.canIList, 'base64'))).toEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectRulesReview',
      metadata: { creationTimestamp: null },
      spec: { namespace: 'default' },
      status: { resourceRules: null, nonResourceRules: null, incomplete: false },
    });
  });

  it('returns apiVersion and kind from the envelope, and accepts a plain Uint8Array', () => {
    const body = envelope('v1', 'Namespace', msg(1, str(1, 'ns1')));
    const decoded = decodeProtobufObject(new Uint8Array(body), definitions);
    expect(decoded.apiVersion).toBe('v1');
    expect(decoded.kind).toBe('Namespace');
    expect(decoded.object).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' } });
    expect(isKubernetesProtobuf(body)).toBe(true);
  });

  it('keeps zero values of pointer and non-omitempty fields and drops the others', () => {
    const pod = decode(
      envelope(
        'v1',
        'Pod',
        msg(1, str(1, 'p'), str(2, ''), int(7, 0)),
        msg(
          2,
          msg(2, str(1, 'c'), str(2, ''), msg(6, int(2, 0), int(3, 0)), int(16, 0)),
          int(4, 0), // terminationGracePeriodSeconds *int64
          int(11, 0), // hostNetwork bool,omitempty
          int(21, 0), // automountServiceAccountToken *bool
          int(25, -5), // priority *int32, negative: ten-byte varint
        ),
      ),
    );
    expect(pod).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        containers: [{ name: 'c', ports: [{ containerPort: 0 }] }],
        terminationGracePeriodSeconds: 0,
        automountServiceAccountToken: false,
        priority: -5,
      },
    });
  });

  it('prints unset lists without omitempty as null, as upstream JSON does', () => {
    const role = decode(envelope('rbac.authorization.k8s.io/v1', 'ClusterRole', msg(1, str(1, 'r'))));
    expect(role).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'r' },
      rules: null,
    });
  });

  it('flattens inlined structs and reads IntOrString, Quantity, maps and packed numbers', () => {
    const pod = decode(
      envelope(
        'v1',
        'Pod',
        msg(
          2,
          // volumes[0]: name, VolumeSource (inlined) { configMap { LocalObjectReference (inlined) {name}, defaultMode } }
          msg(1, str(1, 'cfg'), msg(2, msg(19, msg(1, str(1, 'settings')), int(3, 0o644)))),
          msg(
            2,
            str(1, 'c'),
            msg(8, entry(1, 'cpu', msg(2, str(1, '500m'))), entry(2, 'memory', msg(2))),
            msg(10, msg(1, msg(2, msg(2, int(1, 1), str(3, 'http')))), int(2, 3)),
            msg(11, msg(1, msg(3, msg(1, int(1, 0), int(2, 8080))))),
          ),
          // securityContext.supplementalGroups: one packed run and one unpacked element
          msg(14, bytes(4, [...varint(1), ...varint(2)]), int(4, 3)),
          entry(7, 'disk', str(2, 'ssd')),
        ),
      ),
    );
    expect(pod['spec']).toEqual({
      volumes: [{ name: 'cfg', configMap: { name: 'settings', defaultMode: 420 } }],
      containers: [
        {
          name: 'c',
          resources: { limits: { cpu: '500m' }, requests: { memory: '0' } },
          livenessProbe: { httpGet: { port: 'http' }, initialDelaySeconds: 3 },
          readinessProbe: { tcpSocket: { port: 8080 } },
        },
      ],
      securityContext: { supplementalGroups: [1, 2, 3] },
      nodeSelector: { disk: 'ssd' },
    });
  });

  it('formats Time with seconds and MicroTime with microseconds; an empty time is null', () => {
    const event = decode(
      envelope(
        'v1',
        'Event',
        msg(1, str(1, 'e'), msg(8, int(1, 1700000000), int(2, 999))),
        msg(6),
        msg(10, int(1, 1700000000), int(2, 123456789)),
        msg(11, int(1, 2), msg(2, int(1, 0), int(2, 1000))),
      ),
    );
    expect(event).toMatchObject({
      metadata: { name: 'e', creationTimestamp: '2023-11-14T22:13:20Z' },
      firstTimestamp: null,
      eventTime: '2023-11-14T22:13:20.123456Z',
      series: { count: 2, lastObservedTime: '1970-01-01T00:00:00.000001Z' },
    });
  });

  it('reads []byte maps as base64 and map[string][]string values from their wrapper', () => {
    const secret = decode(
      envelope('v1', 'Secret', entry(2, 'bin', bytes(2, [0, 1, 0xff])), str(3, 'Opaque')),
    );
    expect(secret).toMatchObject({ data: { bin: 'AAH/' }, type: 'Opaque' });
    const sar = decode(
      envelope(
        'authorization.k8s.io/v1',
        'SubjectAccessReview',
        msg(
          2,
          str(3, 'alice'),
          entry(5, 'scopes', msg(2, str(1, 'a'), str(1, 'b'))),
          entry(5, 'none', msg(2)),
        ),
      ),
    );
    expect(sar['spec']).toEqual({ user: 'alice', extra: { scopes: ['a', 'b'], none: [] } });
  });

  it('parses embedded JSON (RawExtension, FieldsV1) and enveloped protobuf objects', () => {
    const revision = decode(
      envelope(
        'apps/v1',
        'ControllerRevision',
        msg(
          1,
          str(1, 'rev'),
          msg(17, str(1, 'kubectl'), str(2, 'Apply'), str(6, 'FieldsV1'), msg(7, str(1, '{"f:data":{}}'))),
        ),
        msg(2, str(1, '{"spec":{"x":1}}')),
        int(3, 2),
      ),
    );
    expect(revision).toEqual({
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: 'rev',
        managedFields: [
          { manager: 'kubectl', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } },
        ],
      },
      data: { spec: { x: 1 } },
      revision: 2,
    });
    const inner = envelope('v1', 'ConfigMap', msg(1, str(1, 'inner')));
    const nested = decode(envelope('apps/v1', 'ControllerRevision', msg(2, bytes(1, inner)), int(3, 0)));
    expect(nested['data']).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'inner' } });
    expect(nested['revision']).toBe(0);
  });

  it('skips field numbers it does not know', () => {
    const ns = decode(
      envelope(
        'v1',
        'Namespace',
        int(99, 7),
        msg(1, str(1, 'ns'), str(40, 'future'), [...tag(41, 5), 1, 2, 3, 4]),
      ),
    );
    expect(ns).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
  });

  it('rejects malformed bodies with a ProtobufDecodeError', () => {
    const bad = (body: Buffer): unknown => {
      try {
        decode(body);
      } catch (err) {
        expect(err).toBeInstanceOf(ProtobufDecodeError);
        return (err as Error).message;
      }
      return 'no error';
    };
    expect(bad(Buffer.from('{"kind":"Pod"}'))).toMatch(/missing "k8s\\0" prefix/);
    const pod = envelope('v1', 'Pod', msg(1, str(1, 'pod-name')));
    expect(bad(pod.subarray(0, pod.length - 3))).toMatch(/truncated/);
    expect(bad(envelope('v1', 'Gizmo'))).toBe('no kind "Gizmo" is registered for version "v1"');
    expect(bad(envelope('v1', 'Namespace', int(1, 5)))).toMatch(
      /Namespace\.metadata: wire type 0, expected 2/,
    );
    expect(bad(envelope('apps/v1', 'ControllerRevision', msg(2, str(1, '{nope'))))).toMatch(/embedded JSON/);
    const gzip = Buffer.from([
      0x6b,
      0x38,
      0x73,
      0,
      ...msg(1, str(1, 'v1'), str(2, 'Pod')),
      ...str(3, 'gzip'),
    ]);
    expect(bad(gzip)).toBe('unsupported protobuf content encoding "gzip"');
  });
});
