/**
 * Kubernetes protobuf request bodies: the envelope, the field-number tables and the decoder that turns
 * a protobuf body into the JSON object the rest of the request pipeline expects.
 */
export { decodeProtobufObject, type DecodedObject } from './decode.js';
export { isKubernetesProtobuf, PROTOBUF_MEDIA_TYPE } from './envelope.js';
export { protobufFields } from './fields/index.js';
export type { FieldSpec, FieldTable } from './fields/index.js';
export { ProtobufDecodeError } from './wire.js';
