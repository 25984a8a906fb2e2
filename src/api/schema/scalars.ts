/**
 * Wire checks for the scalar types upstream decodes with its own code (Quantity, Time, MicroTime,
 * base64 bytes). Each returns undefined for a good value, or the error message upstream's decoder
 * gives for a bad one.
 */

/** Upstream's message for a string that is not a quantity. */
export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/** Upstream's message for a quantity with an unknown suffix. */
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

const DECIMAL_SUFFIXES = new Set(['', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E']);
const BINARY_SUFFIXES = new Set(['Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei']);
const SUFFIX_CHARS = 'eEinumkKMGTP';

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Checks a quantity as upstream's Quantity decoder does. A JSON number is a quantity written without
 * quotes; anything else that is not a string is decoded from its JSON text and fails.
 */
export function checkQuantity(value: unknown): string | undefined {
  if (value === null) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : QUANTITY_FORMAT_ERROR;
  if (typeof value !== 'string') return QUANTITY_FORMAT_ERROR;
  return checkQuantityString(value.trim());
}

/** Upstream's ParseQuantity, reduced to accept or reject. */
export function checkQuantityString(str: string): string | undefined {
  if (str.length === 0) return QUANTITY_FORMAT_ERROR;
  if (str === '0') return undefined;
  const end = str.length;
  let pos = 0;
  if (str[0] === '-' || str[0] === '+') pos++;
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return undefined;
  while (pos < end && isDigit(str.charCodeAt(pos))) pos++;
  if (pos >= end) return undefined;
  if (str[pos] === '.') {
    pos++;
    while (pos < end && isDigit(str.charCodeAt(pos))) pos++;
    if (pos >= end) return undefined;
  }
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str[pos] ?? '')) pos++;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (pos < end && isDigit(str.charCodeAt(pos))) pos++;
  if (pos < end) return QUANTITY_FORMAT_ERROR;
  return validSuffix(str.slice(suffixStart)) ? undefined : QUANTITY_SUFFIX_ERROR;
}

function validSuffix(s: string): boolean {
  if (DECIMAL_SUFFIXES.has(s) || BINARY_SUFFIXES.has(s)) return true;
  if (s.length > 1 && (s[0] === 'e' || s[0] === 'E')) return /^[+-]?\d+$/.test(s.slice(1));
  return false;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/;
const RFC3339_MICRO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{6})(Z|[+-](\d{2}):(\d{2}))$/;

const LAYOUT = '2006-01-02T15:04:05Z07:00';
const LAYOUT_MICRO = '2006-01-02T15:04:05.000000Z07:00';

/** Checks an RFC 3339 time string (metav1.Time); `micro` requires six fractional digits (MicroTime). */
export function checkTime(value: string, micro = false): string | undefined {
  const m = (micro ? RFC3339_MICRO : RFC3339).exec(value);
  const layout = micro ? LAYOUT_MICRO : LAYOUT;
  if (m === null)
    return `parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: not an RFC 3339 time`;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysIn = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const range =
    month < 1 || month > 12
      ? 'month'
      : day < 1 || day > daysIn
        ? 'day'
        : hour > 23
          ? 'hour'
          : minute > 59
            ? 'minute'
            : second > 59
              ? 'second'
              : undefined;
  if (range !== undefined) {
    return `parsing time ${JSON.stringify(value)}: ${range} out of range`;
  }
  const offH = m[9];
  if (offH !== undefined && (Number(offH) > 23 || Number(m[10]) > 59)) {
    return `parsing time ${JSON.stringify(value)}: time zone offset out of range`;
  }
  return undefined;
}

const B64 = new Int8Array(128).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) {
  B64[c.charCodeAt(0)] = i;
}

/**
 * Checks standard padded base64, as Go decodes `[]byte` fields (line breaks are skipped). The
 * message names the offset of the first bad byte, like Go's.
 */
export function checkBase64(s: string): string | undefined {
  const err = (at: number): string => `illegal base64 data at input byte ${at}`;
  let inQuantum = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13) continue;
    if (c === 61 /* = */) {
      if (inQuantum < 2) return err(i);
      if (inQuantum === 2) {
        let j = i + 1;
        while (j < s.length && (s.charCodeAt(j) === 10 || s.charCodeAt(j) === 13)) j++;
        if (j >= s.length) return err(s.length);
        if (s.charCodeAt(j) !== 61) return err(j - 1);
        i = j;
      }
      for (let k = i + 1; k < s.length; k++) {
        const t = s.charCodeAt(k);
        if (t !== 10 && t !== 13) return err(k);
      }
      return undefined;
    }
    if (c >= 128 || B64[c] === -1) return err(i);
    inQuantum = (inQuantum + 1) % 4;
  }
  return inQuantum === 0 ? undefined : err(s.length - inQuantum);
}
