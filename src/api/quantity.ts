/**
 * resource.Quantity: parsing, comparison, arithmetic and the string form Kubernetes serializes
 * ("0.5" becomes "500m", "1024Mi" becomes "1Gi", "1000m" becomes "1"). The API server stores and
 * returns every quantity in that form: see {@link canonicalQuantity}.
 *
 * A quantity is held exactly as a count of nano-units (10^-9) in a bigint, which covers every value
 * the API accepts: parsing rounds any finer precision up to 1n, as upstream does.
 */

/** How a quantity prints: SI decimal suffixes, binary suffixes, or a decimal exponent. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** Upstream's messages for quantities that do not parse. */
export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";
export const QUANTITY_NUMERIC_ERROR = 'unable to parse numeric part of quantity';

/** A quantity string that does not parse; `message` is upstream's wording. */
export class QuantityParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantityParseError';
  }
}

const NANO = 1_000_000_000n;
const INT64_MAX = 9223372036854775807n;

const DECIMAL_SUFFIX_EXP: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIX_POW: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_EXP_SUFFIX = new Map<number, string>(
  Object.entries(DECIMAL_SUFFIX_EXP).map(([s, e]) => [e, s]),
);
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const SUFFIX_CHARS = 'eEinumkKMGTP';
/** Larger decimal exponents are refused rather than expanded into huge numbers. */
const MAX_EXPONENT = 1000;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Divides rounding the magnitude up (away from zero), as upstream rounds precision it cannot keep. */
function divRoundUp(num: bigint, den: bigint): bigint {
  const neg = num < 0n !== den < 0n;
  const a = num < 0n ? -num : num;
  const b = den < 0n ? -den : den;
  const q = (a + b - 1n) / b;
  return neg ? -q : q;
}

/** The pieces of a quantity string, as upstream's scanner splits it. */
interface Scanned {
  negative: boolean;
  /** Integer digits without leading zeros; "0" when there are none. */
  num: string;
  /** Fraction digits, as written. */
  denom: string;
  suffix: string;
}

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/**
 * Splits a quantity into sign, integer digits, fraction digits and suffix the way upstream's scanner
 * does: a lone sign or "." is zero, "1." has no fraction, and anything after the suffix's digits is
 * a format error.
 */
function scan(str: string): Scanned {
  const end = str.length;
  let pos = 0;
  let negative = false;
  if (str[0] === '-') {
    negative = true;
    pos++;
  } else if (str[0] === '+') pos++;
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { negative, num: '0', denom: '', suffix: '' };
  const numStart = pos;
  while (pos < end && isDigitAt(str, pos)) pos++;
  const num = str.slice(numStart, pos) || '0';
  let denom = '';
  if (pos < end && str[pos] === '.') {
    const denomStart = ++pos;
    while (pos < end && isDigitAt(str, pos)) pos++;
    denom = str.slice(denomStart, pos);
  }
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str[pos] ?? '')) pos++;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (pos < end && isDigitAt(str, pos)) pos++;
  if (pos < end) throw new QuantityParseError(QUANTITY_FORMAT_ERROR);
  return { negative, num, denom, suffix: str.slice(suffixStart) };
}

/** The base-ten or base-two exponent and the format a suffix stands for. */
function interpret(suffix: string): { binary: boolean; exponent: number; format: QuantityFormat } {
  const dec = DECIMAL_SUFFIX_EXP[suffix];
  if (dec !== undefined) return { binary: false, exponent: dec, format: 'DecimalSI' };
  const bin = BINARY_SUFFIX_POW[suffix];
  if (bin !== undefined) return { binary: true, exponent: bin * 10, format: 'BinarySI' };
  if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
    const e = Number.parseInt(suffix.slice(1), 10);
    if (Math.abs(e) <= MAX_EXPONENT) return { binary: false, exponent: e, format: 'DecimalExponent' };
  }
  throw new QuantityParseError(QUANTITY_SUFFIX_ERROR);
}

/** An exact resource quantity. Immutable. */
export class Quantity {
  private constructor(
    /** The value in units of 10^-9. */
    readonly nanos: bigint,
    readonly format: QuantityFormat,
    /**
     * The text it was parsed from, when upstream keeps that text as the quantity's string form
     * (see {@link Quantity.parse}); undefined when the string form is computed.
     */
    private readonly spelling?: string,
  ) {}

  /**
   * Parses "100m", "1.5Gi", "2e3" or a JSON number; throws QuantityParseError with upstream's message.
   *
   * Upstream keeps the text of a quantity as its string form when the digits look canonical already:
   * at most 18 digits, an exponent that is a multiple of three, no trailing "000" and no leading zero
   * digit (decimal), or an integer count of Ki/Mi/Gi/Ti that is not a multiple of 8 (binary). Such a
   * text is kept verbatim even with a "+" sign, leading zeros, an upper-case "E" exponent or a
   * fraction ("1.500" stays "1.500"); every other value is printed in canonical form.
   */
  static parse(input: string | number): Quantity {
    const text = typeof input === 'number' ? numberText(input) : input.trim();
    if (text === '') throw new QuantityParseError(QUANTITY_FORMAT_ERROR);
    if (text === '0') return new Quantity(0n, 'DecimalSI');
    const { negative, num, denom, suffix } = scan(text);
    const { binary, exponent, format } = interpret(suffix);
    const sign = negative ? -1n : 1n;

    // Values that fit upstream's int64 fast path: exact, and their text may be kept.
    if (!binary && num.length + denom.length <= 18) {
      const scale = exponent - denom.length;
      if (scale >= -9) {
        const shifted = num + denom;
        const nanos = BigInt(shifted) * pow10(scale + 9);
        const kept = scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
        return new Quantity(sign * nanos, format, kept ? text : undefined);
      }
    } else if (binary && denom === '' && 15 - num.length - Math.trunc((exponent * 3) / 10) - 1 >= 0) {
      const value = BigInt(num);
      const nanos = (value << BigInt(exponent)) * NANO;
      return new Quantity(sign * nanos, format, (value & 7n) !== 0n ? text : undefined);
    }

    // Everything else: exact arithmetic, rounded up to a nano-unit.
    let n = BigInt(num + denom);
    let den = pow10(denom.length);
    if (binary) n <<= BigInt(exponent);
    else if (exponent >= 0) n *= pow10(exponent);
    else den *= pow10(-exponent);
    let nanos = divRoundUp(n * NANO, den);
    let fmt = format;
    if (fmt === 'BinarySI') {
      if (nanos > INT64_MAX * NANO) nanos = INT64_MAX * NANO;
      if (nanos > 0n && nanos < NANO) fmt = 'DecimalSI';
    }
    return new Quantity(sign * nanos, fmt);
  }

  /** Parses a string or number, or returns undefined when it does not parse. */
  static tryParse(input: unknown): Quantity | undefined {
    if (typeof input !== 'string' && typeof input !== 'number') return undefined;
    try {
      return Quantity.parse(input);
    } catch {
      return undefined;
    }
  }

  /** A whole number of units. */
  static fromInt(value: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(value) * NANO, format);
  }

  /** A number of milli-units. */
  static fromMilli(value: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(value) * 1_000_000n, format);
  }

  /** -1, 0 or 1. */
  cmp(other: Quantity): number {
    return this.nanos < other.nanos ? -1 : this.nanos > other.nanos ? 1 : 0;
  }

  isZero(): boolean {
    return this.nanos === 0n;
  }

  /** -1, 0 or 1. */
  sign(): number {
    return this.nanos < 0n ? -1 : this.nanos > 0n ? 1 : 0;
  }

  /** The value in whole units, rounded up (upstream's Value()). */
  value(): bigint {
    return divRoundUp(this.nanos, NANO);
  }

  /** The value in milli-units, rounded up (upstream's MilliValue()). */
  milliValue(): bigint {
    return divRoundUp(this.nanos, 1_000_000n);
  }

  /** The sum, in this quantity's format (the other's when this is zero, as upstream's Add). */
  add(other: Quantity): Quantity {
    return new Quantity(this.nanos + other.nanos, this.nanos === 0n ? other.format : this.format);
  }

  /** The difference, in this quantity's format (the other's when this is zero, as upstream's Sub). */
  sub(other: Quantity): Quantity {
    return new Quantity(this.nanos - other.nanos, this.nanos === 0n ? other.format : this.format);
  }

  /** Rounds the magnitude up to a multiple of 10^scale units (scale -3: milli), as upstream's RoundUp. */
  roundUp(scale: number): Quantity {
    if (scale <= -9) return this;
    const step = pow10(scale + 9);
    const rounded = divRoundUp(this.nanos, step) * step;
    return rounded === this.nanos ? this : new Quantity(rounded, this.format);
  }

  /**
   * The string form upstream serializes: the parsed text when upstream keeps it (see
   * {@link Quantity.parse}), else the canonical form ("0.5" → "500m", "1024Mi" → "1Gi").
   */
  toString(): string {
    return this.spelling ?? this.canonical();
  }

  /**
   * The canonical form: the largest suffix (or exponent, a multiple of three) that loses no
   * precision, in the quantity's format; binary only for whole numbers of at least 1024.
   */
  canonical(): string {
    if (this.nanos === 0n) return '0';
    let format = this.format;
    if (format === 'BinarySI') {
      const small = this.nanos > -1024n * NANO && this.nanos < 1024n * NANO;
      if (small || this.nanos % NANO !== 0n) format = 'DecimalSI';
    }
    if (format === 'BinarySI') {
      let v = this.nanos / NANO;
      let k = 0;
      while (k < BINARY_SUFFIXES.length - 1 && v % 1024n === 0n) {
        v /= 1024n;
        k++;
      }
      return `${v}${BINARY_SUFFIXES[k] ?? ''}`;
    }
    // Decimal: strip factors of ten, then step back so the exponent is a multiple of three.
    let mantissa = this.nanos;
    let exp = -9;
    while (mantissa % 10n === 0n) {
      mantissa /= 10n;
      exp++;
    }
    const r = ((exp % 3) + 3) % 3;
    if (r !== 0) {
      mantissa *= pow10(r);
      exp -= r;
    }
    if (format === 'DecimalExponent') return exp === 0 ? `${mantissa}` : `${mantissa}e${exp}`;
    const suffix = DECIMAL_EXP_SUFFIX.get(exp);
    return suffix === undefined ? `${mantissa}e${exp}` : `${mantissa}${suffix}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) return '';
  return String(n);
}

/**
 * The string upstream's API server stores and returns for a quantity value from JSON (a string or a
 * number), or undefined when it does not parse: upstream decodes every quantity and encodes it again
 * with {@link Quantity.toString}.
 */
export function canonicalQuantity(value: unknown): string | undefined {
  return remembered(storedForms, value, (q) => q.toString());
}

/**
 * The stored form of a value of a ResourceList (a container's requests and limits, a quota's hard
 * limits, a node's capacity …): upstream's defaulting rounds those up to milli-units first, so
 * "0.0001" is stored as "1m" where a plain quantity field stores "100u".
 */
export function canonicalResourceListQuantity(value: unknown): string | undefined {
  return remembered(listForms, value, (q) => q.roundUp(-3).toString());
}

/** Recent quantity strings and their stored forms (null: does not parse). */
const storedForms = new Map<string, string | null>();
const listForms = new Map<string, string | null>();
const REMEMBERED_MAX = 4096;

function remembered(
  memo: Map<string, string | null>,
  value: unknown,
  form: (q: Quantity) => string,
): string | undefined {
  if (typeof value !== 'string') {
    const q = Quantity.tryParse(value);
    return q && form(q);
  }
  // Objects repeat a handful of spellings ("100m", "128Mi"): remember recent answers.
  let stored = memo.get(value);
  if (stored === undefined) {
    const q = Quantity.tryParse(value);
    stored = q ? form(q) : null;
    if (memo.size >= REMEMBERED_MAX) memo.clear();
    memo.set(value, stored);
  }
  return stored ?? undefined;
}
