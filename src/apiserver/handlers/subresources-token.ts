/**
 * POST `serviceaccounts/{name}/token`: an authentication.k8s.io/v1 TokenRequest in, the same
 * TokenRequest with status.token and status.expirationTimestamp out (201), as `kubectl create token`
 * and the kubelet's projected token volumes use it. The work is in registry/serviceaccount-token.ts.
 */
import { apiErrors } from '../../api/errors.js';
import { PROTOBUF_MEDIA_TYPE } from '../../api/protobuf/index.js';
import { createTokenRequest } from '../../registry/serviceaccount-token.js';
import {
  decodeBody,
  readBody,
  requestMediaType,
  writeValue,
  type OutputFormat,
  type RequestContext,
} from '../http.js';
import type { ServedResource } from '../served.js';
import type { HandlerDeps } from './context.js';
import { checkObject, dryRun } from './write.js';

const BODY_TYPES = ['application/json', 'application/yaml', PROTOBUF_MEDIA_TYPE];

/** The TokenRequest kind, for decoding and schema checks of the body. */
function tokenRequestType(served: ServedResource): ServedResource {
  return {
    ...served,
    type: {
      ...served.type,
      group: 'authentication.k8s.io',
      version: 'v1',
      kind: 'TokenRequest',
      definition: 'io.k8s.api.authentication.v1.TokenRequest',
    },
    converter: undefined,
  };
}

/** POST `serviceaccounts/{name}/token` (create only; 404 when the server has no signing key). */
export async function handleServiceAccountToken(
  deps: HandlerDeps,
  ctx: RequestContext,
  served: ServedResource,
  out: OutputFormat,
): Promise<void> {
  const tokens = deps.serviceAccountTokens;
  if (!tokens) throw apiErrors.pathNotFound();
  if (ctx.info.verb !== 'create')
    throw apiErrors.methodNotSupported({ group: '', resource: 'serviceaccounts/token' }, ctx.info.verb);
  // A dry run is checked for its syntax only: like upstream, the token is issued either way.
  dryRun(ctx);
  const media = requestMediaType(ctx.req) || 'application/json';
  if (!BODY_TYPES.includes(media)) throw apiErrors.unsupportedMediaType(media);
  const body = await readBody(ctx.req);
  const raw = media === 'application/json' ? body.toString('utf8') : undefined;
  const request = checkObject(deps, ctx, tokenRequestType(served), decodeBody(body, media), raw);
  const result = await createTokenRequest(tokens, {
    namespace: ctx.info.namespace,
    name: ctx.info.name,
    request,
    now: deps.clock.now(),
  });
  ctx.warnings.push(...result.warnings);
  writeValue(ctx, 201, result.object, { mediaType: out.mediaType });
}
