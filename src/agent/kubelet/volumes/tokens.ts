/**
 * Service account tokens for projected volumes, cached per pod and request so that a periodic sync
 * does not mint a new token (and rewrite the volume) every time. A token is renewed once it is older
 * than 80% of its requested lifetime or older than 24 hours, like upstream's kubelet.
 */
import type { VolumeSources } from './types.js';

const DAY_MS = 24 * 3600 * 1000;

interface Entry {
  token: string;
  fetchedAt: number;
}

/** A request for one token. */
export interface TokenRequest {
  podUid: string;
  namespace: string;
  serviceAccount: string;
  audience: string;
  expirationSeconds: number;
}

/** Cached tokens, keyed by pod and request. */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A token for `req`: the cached one while fresh, else a new one from `sources`. */
  async get(sources: VolumeSources, req: TokenRequest): Promise<string> {
    const key = JSON.stringify([
      req.podUid,
      req.namespace,
      req.serviceAccount,
      req.audience,
      req.expirationSeconds,
    ]);
    const hit = this.entries.get(key);
    const age = hit ? this.now() - hit.fetchedAt : Infinity;
    if (hit && age < Math.min(0.8 * req.expirationSeconds * 1000, DAY_MS)) return hit.token;
    if (!sources.serviceAccountToken) {
      throw new Error(
        `cannot project a token of service account "${req.serviceAccount}": this node agent has no service account token source`,
      );
    }
    const token = await sources.serviceAccountToken(
      req.namespace,
      req.serviceAccount,
      req.audience,
      req.expirationSeconds,
    );
    this.entries.set(key, { token, fetchedAt: this.now() });
    return token;
  }

  /** Drops every token of a pod. */
  forget(podUid: string): void {
    for (const key of this.entries.keys()) {
      if ((JSON.parse(key) as unknown[])[0] === podUid) this.entries.delete(key);
    }
  }
}
