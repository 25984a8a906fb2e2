/**
 * A protobuf descriptor (protobufjs JSON form) for the messages of gnostic's `openapi.v2` package
 * that the server's OpenAPI v2 document uses. client-go asks `/openapi/v2` for
 * `application/com.github.proto-openapi.spec.v2@v1.0+protobuf` and decodes the body as
 * `openapi_v2.Document`; the field numbers here match gnostic's OpenAPIv2.proto. Fields and
 * messages the document never uses (XML, external docs, OAuth flows, file schemas) are left out.
 */
import type { INamespace } from 'protobufjs';

type FieldSpec = [name: string, id: number, type: string, rule?: 'repeated'];

/** A message: its fields, and optionally one `oneof` group named `oneof` (as gnostic names it). */
function message(fields: FieldSpec[], oneof?: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {
    fields: Object.fromEntries(
      fields.map(([name, id, type, rule]) => [name, rule ? { rule, type, id } : { type, id }]),
    ),
  };
  if (oneof) out['oneofs'] = { oneof: { oneof } };
  return out;
}

const R = 'repeated' as const;

/** Fields shared by the query, path and header parameter sub-schemas, from `type` on. */
function simpleParameterFields(first: number): FieldSpec[] {
  const names: [string, string][] = [
    ['type', 'string'],
    ['format', 'string'],
    ['items', 'PrimitivesItems'],
    ['collectionFormat', 'string'],
    ['default', 'Any'],
    ['maximum', 'double'],
    ['exclusiveMaximum', 'bool'],
    ['minimum', 'double'],
    ['exclusiveMinimum', 'bool'],
    ['maxLength', 'int64'],
    ['minLength', 'int64'],
    ['pattern', 'string'],
    ['maxItems', 'int64'],
    ['minItems', 'int64'],
    ['uniqueItems', 'bool'],
  ];
  const out: FieldSpec[] = names.map(([n, t], i) => [n, first + i, t]);
  const next = first + names.length;
  out.push(
    ['enum', next, 'Any', R],
    ['multipleOf', next + 1, 'double'],
    ['vendorExtension', next + 2, 'NamedAny', R],
  );
  return out;
}

/** The `openapi.v2` package. */
export const GNOSTIC_OPENAPI_V2: INamespace = {
  nested: {
    openapi: {
      nested: {
        v2: {
          nested: {
            AdditionalPropertiesItem: message(
              [
                ['schema', 1, 'Schema'],
                ['boolean', 2, 'bool'],
              ],
              ['schema', 'boolean'],
            ),
            // gnostic's Any also has `google.protobuf.Any value = 1`, which it never fills.
            Any: message([['yaml', 2, 'string']]),
            ApiKeySecurity: message([
              ['type', 1, 'string'],
              ['name', 2, 'string'],
              ['in', 3, 'string'],
              ['description', 4, 'string'],
              ['vendorExtension', 5, 'NamedAny', R],
            ]),
            BodyParameter: message([
              ['description', 1, 'string'],
              ['name', 2, 'string'],
              ['in', 3, 'string'],
              ['required', 4, 'bool'],
              ['schema', 5, 'Schema'],
              ['vendorExtension', 6, 'NamedAny', R],
            ]),
            Definitions: message([['additionalProperties', 1, 'NamedSchema', R]]),
            Document: message([
              ['swagger', 1, 'string'],
              ['info', 2, 'Info'],
              ['host', 3, 'string'],
              ['basePath', 4, 'string'],
              ['schemes', 5, 'string', R],
              ['consumes', 6, 'string', R],
              ['produces', 7, 'string', R],
              ['paths', 8, 'Paths'],
              ['definitions', 9, 'Definitions'],
              ['parameters', 10, 'ParameterDefinitions'],
              ['security', 12, 'SecurityRequirement', R],
              ['securityDefinitions', 13, 'SecurityDefinitions'],
              ['vendorExtension', 16, 'NamedAny', R],
            ]),
            HeaderParameterSubSchema: message([
              ['required', 1, 'bool'],
              ['in', 2, 'string'],
              ['description', 3, 'string'],
              ['name', 4, 'string'],
              ...simpleParameterFields(5),
            ]),
            Info: message([
              ['title', 1, 'string'],
              ['version', 2, 'string'],
              ['description', 3, 'string'],
              ['termsOfService', 4, 'string'],
              ['vendorExtension', 7, 'NamedAny', R],
            ]),
            ItemsItem: message([['schema', 1, 'Schema', R]]),
            JsonReference: message([
              ['ref', 1, 'string'],
              ['description', 2, 'string'],
            ]),
            NamedAny: message([
              ['name', 1, 'string'],
              ['value', 2, 'Any'],
            ]),
            NamedParameter: message([
              ['name', 1, 'string'],
              ['value', 2, 'Parameter'],
            ]),
            NamedPathItem: message([
              ['name', 1, 'string'],
              ['value', 2, 'PathItem'],
            ]),
            NamedResponseValue: message([
              ['name', 1, 'string'],
              ['value', 2, 'ResponseValue'],
            ]),
            NamedSchema: message([
              ['name', 1, 'string'],
              ['value', 2, 'Schema'],
            ]),
            NamedSecurityDefinitionsItem: message([
              ['name', 1, 'string'],
              ['value', 2, 'SecurityDefinitionsItem'],
            ]),
            NamedStringArray: message([
              ['name', 1, 'string'],
              ['value', 2, 'StringArray'],
            ]),
            NonBodyParameter: message(
              [
                ['headerParameterSubSchema', 1, 'HeaderParameterSubSchema'],
                ['queryParameterSubSchema', 3, 'QueryParameterSubSchema'],
                ['pathParameterSubSchema', 4, 'PathParameterSubSchema'],
              ],
              ['headerParameterSubSchema', 'queryParameterSubSchema', 'pathParameterSubSchema'],
            ),
            Operation: message([
              ['tags', 1, 'string', R],
              ['summary', 2, 'string'],
              ['description', 3, 'string'],
              ['operationId', 5, 'string'],
              ['produces', 6, 'string', R],
              ['consumes', 7, 'string', R],
              ['parameters', 8, 'ParametersItem', R],
              ['responses', 9, 'Responses'],
              ['schemes', 10, 'string', R],
              ['deprecated', 11, 'bool'],
              ['security', 12, 'SecurityRequirement', R],
              ['vendorExtension', 13, 'NamedAny', R],
            ]),
            Parameter: message(
              [
                ['bodyParameter', 1, 'BodyParameter'],
                ['nonBodyParameter', 2, 'NonBodyParameter'],
              ],
              ['bodyParameter', 'nonBodyParameter'],
            ),
            ParameterDefinitions: message([['additionalProperties', 1, 'NamedParameter', R]]),
            ParametersItem: message(
              [
                ['parameter', 1, 'Parameter'],
                ['jsonReference', 2, 'JsonReference'],
              ],
              ['parameter', 'jsonReference'],
            ),
            PathItem: message([
              ['ref', 1, 'string'],
              ['get', 2, 'Operation'],
              ['put', 3, 'Operation'],
              ['post', 4, 'Operation'],
              ['delete', 5, 'Operation'],
              ['options', 6, 'Operation'],
              ['head', 7, 'Operation'],
              ['patch', 8, 'Operation'],
              ['parameters', 9, 'ParametersItem', R],
              ['vendorExtension', 10, 'NamedAny', R],
            ]),
            PathParameterSubSchema: message([
              ['required', 1, 'bool'],
              ['in', 2, 'string'],
              ['description', 3, 'string'],
              ['name', 4, 'string'],
              ...simpleParameterFields(5),
            ]),
            Paths: message([
              ['vendorExtension', 1, 'NamedAny', R],
              ['path', 2, 'NamedPathItem', R],
            ]),
            PrimitivesItems: message(simpleParameterFields(1)),
            Properties: message([['additionalProperties', 1, 'NamedSchema', R]]),
            QueryParameterSubSchema: message([
              ['required', 1, 'bool'],
              ['in', 2, 'string'],
              ['description', 3, 'string'],
              ['name', 4, 'string'],
              ['allowEmptyValue', 5, 'bool'],
              ...simpleParameterFields(6),
            ]),
            Response: message([
              ['description', 1, 'string'],
              ['schema', 2, 'SchemaItem'],
              ['vendorExtension', 5, 'NamedAny', R],
            ]),
            ResponseValue: message(
              [
                ['response', 1, 'Response'],
                ['jsonReference', 2, 'JsonReference'],
              ],
              ['response', 'jsonReference'],
            ),
            Responses: message([
              ['responseCode', 1, 'NamedResponseValue', R],
              ['vendorExtension', 2, 'NamedAny', R],
            ]),
            Schema: message([
              ['ref', 1, 'string'],
              ['format', 2, 'string'],
              ['title', 3, 'string'],
              ['description', 4, 'string'],
              ['default', 5, 'Any'],
              ['multipleOf', 6, 'double'],
              ['maximum', 7, 'double'],
              ['exclusiveMaximum', 8, 'bool'],
              ['minimum', 9, 'double'],
              ['exclusiveMinimum', 10, 'bool'],
              ['maxLength', 11, 'int64'],
              ['minLength', 12, 'int64'],
              ['pattern', 13, 'string'],
              ['maxItems', 14, 'int64'],
              ['minItems', 15, 'int64'],
              ['uniqueItems', 16, 'bool'],
              ['maxProperties', 17, 'int64'],
              ['minProperties', 18, 'int64'],
              ['required', 19, 'string', R],
              ['enum', 20, 'Any', R],
              ['additionalProperties', 21, 'AdditionalPropertiesItem'],
              ['type', 22, 'TypeItem'],
              ['items', 23, 'ItemsItem'],
              ['allOf', 24, 'Schema', R],
              ['properties', 25, 'Properties'],
              ['discriminator', 26, 'string'],
              ['readOnly', 27, 'bool'],
              ['example', 30, 'Any'],
              ['vendorExtension', 31, 'NamedAny', R],
            ]),
            SchemaItem: message([['schema', 1, 'Schema']], ['schema']),
            SecurityDefinitions: message([['additionalProperties', 1, 'NamedSecurityDefinitionsItem', R]]),
            SecurityDefinitionsItem: message([['apiKeySecurity', 2, 'ApiKeySecurity']], ['apiKeySecurity']),
            SecurityRequirement: message([['additionalProperties', 1, 'NamedStringArray', R]]),
            StringArray: message([['value', 1, 'string', R]]),
            TypeItem: message([['value', 1, 'string', R]]),
          },
        },
      },
    },
  },
};
