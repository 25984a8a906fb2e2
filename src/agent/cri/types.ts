/**
 * TypeScript shapes of the CRI `runtime.v1` messages in `api.proto`, one interface per message with
 * the message's name. Field names are lowerCamelCase; int64/uint64 are `number` (nanosecond
 * timestamps keep ~256 ns precision); enums are their names; `bytes` are `Buffer`; maps are
 * `Record<string, string>`.
 *
 * Optionality follows the direction a message travels:
 * - messages the runtime returns (`…Response`, statuses, stats, `Container`, `PodSandbox`, `Image`)
 *   arrive with proto defaults filled in, so their scalar, repeated and map fields are required and
 *   only their message-typed fields are optional (absent when the runtime left them unset);
 * - messages the agent sends (`…Request`, configs, filters, security contexts) have optional fields,
 *   except the ids and names a call cannot do without;
 * - small messages that go both ways (`ImageSpec`, `Mount`, metadata, resources) require only their
 *   essential fields.
 */

export type * from './types/common.js';
export type * from './types/runtime.js';
export type * from './types/stats.js';
export type * from './types/images.js';
