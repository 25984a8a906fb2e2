/**
 * Static token file authentication (`--token-auth-file`), upstream's CSV format, one token a line:
 *
 *   token,user,uid,"group1,group2"
 *
 * At least three columns; the fourth, optional, is a comma-separated group list (quote it). Fields
 * follow RFC 4180 quoting as Go's encoding/csv reads it; blank lines are skipped. Requests present
 * the token as `Authorization: Bearer <token>`.
 */
import { readFile } from 'node:fs/promises';
import type { AuthRequest, Authenticator, UserInfo } from './types.js';
import { withAuthenticatedGroup } from './users.js';

/** A malformed token file: the message names the file and line. */
export class TokenFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenFileError';
  }
}

/** Splits CSV text into records with their line numbers (RFC 4180, as Go's csv.Reader). */
export function parseCsv(text: string, source: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    // Blank lines are skipped.
    if (text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n')) {
      i += text[i] === '\r' ? 2 : 1;
      line++;
      continue;
    }
    const fields: string[] = [];
    for (;;) {
      let field = '';
      const column = () => i + 1 - (text.lastIndexOf('\n', i - 1) + 1);
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) {
            throw new TokenFileError(
              `${source}: parse error on line ${startLine}: extraneous or missing " in quoted-field`,
            );
          }
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        const next = text[i];
        if (next !== undefined && next !== ',' && next !== '\n' && !(next === '\r' && text[i + 1] === '\n')) {
          throw new TokenFileError(
            `${source}: parse error on line ${line}, column ${column()}: extraneous or missing " in quoted-field`,
          );
        }
      } else {
        while (i < n && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) {
          if (text[i] === '"') {
            throw new TokenFileError(
              `${source}: parse error on line ${line}, column ${column()}: bare " in non-quoted-field`,
            );
          }
          field += text[i];
          i++;
        }
      }
      fields.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '\r') i++;
      if (text[i] === '\n') {
        i++;
        line++;
      }
      break;
    }
    records.push({ line: startLine, fields });
  }
  return records;
}

/** Parses token file text into a map from token to user. Throws TokenFileError on malformed lines. */
export function parseTokenFile(text: string, source = 'token file'): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  for (const { line, fields } of parseCsv(text, `token file '${source}'`)) {
    if (fields.length < 3) {
      throw new TokenFileError(
        `token file '${source}' must have at least 3 columns (token, user name, user uid), found ${fields.length} on line ${line}`,
      );
    }
    const [token = '', username = '', uid = '', groups] = fields;
    if (token === '') throw new TokenFileError(`token file '${source}': empty token on line ${line}`);
    if (username === '') throw new TokenFileError(`token file '${source}': empty user name on line ${line}`);
    if (tokens.has(token))
      throw new TokenFileError(`token file '${source}': duplicate token on line ${line}`);
    const user: UserInfo = {
      username,
      groups: groups === undefined ? [] : groups.split(',').filter((g) => g !== ''),
    };
    if (uid !== '') user.uid = uid;
    tokens.set(token, user);
  }
  return tokens;
}

/** The bearer token of a request (`Authorization: Bearer <token>`), or undefined. */
export function bearerToken(req: AuthRequest): string | undefined {
  const raw = req.headers['authorization'];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (!value) return undefined;
  const parts = value.split(' ');
  if (parts.length < 2 || parts[0]?.toLowerCase() !== 'bearer') return undefined;
  const token = parts.slice(1).join(' ').trim();
  return token === '' ? undefined : token;
}

/** An authenticator that also checks a bare token (for TokenReview). */
export interface TokenAuthenticator extends Authenticator {
  authenticateToken(token: string): Promise<UserInfo | undefined>;
}

/** Authenticates bearer tokens against a fixed token map. */
export function staticTokenAuthenticator(tokens: Map<string, UserInfo>): TokenAuthenticator {
  const authenticateToken = (token: string): Promise<UserInfo | undefined> => {
    const user = tokens.get(token);
    return Promise.resolve(user ? withAuthenticatedGroup({ ...user, groups: [...user.groups] }) : undefined);
  };
  return {
    authenticateToken,
    authenticate(req) {
      const token = bearerToken(req);
      return token === undefined ? Promise.resolve(undefined) : authenticateToken(token);
    },
  };
}

/** Reads `--token-auth-file` and returns its authenticator. */
export async function loadTokenFile(path: string): Promise<TokenAuthenticator & { size: number }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new TokenFileError(
      `cannot read token file '${path}': ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const tokens = parseTokenFile(text, path);
  return Object.assign(staticTokenAuthenticator(tokens), { size: tokens.size });
}
