/** Random name suffixes for generateName, with upstream's alphabet (no vowels, no confusable digits). */
import { randomInt } from 'node:crypto';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const SUFFIX_LENGTH = 5;
const MAX_NAME_LENGTH = 63;

/** `prefix` plus five random characters, the prefix cut so the name stays within 63 characters. */
export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < SUFFIX_LENGTH; i++) suffix += ALPHABET[randomInt(ALPHABET.length)] ?? 'x';
  const base =
    prefix.length > MAX_NAME_LENGTH - SUFFIX_LENGTH
      ? prefix.slice(0, MAX_NAME_LENGTH - SUFFIX_LENGTH)
      : prefix;
  return base + suffix;
}
