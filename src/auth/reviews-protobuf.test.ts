import { describe, expect, it } from 'vitest';
import { decodeReviewProtobuf, isKubernetesProtobuf } from './reviews-protobuf.js';

// Request bodies captured from the real kubectl v1.33 (auth whoami, auth can-i, auth can-i --list).
const WHOAMI =
  'azhzAAotChhhdXRoZW50aWNhdGlvbi5rOHMuaW8vdjESEVNlbGZTdWJqZWN0UmV2aWV3EhoKEAoAEgAaACIAKgAyADgAQgASBgoECgASABoAIgA=';
const CAN_I_LIST_PODS =
  'azhzAAoyChdhdXRob3JpemF0aW9uLms4cy5pby92MRIXU2VsZlN1YmplY3RBY2Nlc3NSZXZpZXcSPQoQCgASABoAIgAqADIAOABCABIfCh0KB2RlZmF1bHQSBGxpc3QaACIAKgRwb2RzMgA6ABoICAASABoAIAAaACIA';
const CAN_I_GET_VERSION =
  'azhzAAoyChdhdXRob3JpemF0aW9uLms4cy5pby92MRIXU2VsZlN1YmplY3RBY2Nlc3NSZXZpZXcSLwoQCgASABoAIgAqADIAOABCABIREg8KCC92ZXJzaW9uEgNnZXQaCAgAEgAaACAAGgAiAA==';
const CAN_I_LIST =
  'azhzAAoxChdhdXRob3JpemF0aW9uLms4cy5pby92MRIWU2VsZlN1YmplY3RSdWxlc1JldmlldxIjChAKABIAGgAiACoAMgA4AEIAEgkKB2RlZmF1bHQaBBgAIgAaACIA';

const bytes = (b64: string): Buffer => Buffer.from(b64, 'base64');

describe('decodeReviewProtobuf', () => {
  it('reads what kubectl auth whoami and can-i send', () => {
    expect(decodeReviewProtobuf(bytes(WHOAMI))).toEqual({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
      metadata: {},
    });
    expect(decodeReviewProtobuf(bytes(CAN_I_LIST_PODS))).toEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: {},
      spec: { resourceAttributes: { namespace: 'default', verb: 'list', resource: 'pods' } },
    });
    expect(decodeReviewProtobuf(bytes(CAN_I_GET_VERSION))).toMatchObject({
      spec: { nonResourceAttributes: { path: '/version', verb: 'get' } },
    });
    expect(decodeReviewProtobuf(bytes(CAN_I_LIST))).toEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectRulesReview',
      metadata: {},
      spec: { namespace: 'default' },
    });
  });

  it('rejects other bodies clearly', () => {
    expect(isKubernetesProtobuf(Buffer.from('{"kind":"x"}'))).toBe(false);
    expect(() => decodeReviewProtobuf(Buffer.from('{}'))).toThrow(/missing "k8s\\0" prefix/);
    expect(() => decodeReviewProtobuf(bytes(CAN_I_LIST_PODS).subarray(0, 30))).toThrow(/truncated/);
    // An envelope naming a kind that is not a review.
    const pod = Buffer.concat([
      Buffer.from('k8s\0', 'latin1'),
      Buffer.from([0x0a, 0x07, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x01, 0x50]),
    ]);
    expect(() => decodeReviewProtobuf(pod)).toThrow('protobuf decoding is not supported for kind "P"');
  });
});
