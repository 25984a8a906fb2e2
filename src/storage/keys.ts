/**
 * Key-range helpers shared by the backends. Keys compare by their UTF-8 bytes (etcd and SQLite's
 * BINARY collation agree on that order); a prefix covers the half-open range [prefix, prefixEnd).
 */

/**
 * The smallest string greater than every string that starts with `prefix`, or `undefined` when the
 * range is unbounded above (empty prefix). Because UTF-8 preserves code point order, bumping the last
 * character by one gives the byte-order upper bound as well.
 */
export function prefixEnd(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  const last = prefix.charCodeAt(prefix.length - 1);
  // A lone surrogate half or the last BMP code unit cannot be bumped into a valid next character.
  if (last >= 0xd800 && last <= 0xdfff) throw new Error(`unsupported key prefix ${JSON.stringify(prefix)}`);
  if (last === 0xffff) throw new Error(`unsupported key prefix ${JSON.stringify(prefix)}`);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

/** The byte-wise upper bound of a prefix range, as etcd's `range_end` wants it; `\0` means "no bound". */
export function prefixEndBytes(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    const b = end[i] ?? 0;
    if (b < 0xff) {
      end[i] = b + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

/** The first key to read for a list: `startKey` when it lies within the prefix range, else the prefix. */
export function listStart(prefix: string, startKey: string | undefined): string {
  if (startKey === undefined || startKey === '') return prefix;
  if (!startKey.startsWith(prefix)) {
    throw new Error(`startKey ${JSON.stringify(startKey)} is not under prefix ${JSON.stringify(prefix)}`);
  }
  return startKey;
}
