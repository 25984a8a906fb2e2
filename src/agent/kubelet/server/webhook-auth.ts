/**
 * The kubelet's webhook authentication and authorization (upstream's `--authentication-token-webhook`
 * and `--authorization-mode=Webhook`): bearer tokens are checked with a TokenReview and requests
 * with a SubjectAccessReview against the API server, answers cached for a while (upstream: 2 minutes
 * for tokens, 5 minutes for allowed and 30 seconds for denied requests).
 */
import type { Client } from '../../../client/types.js';
import type { KubeletAuthorizer, KubeletTokenAuthenticator, KubeletUser } from './types.js';

/** Cache lifetimes and clock. */
export interface WebhookCacheOptions {
  tokenTtlMs?: number;
  allowedTtlMs?: number;
  deniedTtlMs?: number;
  now?: () => number;
}

type RawClient = Pick<Client, 'raw'>;

interface CacheEntry<T> {
  value: T;
  expires: number;
}

/** A small TTL cache with a size bound (oldest entries go first). */
class TtlCache<T> {
  private readonly map = new Map<string, CacheEntry<T>>();
  constructor(
    private readonly now: () => number,
    private readonly max = 1024,
  ) {}
  get(key: string): T | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.map.delete(key);
      return undefined;
    }
    return e.value;
  }
  set(key: string, value: T, ttlMs: number): void {
    if (this.map.size >= this.max) {
      const first = this.map.keys().next();
      if (!first.done) this.map.delete(first.value);
    }
    this.map.set(key, { value, expires: this.now() + ttlMs });
  }
}

async function post(client: RawClient, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await client.raw('POST', path, JSON.stringify(body), { 'content-type': 'application/json' });
  if (res.status < 200 || res.status > 299) {
    throw new Error(`POST ${path}: HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
  }
  return JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
}

function record(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Checks bearer tokens with TokenReview. */
export function tokenReviewAuthenticator(
  client: RawClient,
  opts: WebhookCacheOptions = {},
): KubeletTokenAuthenticator {
  const now = opts.now ?? Date.now;
  const cache = new TtlCache<KubeletUser | null>(now);
  return async (token) => {
    const hit = cache.get(token);
    if (hit !== undefined) return hit ?? undefined;
    const review = await post(client, '/apis/authentication.k8s.io/v1/tokenreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token },
    });
    const status = record(review['status']);
    const u = record(status['user']);
    const user: KubeletUser | null =
      status['authenticated'] === true && typeof u['username'] === 'string'
        ? {
            username: u['username'],
            uid: typeof u['uid'] === 'string' ? u['uid'] : undefined,
            groups: Array.isArray(u['groups'])
              ? u['groups'].filter((g): g is string => typeof g === 'string')
              : [],
            extra: u['extra'] ? (record(u['extra']) as Record<string, string[]>) : undefined,
          }
        : null;
    cache.set(token, user, opts.tokenTtlMs ?? 120_000);
    return user ?? undefined;
  };
}

/** Authorizes with SubjectAccessReview. */
export function subjectAccessReviewAuthorizer(
  client: RawClient,
  opts: WebhookCacheOptions = {},
): KubeletAuthorizer {
  const now = opts.now ?? Date.now;
  const cache = new TtlCache<{ allowed: boolean; reason?: string }>(now);
  return async (user, attrs) => {
    const key = JSON.stringify([
      user.username,
      user.uid,
      user.groups,
      user.extra,
      attrs.verb,
      attrs.subresource,
      attrs.name,
    ]);
    const hit = cache.get(key);
    if (hit) return hit;
    const review = await post(client, '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: user.username,
        uid: user.uid,
        groups: user.groups,
        extra: user.extra,
        resourceAttributes: {
          verb: attrs.verb,
          group: attrs.apiGroup,
          version: attrs.apiVersion,
          resource: attrs.resource,
          subresource: attrs.subresource,
          name: attrs.name,
        },
      },
    });
    const status = record(review['status']);
    const answer = {
      allowed: status['allowed'] === true,
      reason: typeof status['reason'] === 'string' ? status['reason'] : undefined,
    };
    cache.set(key, answer, answer.allowed ? (opts.allowedTtlMs ?? 300_000) : (opts.deniedTtlMs ?? 30_000));
    return answer;
  };
}
