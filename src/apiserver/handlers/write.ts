/**
 * CREATE, UPDATE (PUT) and PATCH of a resource and of its status subresource.
 */
import { apiErrors, ApiError } from '../../api/errors.js';
import { isObject, type KubeObject, type StoredObject } from '../../api/meta.js';
import { PROTOBUF_MEDIA_TYPE } from '../../api/protobuf/index.js';
import type { Store, WriteOptions } from '../../registry/store.js';
import type { StrategyContext } from '../../registry/strategy.js';
import {
  decodeBodyText,
  readBody,
  requestMediaType,
  type OutputFormat,
  type RequestContext,
} from '../http.js';
import { mayHaveDuplicateKeys } from '../json-keys.js';
import type { ServedResource } from '../served.js';
import type { AdmissionAttributes, Operation } from '../admission/types.js';
import type { FieldValidation, HandlerDeps } from './context.js';
import { present, writeObject, writeWritten } from './encode.js';

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];
const APPLY_PATCH = 'application/apply-patch+yaml';

export function strategyContext(deps: HandlerDeps, ctx: RequestContext): StrategyContext {
  return { user: ctx.user, namespace: ctx.info.namespace, now: () => deps.clock.now() };
}

/** `dryRun=All` or nothing. */
export function dryRun(ctx: RequestContext): boolean {
  const values = ctx.query.getAll('dryRun');
  if (values.length === 0) return false;
  for (const v of values) {
    if (v !== 'All') {
      throw new ApiError(
        400,
        'BadRequest',
        `dryRun: Unsupported value: ${JSON.stringify(v)}: supported values: "All"`,
      );
    }
  }
  return true;
}

function fieldValidation(ctx: RequestContext): FieldValidation {
  const v = ctx.query.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw apiErrors.badRequest(
    `fieldValidation: Unsupported value: ${JSON.stringify(v)}: supported values: "Ignore", "Strict", "Warn"`,
  );
}

function servedApiVersion(served: ServedResource): string {
  const t = served.type;
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** "Deployment in version "v1" cannot be handled as a Deployment: …" (upstream's decode failure). */
function cannotHandle(served: ServedResource, reason: string): ApiError {
  const t = served.type;
  return apiErrors.badRequest(
    `${t.kind} in version ${JSON.stringify(t.version)} cannot be handled as a ${t.kind}: ${reason}`,
  );
}

/**
 * Checks a decoded body against the served kind: apiVersion/kind, schema types, unknown and
 * duplicate fields per fieldValidation (Strict: 400; Warn: a Warning header; both drop them).
 */
export function checkObject(
  deps: HandlerDeps,
  ctx: RequestContext,
  served: ServedResource,
  value: unknown,
  raw: string | undefined,
  patch?: Buffer,
): KubeObject {
  const t = served.type;
  if (!isObject(value)) throw cannotHandle(served, 'the object is not a JSON object');
  const apiVersion = servedApiVersion(served);
  if (value['apiVersion'] !== undefined && value['apiVersion'] !== apiVersion) {
    throw apiErrors.badRequest(
      `the API version in the data (${String(value['apiVersion'])}) does not match the expected API version (${apiVersion})`,
    );
  }
  if (value['kind'] !== undefined && value['kind'] !== t.kind) {
    throw apiErrors.badRequest(
      `the kind in the data (${String(value['kind'])}) does not match the expected kind (${t.kind})`,
    );
  }
  if (value['metadata'] !== undefined && !isObject(value['metadata'])) {
    throw cannotHandle(served, 'metadata must be an object');
  }
  value['apiVersion'] = apiVersion;
  value['kind'] = t.kind;
  const obj = value as KubeObject;
  const mode = fieldValidation(ctx);
  const report = deps.schema.check(served, obj, mode === 'Ignore' ? undefined : raw, mode);
  if (report.typeErrors.length) throw cannotHandle(served, report.typeErrors.join(', '));
  const problems = [
    ...report.duplicateFields.map((f) => `duplicate field ${JSON.stringify(f)}`),
    ...report.unknownFields.map((f) => `unknown field ${JSON.stringify(f)}`),
  ];
  if (patch && mode !== 'Ignore') {
    for (const issue of deps.schema.patchIssues(requestMediaType(ctx.req), patch))
      if (!problems.includes(issue)) problems.unshift(issue);
  }
  if (problems.length) {
    if (mode === 'Strict') {
      if (patch) throw strictPatchError(patch, problems);
      throw cannotHandle(served, `strict decoding error: ${problems.join(', ')}`);
    }
    if (mode === 'Warn') ctx.warnings.push(...problems);
  }
  return obj;
}

/** Upstream's answer to strict-decoding problems found while patching: 422 on the field `patch`. */
function strictPatchError(patch: Buffer, problems: string[]): ApiError {
  const detail = `strict decoding error: ${problems.join(', ')}`;
  const value = JSON.stringify(patch.toString('utf8'));
  return new ApiError(422, 'Invalid', `The  "" is invalid: patch: Invalid value: ${value}: ${detail}`, {
    causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${value}: ${detail}`, field: 'patch' }],
  });
}

function ensureNamespace(served: ServedResource, ctx: RequestContext, obj: KubeObject): void {
  const meta = (obj.metadata ??= {});
  if (!served.type.namespaced) {
    delete meta.namespace;
    return;
  }
  if (!meta.namespace) meta.namespace = ctx.info.namespace;
  else if (meta.namespace !== ctx.info.namespace) {
    throw apiErrors.badRequest(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  }
}

function toStorage(served: ServedResource, obj: KubeObject): KubeObject {
  const stored = served.converter ? served.converter.toStorage(obj) : obj;
  served.strategy.defaults?.(stored);
  return stored;
}

/** The admission hooks handed to the store for one request: mutating, then validating. */
function admitter(
  deps: HandlerDeps,
  ctx: RequestContext,
  served: ServedResource,
  operation: Operation,
  subresource: string,
  dry: boolean,
): Pick<WriteOptions, 'admit' | 'validateAdmission'> {
  const attrs = (obj: StoredObject, old: StoredObject | undefined): AdmissionAttributes => ({
    operation,
    resource: served.type,
    subresource,
    namespace: ctx.info.namespace,
    name: obj.metadata?.name ?? ctx.info.name,
    object: obj,
    oldObject: old,
    user: ctx.user,
    dryRun: dry,
  });
  return {
    admit: (obj, old) => deps.admission.admit(attrs(obj, old)),
    validateAdmission: (obj, old) => deps.admission.validate(attrs(obj, old)),
  };
}

async function readObjectBody(
  deps: HandlerDeps,
  ctx: RequestContext,
  served: ServedResource,
): Promise<KubeObject> {
  const media = requestMediaType(ctx.req);
  if (
    media !== '' &&
    media !== 'application/json' &&
    media !== 'application/yaml' &&
    media !== '*/*' &&
    media !== PROTOBUF_MEDIA_TYPE
  ) {
    throw apiErrors.unsupportedMediaType(media);
  }
  const body = await readBody(ctx.req);
  const { value, text } = decodeBodyText(body, media || 'application/json');
  // Duplicate fields are looked for in JSON text (the YAML decoder refuses duplicate keys itself),
  // and only when a quick count says the text may have some.
  const json = media === 'application/yaml' || text === undefined ? undefined : text;
  return checkObject(deps, ctx, served, value, json && mayHaveDuplicateKeys(json, value) ? json : undefined);
}

function requireStore(served: ServedResource, verb: string): Store {
  if (!served.store)
    throw apiErrors.methodNotSupported({ group: served.type.group, resource: served.type.plural }, verb);
  return served.store;
}

export async function handleCreate(
  deps: HandlerDeps,
  ctx: RequestContext,
  served: ServedResource,
  out: OutputFormat,
): Promise<void> {
  const obj = await readObjectBody(deps, ctx, served);
  ensureNamespace(served, ctx, obj);
  const dry = dryRun(ctx);
  const sctx = strategyContext(deps, ctx);
  if (served.virtual) {
    const errs = served.virtual.validate?.(obj, sctx) ?? [];
    if (errs.length)
      throw apiErrors.invalid(served.type.group, served.type.kind, obj.metadata?.name ?? '', errs);
    const result = await served.virtual.create(obj, sctx);
    writeObject(ctx, served, 201, result, { mediaType: out.mediaType }, deps.clock.now());
    return;
  }
  const store = requireStore(served, 'create');
  if (ctx.info.name)
    throw apiErrors.methodNotSupported({ group: served.type.group, resource: served.type.plural }, 'create');
  const stored = toStorage(served, obj);
  const created = await store.create(stored, sctx, {
    dryRun: dry,
    ...admitter(deps, ctx, served, 'CREATE', '', dry),
  });
  writeWritten(ctx, served, 201, created, { mediaType: out.mediaType }, deps.clock.now());
}

export async function handleUpdate(
  deps: HandlerDeps,
  ctx: RequestContext,
  served: ServedResource,
  out: OutputFormat,
  subresource: '' | 'status',
): Promise<void> {
  const store = requireStore(served, 'update');
  const obj = await readObjectBody(deps, ctx, served);
  const meta = (obj.metadata ??= {});
  if (!meta.name) meta.name = ctx.info.name;
  else if (meta.name !== ctx.info.name) {
    throw apiErrors.badRequest(
      `the name of the object (${meta.name}) does not match the name on the URL (${ctx.info.name})`,
    );
  }
  ensureNamespace(served, ctx, obj);
  const dry = dryRun(ctx);
  const stored = toStorage(served, obj);
  const { object, created } = await store.update(ctx.info.name, stored, strategyContext(deps, ctx), {
    dryRun: dry,
    subresource,
    ...admitter(deps, ctx, served, 'UPDATE', subresource, dry),
  });
  writeWritten(ctx, served, created ? 201 : 200, object, { mediaType: out.mediaType }, deps.clock.now());
}

export async function handlePatch(
  deps: HandlerDeps,
  ctx: RequestContext,
  served: ServedResource,
  out: OutputFormat,
  subresource: '' | 'status',
): Promise<void> {
  const store = requireStore(served, 'patch');
  const media = requestMediaType(ctx.req);
  if (media === APPLY_PATCH) {
    throw apiErrors.unsupportedMediaType(
      `${media} (server-side apply is not supported yet; use client-side kubectl apply)`,
    );
  }
  if (!PATCH_TYPES.includes(media)) throw apiErrors.unsupportedMediaType(media);
  const body = await readBody(ctx.req);
  if (body.length === 0) throw apiErrors.badRequest('the body of the request was empty');
  const dry = dryRun(ctx);
  const patched = await store.mutate(
    ctx.info.name,
    strategyContext(deps, ctx),
    { dryRun: dry, subresource, ...admitter(deps, ctx, served, 'UPDATE', subresource, dry) },
    (current) => {
      const before = present(served, current);
      const after = deps.schema.applyPatch(served, before, body, media);
      const checked = checkObject(deps, ctx, served, after, undefined, body);
      const meta = checked.metadata ?? {};
      if (meta.name !== undefined && meta.name !== ctx.info.name) {
        throw apiErrors.invalid(served.type.group, served.type.kind, ctx.info.name, [
          {
            type: 'FieldValueInvalid',
            field: 'metadata.name',
            badValue: meta.name,
            detail: 'field is immutable',
          },
        ]);
      }
      ensureNamespace(served, ctx, checked);
      return toStorage(served, checked) as StoredObject;
    },
  );
  writeWritten(ctx, served, 200, patched, { mediaType: out.mediaType }, deps.clock.now());
}
