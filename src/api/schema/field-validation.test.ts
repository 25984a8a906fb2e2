import { describe, expect, it } from 'vitest';
import { checkForFieldValidation } from './field-validation.js';
import { miniRegistry, podGvk } from './testing/mini-schema.js';
import type { Definition } from './types.js';

const registry = miniRegistry();
const def = registry.forKind(podGvk) as Definition;
const text =
  '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","name":"p"},"spec":{"foo":1,"containers":[]}}';

describe('checkForFieldValidation', () => {
  it('reports unknown and duplicate fields in Strict and Warn, and drops unknown fields', () => {
    for (const mode of ['Strict', 'Warn'] as const) {
      const obj = JSON.parse(text) as { spec: Record<string, unknown> };
      expect(checkForFieldValidation(obj, def, registry, text, mode)).toEqual({
        unknownFields: ['spec.foo'],
        typeErrors: [],
        duplicateFields: ['metadata.name'],
      });
      expect(obj.spec).toEqual({ containers: [] });
    }
  });

  it('drops silently in Ignore mode but still reports the first type error', () => {
    const obj = JSON.parse(text) as Record<string, unknown>;
    (obj.spec as Record<string, unknown>).hostNetwork = 'yes';
    (obj.spec as Record<string, unknown>).restartPolicy = 5;
    expect(checkForFieldValidation(obj, def, registry, text, 'Ignore')).toEqual({
      unknownFields: [],
      typeErrors: [
        'json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool',
      ],
      duplicateFields: [],
    });
    expect(obj.spec).not.toHaveProperty('foo');
  });
});
