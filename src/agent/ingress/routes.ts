/**
 * Ingress routing rules as data: how a rule's host and path match a request, and the order in which
 * rules are tried (first match wins). The HAProxy configuration is rendered from the same ordered
 * list, and {@link matchRoute} is the reference matcher the unit tests pin the semantics with.
 */

/** How a rule matches the request's host (port removed, lower case). */
export type HostMatch =
  | { kind: 'exact'; host: string }
  /** `*.example.com`: `suffix` is `.example.com`; exactly one more DNS label in front. */
  | { kind: 'wildcard'; suffix: string }
  | { kind: 'any' };

/** How a rule matches the request path; ImplementationSpecific is treated as Prefix. */
export interface PathMatch {
  kind: 'Exact' | 'Prefix';
  /** For Prefix: normalised, no trailing `/` except for the root `/`. */
  path: string;
}

/** One routing rule of one Ingress. */
export interface Route {
  host: HostMatch;
  path: PathMatch;
  /** Name of the backend the request goes to (see backends.ts). */
  backend: string;
  /** `namespace/name` of the Ingress the rule comes from. */
  ingress: string;
  /** creationTimestamp of that Ingress in ms (older rules win ties). */
  createdMs: number;
}

/** The host part of a Host header: lower case, without the port (IPv6 literals keep their brackets). */
export function requestHost(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end < 0 ? h : h.slice(0, end + 1);
  }
  const colon = h.lastIndexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

/** The host matcher of an Ingress rule's `host` field (empty or absent: any host). */
export function hostMatch(host: string | undefined): HostMatch {
  const h = (host ?? '').toLowerCase();
  if (h === '') return { kind: 'any' };
  if (h.startsWith('*.')) return { kind: 'wildcard', suffix: h.slice(1) };
  return { kind: 'exact', host: h };
}

/** The path matcher of an Ingress path (path defaults to `/`). */
export function pathMatch(pathType: string | undefined, path: string | undefined): PathMatch {
  const p = path && path !== '' ? path : '/';
  if (pathType === 'Exact') return { kind: 'Exact', path: p };
  const trimmed = p.replace(/\/+$/, '');
  return { kind: 'Prefix', path: trimmed === '' ? '/' : trimmed };
}

/** True when `host` (as from {@link requestHost}) matches. */
export function hostMatches(m: HostMatch, host: string): boolean {
  switch (m.kind) {
    case 'any':
      return true;
    case 'exact':
      return host === m.host;
    case 'wildcard': {
      if (!host.endsWith(m.suffix)) return false;
      const label = host.slice(0, host.length - m.suffix.length);
      return label.length > 0 && !label.includes('.');
    }
  }
}

/** True when the request path (no query string) matches: Prefix compares whole path elements. */
export function pathMatches(m: PathMatch, path: string): boolean {
  if (m.kind === 'Exact') return path === m.path;
  if (m.path === '/') return true;
  return path === m.path || path.startsWith(`${m.path}/`);
}

function hostRank(m: HostMatch): number {
  return m.kind === 'exact' ? 0 : m.kind === 'wildcard' ? 1 : 2;
}

function hostText(m: HostMatch): string {
  return m.kind === 'exact' ? m.host : m.kind === 'wildcard' ? m.suffix : '';
}

/**
 * The order rules are tried in: exact hosts, then wildcards (longer suffix first), then rules
 * without a host; within one host the longest path first, Exact before Prefix at equal length; the
 * older Ingress first when two rules are the same.
 */
export function compareRoutes(a: Route, b: Route): number {
  const ra = hostRank(a.host);
  const rb = hostRank(b.host);
  if (ra !== rb) return ra - rb;
  const ha = hostText(a.host);
  const hb = hostText(b.host);
  if (ha.length !== hb.length) return hb.length - ha.length;
  if (ha !== hb) return ha < hb ? -1 : 1;
  if (a.path.path.length !== b.path.path.length) return b.path.path.length - a.path.path.length;
  if (a.path.kind !== b.path.kind) return a.path.kind === 'Exact' ? -1 : 1;
  if (a.path.path !== b.path.path) return a.path.path < b.path.path ? -1 : 1;
  if (a.createdMs !== b.createdMs) return a.createdMs - b.createdMs;
  return a.ingress < b.ingress ? -1 : a.ingress > b.ingress ? 1 : 0;
}

/** Sorted copy, without the rules shadowed by an identical, earlier one. */
export function orderRoutes(routes: readonly Route[]): Route[] {
  const sorted = [...routes].sort(compareRoutes);
  const seen = new Set<string>();
  return sorted.filter((r) => {
    const key = `${r.host.kind}|${hostText(r.host)}|${r.path.kind}|${r.path.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The first rule of `ordered` that matches (the data path behaves the same), or undefined. */
export function matchRoute(ordered: readonly Route[], hostHeader: string, path: string): Route | undefined {
  const host = requestHost(hostHeader);
  const p = path.split('?')[0] ?? path;
  return ordered.find((r) => hostMatches(r.host, host) && pathMatches(r.path, p));
}
