/**
 * Upstream's RegexError wording, for checks beyond the name rules of ./names.ts.
 */

/** `msg (e.g. 'a',  or 'b', regex used for validation is 'fmt')`, spaced exactly as upstream prints it. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  let s = `${msg} (e.g. `;
  examples.forEach((e, i) => {
    if (i > 0) s += ' or ';
    s += `'${e}', `;
  });
  return `${s}regex used for validation is '${fmt}')`;
}
