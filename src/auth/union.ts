/**
 * Union authentication: the first authenticator that recognises the request wins, as upstream's
 * union request authenticator. Every user it returns carries system:authenticated.
 */
import type { AuthRequest, Authenticator, UserInfo } from './types.js';
import { withAuthenticatedGroup } from './users.js';

/** Tries each authenticator in order. If none recognises the request and some failed, throws their errors. */
export function unionAuthenticator(...authenticators: Authenticator[]): Authenticator {
  return {
    async authenticate(req: AuthRequest): Promise<UserInfo | undefined> {
      const errors: string[] = [];
      for (const a of authenticators) {
        try {
          const user = await a.authenticate(req);
          if (user) return withAuthenticatedGroup(user);
        } catch (err) {
          errors.push(err instanceof Error ? err.message : String(err));
        }
      }
      if (errors.length === 1) throw new Error(errors[0]);
      if (errors.length > 1) throw new Error(`[${errors.join(', ')}]`);
      return undefined;
    },
  };
}
