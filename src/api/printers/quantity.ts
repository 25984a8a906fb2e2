/**
 * Quantities as upstream prints them in table cells (PV capacity, quota usage, HPA targets): the
 * canonical form of src/api/quantity.ts ("2048Ki" → "2Mi").
 */
import { canonicalQuantity as canonical } from '../quantity.js';

/**
 * The canonical form of a quantity as found in an object: a string, a number, or nothing (upstream's
 * zero quantity, "0"). Unparsable text is returned unchanged.
 */
export function canonicalQuantity(value: unknown): string {
  if (value === undefined || value === null) return '0';
  if (typeof value !== 'number' && typeof value !== 'string') return '0';
  return canonical(value) ?? String(value);
}

/**
 * An optional quantity field printed as upstream prints a nil `*Quantity` (`<nil>`), else canonical.
 */
export function optionalQuantity(value: unknown): string {
  return value === undefined || value === null ? '<nil>' : canonicalQuantity(value);
}
