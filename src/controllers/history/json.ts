/**
 * Byte-stable JSON and the hashes ControllerRevisions are named by. Revision data is compared as
 * bytes by kubectl (`rollout undo` skips a revision whose data equals the live object's), and
 * kubectl builds its bytes the way Go's encoding/json writes a decoded map: keys sorted, `<`, `>`
 * and `&` escaped. Encoding the same way here keeps both sides equal.
 */

/** The characters a hash is spelled with (no vowels, no look-alikes), as upstream's SafeEncodeString. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Escapes the characters Go's encoder escapes beyond what JSON.stringify does. */
function goEscape(text: string): string {
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function encode(value: unknown, out: string[]): void {
  if (value === null || value === undefined) {
    out.push('null');
    return;
  }
  if (Array.isArray(value)) {
    out.push('[');
    value.forEach((v, i) => {
      if (i > 0) out.push(',');
      encode(v, out);
    });
    out.push(']');
    return;
  }
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    out.push('{');
    keys.forEach((k, i) => {
      if (i > 0) out.push(',');
      out.push(goEscape(JSON.stringify(k)), ':');
      encode(obj[k], out);
    });
    out.push('}');
    return;
  }
  if (typeof value === 'string') {
    out.push(goEscape(JSON.stringify(value)));
    return;
  }
  if (typeof value === 'number') {
    out.push(Number.isFinite(value) ? JSON.stringify(value) : 'null');
    return;
  }
  if (typeof value === 'boolean') {
    out.push(value ? 'true' : 'false');
    return;
  }
  out.push('null');
}

/** JSON with object keys sorted at every level and Go's HTML escaping: equal values give equal bytes. */
export function canonicalJSON(value: unknown): string {
  const out: string[] = [];
  encode(value, out);
  return out.join('');
}

/**
 * A deep copy of a JSON value with object keys inserted in sorted order, so that a plain
 * JSON.stringify (what the API server sends back) writes the same bytes as {@link canonicalJSON}
 * (apart from Go's HTML escaping).
 */
export function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => sortKeysDeep(v)) as T;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(obj).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
      if (obj[k] !== undefined) out[k] = sortKeysDeep(obj[k]);
    return out as T;
  }
  return value;
}

/** 32-bit FNV-1 over UTF-8 bytes (Go's hash/fnv New32). */
export function fnv32(text: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(text, 'utf8')) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h >>> 0;
}

/** 32-bit FNV-1a over UTF-8 bytes (Go's hash/fnv New32a). */
export function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(text, 'utf8')) {
    h = (h ^ b) >>> 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Spells each character of `text` with the safe alphabet (upstream's rand.SafeEncodeString). */
export function safeEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += SAFE_ALPHABET[text.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** A hash as it appears in names and labels: the decimal value spelled safely (`c77f6d978`). */
export function hashString(value: number): string {
  return safeEncode(String(value >>> 0));
}
