/**
 * A cheap test that JSON text has no duplicate keys, so the full scan for them (which upstream's
 * strict decoding reports as `duplicate field "…"`) can be skipped for the common request body.
 *
 * Every key in JSON text is a string followed by optional whitespace and a colon, and outside
 * strings a colon appears nowhere else; inside a string, a quote before a colon must be escaped.
 * So counting the colons preceded (after whitespace) by a quote counts every key once, plus the
 * odd `\":` inside a string. `JSON.parse` keeps one property per distinct key of an object. If the
 * count equals the number of properties in the parsed value, no key was repeated; otherwise there
 * may have been (or a string held `\":`), and the caller looks properly.
 */

/** False when `text` certainly has no duplicate keys; `value` is `JSON.parse(text)`, unmodified. */
export function mayHaveDuplicateKeys(text: string, value: unknown): boolean {
  return keyMarks(text) !== propertyCount(value);
}

/** Colons preceded, after JSON whitespace, by a double quote. */
function keyMarks(text: string): number {
  let n = 0;
  for (let i = text.indexOf(':'); i >= 0; i = text.indexOf(':', i + 1)) {
    let j = i - 1;
    let c = text.charCodeAt(j);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(--j);
    if (c === 34) n++;
  }
  return n;
}

/** Properties of every object in a JSON value, walked without recursion (bodies may nest deeply). */
function propertyCount(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let n = 0;
  const stack: object[] = [value];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    if (Array.isArray(top)) {
      for (const v of top) if (typeof v === 'object' && v !== null) stack.push(v as object);
      continue;
    }
    const obj = top as Record<string, unknown>;
    for (const k in obj) {
      n++;
      const v = obj[k];
      if (typeof v === 'object' && v !== null) stack.push(v);
    }
  }
  return n;
}
