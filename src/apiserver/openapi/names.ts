/**
 * Naming rules of the published OpenAPI documents: operation ids such as `listCoreV1NamespacedPod`,
 * tags such as `rbacAuthorization_v1`, URL prefixes and the keys of the OpenAPI v3 discovery
 * document (`api/v1`, `apis/apps/v1`).
 */
import type { GroupVersion } from '../../api/meta.js';

function capitalize(s: string): string {
  return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1);
}

/** The group's name without the `.k8s.io` suffix, split at dots: `rbac.authorization.k8s.io` → rbac, authorization. */
function groupWords(group: string): string[] {
  if (group === '') return ['core'];
  return group
    .replace(/\.k8s\.io$/, '')
    .split(/[.-]/)
    .filter(Boolean);
}

/** `Core`, `Apps`, `RbacAuthorization`: the group as it appears inside operation ids. */
export function groupPascal(group: string): string {
  return groupWords(group).map(capitalize).join('');
}

/** `core`, `apps`, `rbacAuthorization`. */
export function groupCamel(group: string): string {
  const words = groupWords(group);
  return words.map((w, i) => (i === 0 ? w : capitalize(w))).join('');
}

/** `CoreV1`, `AppsV1`, `AutoscalingV2`: group and version inside operation ids. */
export function gvPascal(gv: GroupVersion): string {
  return groupPascal(gv.group) + capitalize(gv.version);
}

/** The operation tag of a group version: `core_v1`, `apps_v1`. */
export function gvTag(gv: GroupVersion): string {
  return `${groupCamel(gv.group)}_${gv.version}`;
}

/** The operation tag of a group's own endpoint (`/apis/apps/`). */
export function groupTag(group: string): string {
  return groupCamel(group);
}

/** `/api/v1` or `/apis/apps/v1`. */
export function gvPrefix(gv: GroupVersion): string {
  return gv.group === '' ? `/api/${gv.version}` : `/apis/${gv.group}/${gv.version}`;
}

/** The key of a group version in the OpenAPI v3 discovery document: `api/v1`, `apis/apps/v1`. */
export function gvDocKey(gv: GroupVersion): string {
  return gvPrefix(gv).slice(1);
}

/** The subresource as it appears inside operation ids: `status` → `Status`. */
export function subresourcePascal(sub: string): string {
  return capitalize(sub);
}

export { capitalize };
