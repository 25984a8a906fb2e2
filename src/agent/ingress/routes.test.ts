import { describe, expect, it } from 'vitest';
import {
  hostMatch,
  hostMatches,
  matchRoute,
  orderRoutes,
  pathMatch,
  pathMatches,
  requestHost,
  type Route,
} from './routes.js';

function route(
  host: string | undefined,
  pathType: string,
  path: string,
  backend: string,
  createdMs = 0,
): Route {
  return { host: hostMatch(host), path: pathMatch(pathType, path), backend, ingress: 'ns/ing', createdMs };
}

describe('path matching', () => {
  // The examples of the Ingress documentation's path matching table.
  const cases: [string, string, string, boolean][] = [
    ['Prefix', '/', '/anything/at/all', true],
    ['Exact', '/foo', '/foo', true],
    ['Exact', '/foo', '/bar', false],
    ['Exact', '/foo', '/foo/', false],
    ['Exact', '/foo/', '/foo', false],
    ['Prefix', '/foo', '/foo', true],
    ['Prefix', '/foo', '/foo/', true],
    ['Prefix', '/foo/', '/foo', true],
    ['Prefix', '/foo/', '/foo/', true],
    ['Prefix', '/aaa/bb', '/aaa/bbb', false],
    ['Prefix', '/aaa/bbb', '/aaa/bbb', true],
    ['Prefix', '/aaa/bbb/', '/aaa/bbb', true],
    ['Prefix', '/aaa/bbb', '/aaa/bbb/', true],
    ['Prefix', '/aaa/bbb', '/aaa/bbb/ccc', true],
    ['Prefix', '/aaa/bbb', '/aaa/bbbxyz', false],
    ['ImplementationSpecific', '/aaa', '/aaa/ccc', true],
    ['ImplementationSpecific', '/aaa', '/aaaccc', false],
  ];
  it.each(cases)('%s %s vs %s → %s', (type, rule, request, want) => {
    expect(pathMatches(pathMatch(type, rule), request)).toBe(want);
  });

  it('an empty path is the root prefix', () => {
    expect(pathMatch('Prefix', '')).toEqual({ kind: 'Prefix', path: '/' });
    expect(pathMatch(undefined, undefined)).toEqual({ kind: 'Prefix', path: '/' });
  });
});

describe('host matching', () => {
  it('takes the host from a Host header, without port, case-insensitively', () => {
    expect(requestHost('Foo.Example.com:8080')).toBe('foo.example.com');
    expect(requestHost('[::1]:80')).toBe('[::1]');
    expect(requestHost('bar')).toBe('bar');
  });

  it('matches exact hosts and one-label wildcards', () => {
    expect(hostMatches(hostMatch('foo.bar.com'), 'foo.bar.com')).toBe(true);
    expect(hostMatches(hostMatch('Foo.bar.com'), 'foo.bar.com')).toBe(true);
    expect(hostMatches(hostMatch('foo.bar.com'), 'baz.bar.com')).toBe(false);
    const w = hostMatch('*.foo.com');
    expect(hostMatches(w, 'bar.foo.com')).toBe(true);
    expect(hostMatches(w, 'baz.bar.foo.com')).toBe(false);
    expect(hostMatches(w, 'foo.com')).toBe(false);
    expect(hostMatches(w, '.foo.com')).toBe(false);
    expect(hostMatches(hostMatch(''), 'anything')).toBe(true);
  });
});

describe('precedence', () => {
  const routes = orderRoutes([
    route(undefined, 'Prefix', '/', 'catchall'),
    route('*.example.com', 'Prefix', '/', 'wild'),
    route('*.a.example.com', 'Prefix', '/', 'wild-longer'),
    route('shop.example.com', 'Prefix', '/', 'shop-root'),
    route('shop.example.com', 'Prefix', '/api', 'shop-api'),
    route('shop.example.com', 'Exact', '/api', 'shop-api-exact'),
    route('shop.example.com', 'Prefix', '/api/v2', 'shop-api-v2'),
    route('blog.example.com', 'Exact', '/only', 'blog-only'),
  ]);
  const to = (host: string, path: string): string | undefined => matchRoute(routes, host, path)?.backend;

  it('prefers the longest path, and Exact over Prefix at equal length', () => {
    expect(to('shop.example.com', '/api')).toBe('shop-api-exact');
    expect(to('shop.example.com', '/api/')).toBe('shop-api');
    expect(to('shop.example.com', '/api/v2/items')).toBe('shop-api-v2');
    expect(to('shop.example.com', '/apiary')).toBe('shop-root');
    expect(to('SHOP.example.com:80', '/api?x=1')).toBe('shop-api-exact');
  });

  it('prefers exact hosts over wildcards, wildcards over rules without a host', () => {
    expect(to('x.example.com', '/')).toBe('wild');
    expect(to('x.a.example.com', '/')).toBe('wild-longer');
    expect(to('other.net', '/x')).toBe('catchall');
  });

  it('falls through to less specific hosts when no path of the host matches', () => {
    expect(to('blog.example.com', '/only')).toBe('blog-only');
    expect(to('blog.example.com', '/else')).toBe('wild');
  });

  it('keeps the older of two identical rules', () => {
    const ordered = orderRoutes([
      route('h', 'Prefix', '/', 'newer', 2000),
      route('h', 'Prefix', '/', 'older', 1000),
    ]);
    expect(ordered).toHaveLength(1);
    expect(matchRoute(ordered, 'h', '/')?.backend).toBe('older');
  });

  it('matches nothing when no rule applies', () => {
    expect(matchRoute(orderRoutes([route('h', 'Exact', '/a', 'x')]), 'h', '/b')).toBeUndefined();
  });
});
