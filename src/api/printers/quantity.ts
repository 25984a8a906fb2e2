/**
 * Canonical text of a resource quantity ("1536Mi", "500m", "1e3"), as upstream prints quantities in
 * table cells (PV capacity, quota usage, HPA targets). Parsing keeps the value exact (BigInt mantissa
 * and a power-of-ten scale); anything unparsable is printed as given.
 */

type Format = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

interface Parsed {
  /** The value is mantissa × 10^scale. */
  mantissa: bigint;
  scale: number;
  format: Format;
}

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = {
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
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_EXPONENT = new Map(Object.entries(BINARY_SUFFIXES).map(([s, e]) => [e, s]));

/** Smallest representable step: values are rounded up (away from zero) to a multiple of 10^-9. */
const MIN_SCALE = -9;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}

/** Parses a quantity string; undefined when it is not one. */
export function parseQuantity(text: string): Parsed | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?([a-zA-Z][a-zA-Z0-9+-]*)?$/.exec(text.trim());
  if (!m) return undefined;
  const [, sign = '', whole = '', frac = '', suffix = ''] = m;
  if (whole === '' && frac === '') return undefined;

  let format: Format;
  let scale = -frac.length;
  let mantissa = BigInt(`${whole}${frac}` || '0');
  const dec = DECIMAL_SUFFIXES[suffix];
  const bin = BINARY_SUFFIXES[suffix];
  if (dec !== undefined) {
    format = 'DecimalSI';
    scale += dec;
  } else if (bin !== undefined) {
    format = 'BinarySI';
    mantissa *= 2n ** BigInt(bin);
  } else if (/^[eE][+-]?\d+$/.test(suffix)) {
    format = 'DecimalExponent';
    scale += Number.parseInt(suffix.slice(1), 10);
  } else {
    return undefined;
  }

  if (scale < MIN_SCALE && mantissa !== 0n) {
    const step = pow10(MIN_SCALE - scale);
    const rest = mantissa % step;
    mantissa = mantissa / step + (rest === 0n ? 0n : 1n);
    scale = MIN_SCALE;
  }
  if (sign === '-') mantissa = -mantissa;
  return { mantissa, scale, format };
}

/** The canonical string of a parsed quantity. */
export function formatQuantity(q: Parsed): string {
  if (q.mantissa === 0n) return '0';
  let format = q.format;
  let integer: bigint | undefined;
  if (format === 'BinarySI') {
    integer = integerValue(q);
    // Small or fractional binary amounts read better (and exactly) in decimal.
    if (integer === undefined || abs(integer) < 1024n) format = 'DecimalSI';
  }

  if (format === 'BinarySI' && integer !== undefined) {
    let n = integer;
    let exponent = 0;
    while (n % 1024n === 0n) {
      n /= 1024n;
      exponent += 10;
    }
    return `${n}${BINARY_BY_EXPONENT.get(exponent) ?? ''}`;
  }

  let n = q.mantissa;
  let exponent = q.scale;
  while (n % 10n === 0n) {
    n /= 10n;
    exponent += 1;
  }
  const down = ((exponent % 3) + 3) % 3;
  n *= pow10(down);
  exponent -= down;
  if (format === 'DecimalExponent') return exponent === 0 ? `${n}` : `${n}e${exponent}`;
  return `${n}${DECIMAL_BY_EXPONENT.get(exponent) ?? ''}`;
}

function integerValue(q: Parsed): bigint | undefined {
  if (q.scale >= 0) return q.mantissa * pow10(q.scale);
  const div = pow10(-q.scale);
  return q.mantissa % div === 0n ? q.mantissa / div : undefined;
}

/**
 * The canonical form of a quantity as found in an object: a string ("2048Ki" → "2Mi"), a number, or
 * nothing (upstream's zero quantity, "0"). Unparsable text is returned unchanged.
 */
export function canonicalQuantity(value: unknown): string {
  if (value === undefined || value === null) return '0';
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : undefined;
  if (text === undefined) return '0';
  const parsed = parseQuantity(text);
  return parsed ? formatQuantity(parsed) : text;
}

/**
 * An optional quantity field printed as upstream prints a nil `*Quantity` (`<nil>`), else canonical.
 */
export function optionalQuantity(value: unknown): string {
  return value === undefined || value === null ? '<nil>' : canonicalQuantity(value);
}
