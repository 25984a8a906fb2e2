/**
 * String interning for long-lived decoded objects. Thirty thousand pods repeat the same image
 * names, label keys and values, toleration keys, condition types, timestamps and defaults; each copy
 * made by JSON.parse or a clone is a string of its own (V8 shares only very short ones). Replacing
 * every short string of an object by one shared instance makes the copies garbage.
 *
 * Values that are unique by nature (uids, object names, resourceVersions, container IDs) are left
 * alone: they would only churn the table. The table is bounded and is emptied when full; strings
 * seen again afterwards are shared from then on.
 */

/** Strings longer than this are left alone (few repeat, and hashing them costs). */
export const MAX_INTERNED_LENGTH = 128;

/** Entries kept at most before the table is emptied. */
const MAX_ENTRIES = 1 << 17;

/** Member names whose string values are (nearly) always unique: not interned. */
const UNIQUE_MEMBERS = new Set(['uid', 'resourceVersion', 'containerID', 'continue']);

const table = new Map<string, string>();

/** The shared instance of a string equal to `s` (short strings only; `s` itself otherwise). */
export function intern(s: string): string {
  if (s.length > MAX_INTERNED_LENGTH) return s;
  const have = table.get(s);
  if (have !== undefined) return have;
  if (table.size >= MAX_ENTRIES) table.clear();
  table.set(s, s);
  return s;
}

function internArray(a: unknown[]): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (typeof v === 'string') a[i] = intern(v);
    else if (typeof v === 'object' && v !== null) internValue(v);
  }
}

function internRecord(o: Record<string, unknown>, skipName: boolean): void {
  for (const k in o) {
    const v = o[k];
    if (typeof v === 'string') {
      if (UNIQUE_MEMBERS.has(k) || (skipName && k === 'name')) continue;
      o[k] = intern(v);
    } else if (typeof v === 'object' && v !== null) {
      // metadata.name is unique; names elsewhere (containers, volumes, ports) repeat.
      if (k === 'metadata') internRecord(v as Record<string, unknown>, true);
      else internValue(v);
    }
  }
}

function internValue(v: object): void {
  if (Array.isArray(v)) internArray(v as unknown[]);
  else internRecord(v as Record<string, unknown>, false);
}

/**
 * Replaces, in place, every short string value of a JSON-like object (nested objects and arrays
 * included) by its shared instance. The object is unchanged in value: each string is replaced by
 * an equal one. Returns the object.
 */
export function internStrings<T extends object>(obj: T): T {
  try {
    internValue(obj);
  } catch {
    // A frozen part (a shared constant): left as it is, interned or not.
  }
  return obj;
}

/** Interns the values of a flat string record in place (e.g. labels, selectable fields). */
export function internRecordValues(rec: Record<string, string>): void {
  try {
    for (const k in rec) {
      const v = rec[k];
      if (v !== undefined) rec[k] = intern(v);
    }
  } catch {
    // frozen: left as it is
  }
}
