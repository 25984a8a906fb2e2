import { describe, expect, it } from 'vitest';
import { CORE, obj, p } from './dsl.js';
import { QUANTITY_FORMAT_ERROR, QUANTITY_SUFFIX_ERROR } from './scalars.js';
import {
  checkStructure,
  dropUnknownFields,
  duplicateFieldMessage,
  strictDecodingMessage,
  unknownFieldMessage,
} from './structural.js';
import { miniRegistry, podGvk, secretGvk } from './testing/mini-schema.js';
import type { Definition } from './types.js';

const registry = miniRegistry();
const podDef = registry.forKind(podGvk) as Definition;
const secretDef = registry.forKind(secretGvk) as Definition;

function pod(
  spec: Record<string, unknown>,
  metadata: Record<string, unknown> = { name: 'p' },
): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

function typeErrors(o: unknown, def = podDef): string[] {
  return checkStructure(o, def, registry).typeErrors.map((e) => e.message);
}

describe('unknown fields', () => {
  it('names unknown fields by path, as upstream does', () => {
    const o = pod(
      { containers: [{ name: 'a', imagee: 'x' }, { name: 'b' }], foo: 1 },
      { name: 'p', labelss: { a: 'b' } },
    );
    expect(checkStructure(o, podDef, registry).unknownFields).toEqual([
      'metadata.labelss',
      'spec.containers[0].imagee',
      'spec.foo',
    ]);
  });

  it('knows nothing unknown under any-typed values and map values', () => {
    const o = pod(
      {},
      { name: 'p', labels: { anything: 'goes' }, managedFields: [{ fieldsV1: { 'f:x': {} } }] },
    );
    expect(checkStructure(o, podDef, registry).unknownFields).toEqual([]);
  });

  it('always knows apiVersion, kind and metadata at the root', () => {
    const bare = obj(CORE + 'Bare', 'No standard fields.', { spec: p.string('Spec.') });
    const o = { apiVersion: 'v1', kind: 'Bare', metadata: { name: 'n', nope: 1 }, spec: 's', other: 2 };
    expect(checkStructure(o, bare, registry).unknownFields).toEqual(['metadata.nope', 'other']);
  });

  it('drops unknown fields and returns their paths', () => {
    const o = pod({ containers: [{ name: 'a', imagee: 'x' }], foo: 1 });
    expect(dropUnknownFields(o, podDef, registry)).toEqual(['spec.containers[0].imagee', 'spec.foo']);
    expect(o).toEqual(pod({ containers: [{ name: 'a' }] }));
  });

  it('words messages like upstream strict decoding', () => {
    expect(strictDecodingMessage([unknownFieldMessage('spec.foo'), duplicateFieldMessage('spec.bar')])).toBe(
      'strict decoding error: unknown field "spec.foo", duplicate field "spec.bar"',
    );
  });
});

describe('type errors', () => {
  it('reports an object where a list is expected', () => {
    expect(typeErrors(pod({ containers: { name: 'a' } }))).toEqual([
      'json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container',
    ]);
  });

  it('reports a string where an integer is expected, and non-integers', () => {
    expect(typeErrors(pod({ terminationGracePeriodSeconds: '30' }))).toEqual([
      'json: cannot unmarshal string into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64',
    ]);
    expect(typeErrors(pod({ containers: [{ name: 'a', ports: [{ containerPort: 80.5 }] }] }))).toEqual([
      'json: cannot unmarshal number 80.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
    ]);
    expect(typeErrors(pod({ containers: [{ name: 'a', ports: [{ containerPort: 2 ** 31 }] }] }))).toEqual([
      'json: cannot unmarshal number 2147483648 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
    ]);
  });

  it('reports a list item of the wrong kind with the item type', () => {
    expect(typeErrors(pod({ containers: ['a'] }))).toEqual([
      'json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type v1.Container',
    ]);
  });

  it('reports wrong scalars in strings, booleans and maps', () => {
    expect(typeErrors(pod({ containers: [{ name: 'a', image: true }], hostNetwork: 'yes' }))).toEqual([
      'json: cannot unmarshal bool into Go struct field Container.spec.containers.image of type string',
      'json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool',
    ]);
    expect(typeErrors(pod({}, { name: 'p', labels: { a: 1 } }))).toEqual([
      'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
    ]);
  });

  it('checks int-or-string values', () => {
    const probe = (port: unknown): Record<string, unknown> =>
      pod({ containers: [{ name: 'a', livenessProbe: { httpGet: { port } } }] });
    expect(typeErrors(probe(8080))).toEqual([]);
    expect(typeErrors(probe('http'))).toEqual([]);
    expect(typeErrors(probe(true))).toEqual([
      'json: cannot unmarshal bool into Go struct field HTTPGetAction.spec.containers.livenessProbe.httpGet.port of type int32',
    ]);
    expect(typeErrors(probe(1.5))).toEqual([
      'json: cannot unmarshal number 1.5 into Go struct field HTTPGetAction.spec.containers.livenessProbe.httpGet.port of type int32',
    ]);
  });

  it('checks quantities', () => {
    const limits = (cpu: unknown): Record<string, unknown> =>
      pod({ containers: [{ name: 'a', resources: { limits: { cpu } } }] });
    for (const good of ['100m', '1', '1.5Gi', '1e3', '+2', '.5', ' 2Ki ', 0.25, 3])
      expect(typeErrors(limits(good))).toEqual([]);
    expect(typeErrors(limits('abc'))).toEqual([QUANTITY_FORMAT_ERROR]);
    expect(typeErrors(limits('5mi'))).toEqual([QUANTITY_SUFFIX_ERROR]);
    expect(typeErrors(limits(''))).toEqual([QUANTITY_FORMAT_ERROR]);
    expect(typeErrors(limits(true))).toEqual([QUANTITY_FORMAT_ERROR]);
    expect(checkStructure(limits('x'), podDef, registry).typeErrors[0]?.path).toBe(
      'spec.containers[0].resources.limits.cpu',
    );
  });

  it('checks times and base64 bytes', () => {
    expect(typeErrors(pod({}, { name: 'p', creationTimestamp: '2024-01-02T03:04:05Z' }))).toEqual([]);
    expect(typeErrors(pod({}, { name: 'p', creationTimestamp: 'yesterday' }))).toEqual([
      'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": not an RFC 3339 time',
    ]);
    expect(typeErrors(pod({}, { name: 'p', creationTimestamp: 5 }))).toEqual([
      'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string',
    ]);
    const secret = (data: unknown): unknown => ({ apiVersion: 'v1', kind: 'Secret', data });
    expect(typeErrors(secret({ a: 'aGVsbG8=', b: 'aGk=\n' }), secretDef)).toEqual([]);
    expect(typeErrors(secret({ a: 'aGV$bG8=' }), secretDef)).toEqual(['illegal base64 data at input byte 3']);
    expect(typeErrors(secret({ a: 'abc' }), secretDef)).toEqual(['illegal base64 data at input byte 0']);
  });

  it('accepts null anywhere, as Go decoding does', () => {
    expect(
      typeErrors(pod({ containers: null, hostNetwork: null }, { name: null, labels: { a: null } })),
    ).toEqual([]);
  });

  it('reports a document that is not an object', () => {
    expect(typeErrors([1])).toEqual(['json: cannot unmarshal array into Go value of type v1.Pod']);
  });

  it('can skip type checks and unknown-field reports', () => {
    const o = pod({ hostNetwork: 'x', foo: 1 });
    expect(checkStructure(o, podDef, registry, { checkTypes: false, reportUnknown: false })).toEqual({
      unknownFields: [],
      typeErrors: [],
    });
  });
});
