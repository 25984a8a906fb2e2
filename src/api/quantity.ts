/**
 * resource.Quantity: parsing, comparison, arithmetic and the canonical string form Kubernetes
 * serializes ("0.5" becomes "500m", "1024Mi" becomes "1Gi", "1000m" becomes "1").
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

const QUANTITY_RE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
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

/** An exact resource quantity. Immutable. */
export class Quantity {
  private constructor(
    /** The value in units of 10^-9. */
    readonly nanos: bigint,
    readonly format: QuantityFormat,
  ) {}

  /** Parses "100m", "1.5Gi", "2e3" or a JSON number; throws QuantityParseError with upstream's message. */
  static parse(input: string | number): Quantity {
    const text = typeof input === 'number' ? numberText(input) : input.trim();
    if (text === '') throw new QuantityParseError(QUANTITY_FORMAT_ERROR);
    const m = QUANTITY_RE.exec(text);
    if (!m) throw new QuantityParseError(QUANTITY_FORMAT_ERROR);
    const numeric = m[1] ?? '';
    const suffix = m[2] ?? '';

    let sign = 1n;
    let body = numeric;
    if (body.startsWith('+') || body.startsWith('-')) {
      if (body.startsWith('-')) sign = -1n;
      body = body.slice(1);
    }
    const parts = body.split('.');
    if (parts.length > 2) throw new QuantityParseError(QUANTITY_NUMERIC_ERROR);
    const whole = parts[0] ?? '';
    const frac = parts[1] ?? '';
    if (whole === '' && frac === '') throw new QuantityParseError(QUANTITY_NUMERIC_ERROR);
    const digits = BigInt((whole || '0') + frac);

    let num = digits;
    let den = pow10(frac.length);
    let format: QuantityFormat;
    if (suffix in DECIMAL_SUFFIX_EXP) {
      format = 'DecimalSI';
      const e = DECIMAL_SUFFIX_EXP[suffix] ?? 0;
      if (e >= 0) num *= pow10(e);
      else den *= pow10(-e);
    } else if (suffix in BINARY_SUFFIX_POW) {
      format = 'BinarySI';
      num *= 1024n ** BigInt(BINARY_SUFFIX_POW[suffix] ?? 0);
    } else if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
      format = 'DecimalExponent';
      const e = Number.parseInt(suffix.slice(1), 10);
      if (!Number.isSafeInteger(e) || Math.abs(e) > 1000) throw new QuantityParseError(QUANTITY_SUFFIX_ERROR);
      if (e >= 0) num *= pow10(e);
      else den *= pow10(-e);
    } else {
      throw new QuantityParseError(QUANTITY_SUFFIX_ERROR);
    }

    let nanos = divRoundUp(num * NANO, den);
    if (format === 'BinarySI') {
      if (nanos > INT64_MAX * NANO) nanos = INT64_MAX * NANO;
      if (nanos < 1024n * NANO) format = 'DecimalSI';
    }
    return new Quantity(sign * nanos, format);
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

  /** The canonical string form, as upstream serializes quantities. */
  toString(): string {
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

/** The canonical form of a quantity value from JSON, or undefined when it does not parse. */
export function canonicalQuantity(value: unknown): string | undefined {
  return Quantity.tryParse(value)?.toString();
}
