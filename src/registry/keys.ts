/**
 * Storage keys. Core resources live under `/registry/<resource>/`, other groups under
 * `/registry/<group>/<resource>/`; namespaced objects add `<namespace>/`, then the name.
 */

/** The key prefix of a storage resource, with a trailing slash. */
export function resourcePrefix(group: string, resource: string): string {
  return group === '' ? `/registry/${resource}/` : `/registry/${group}/${resource}/`;
}

/** The prefix of one namespace's objects (or all objects when `namespace` is empty). */
export function namespacePrefix(prefix: string, namespace: string): string {
  return namespace ? `${prefix}${namespace}/` : prefix;
}

/** The key of one object. */
export function objectKey(prefix: string, namespace: string, name: string): string {
  return namespace ? `${prefix}${namespace}/${name}` : `${prefix}${name}`;
}

/** Splits a key under `prefix` into namespace and name. */
export function splitKey(
  prefix: string,
  key: string,
  namespaced: boolean,
): { namespace: string; name: string } {
  const rest = key.slice(prefix.length);
  if (!namespaced) return { namespace: '', name: rest };
  const slash = rest.indexOf('/');
  return slash < 0
    ? { namespace: '', name: rest }
    : { namespace: rest.slice(0, slash), name: rest.slice(slash + 1) };
}
