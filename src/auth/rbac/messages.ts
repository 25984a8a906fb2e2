/**
 * The wording of authorization denials, as upstream's API server writes its 403 responses.
 */
import { ApiError } from '../../api/errors.js';
import type { AuthorizationAttributes } from '../types.js';

/**
 * `User "jane" cannot list resource "pods" in API group "" in the namespace "default"`, `... at the
 * cluster scope`, or `User "jane" cannot get path "/metrics"`.
 */
export function forbiddenMessage(attrs: AuthorizationAttributes): string {
  const user = JSON.stringify(attrs.user.username);
  if (!attrs.resourceRequest) return `User ${user} cannot ${attrs.verb} path ${JSON.stringify(attrs.path)}`;
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const head = `User ${user} cannot ${attrs.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attrs.apiGroup)}`;
  return attrs.namespace
    ? `${head} in the namespace ${JSON.stringify(attrs.namespace)}`
    : `${head} at the cluster scope`;
}

/**
 * The whole 403 the server sends for a denied request, with the authorizer's reason appended when it
 * gave one: `pods "x" is forbidden: User ...` for resources, `forbidden: User ...` for paths.
 */
export function forbiddenError(attrs: AuthorizationAttributes, reason = ''): ApiError {
  const text = reason ? `${forbiddenMessage(attrs)}: ${reason}` : forbiddenMessage(attrs);
  const group = attrs.resourceRequest ? attrs.apiGroup : '';
  const resource = attrs.resourceRequest ? attrs.resource : '';
  const name = attrs.resourceRequest ? attrs.name : '';
  let message: string;
  if (group === '' && resource === '') message = `forbidden: ${text}`;
  else {
    const gr = group === '' ? resource : `${resource}.${group}`;
    message = name ? `${gr} ${JSON.stringify(name)} is forbidden: ${text}` : `${gr} is forbidden: ${text}`;
  }
  const details: { name?: string; group: string; kind: string } = { group, kind: resource };
  if (name) details.name = name;
  return new ApiError(403, 'Forbidden', message, details);
}
