/**
 * The structural checks as a create, update or patch handler uses them for `fieldValidation`: one
 * call that drops unknown fields from the object and says what upstream's decoder would have said.
 */
import { findDuplicateFields } from './duplicates.js';
import type { DefinitionRegistry } from './registry.js';
import { checkStructure } from './structural.js';
import type { Definition } from './types.js';

/** The `fieldValidation` query parameter's values. */
export type FieldValidationMode = 'Strict' | 'Warn' | 'Ignore';

/** What decoding an object found, for the handler to turn into an error or warnings. */
export interface FieldValidationReport {
  /** Paths of unknown fields (now dropped from the object); empty in Ignore mode. */
  unknownFields: string[];
  /**
   * Type errors, worded like upstream's decoder. At most one: upstream reports only the first,
   * as `<Kind> in version "<v>" cannot be handled as a <Kind>: <message>` (400).
   */
  typeErrors: string[];
  /** Paths of duplicate keys in `rawJson`; empty in Ignore mode or without the text. */
  duplicateFields: string[];
}

/**
 * Checks `obj` (an object of the kind `def` describes) for `fieldValidation` `mode`, dropping its
 * unknown fields in place. Pass the request body text as `rawJson` to detect duplicate keys (only
 * looked for in Strict and Warn modes).
 */
export function checkForFieldValidation(
  obj: unknown,
  def: Definition,
  registry: DefinitionRegistry,
  rawJson: string | undefined,
  mode: FieldValidationMode,
): FieldValidationReport {
  const strict = mode !== 'Ignore';
  const report = checkStructure(obj, def, registry, { dropUnknown: true, reportUnknown: strict });
  const first = report.typeErrors[0];
  return {
    unknownFields: report.unknownFields,
    typeErrors: first === undefined ? [] : [first.message],
    duplicateFields: strict && rawJson !== undefined ? findDuplicateFields(rawJson) : [],
  };
}
