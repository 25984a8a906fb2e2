/**
 * Finds duplicate object keys in JSON text, which `JSON.parse` silently resolves (the last one wins)
 * but upstream's strict decoding reports as `duplicate field "spec.replicas"`. A single forward scan
 * with no recursion, so deep nesting cannot exhaust the stack; run only when fieldValidation is
 * Strict or Warn.
 */

interface Frame {
  isObject: boolean;
  /** How the parent reaches this container: a key, an index, or undefined for the root. */
  seg: string | number | undefined;
  /** Keys seen so far (objects): a list while small, a set beyond that. */
  keys: string[] | Set<string> | undefined;
  /** The last key read (objects) or the current index (arrays). */
  cur: string | number;
  /** Objects: whether the next string is a key. */
  expectKey: boolean;
}

const SMALL = 16;

/**
 * The paths of duplicate keys in `text`, which must be valid JSON (parse it first), in document
 * order: `metadata.name`, `spec.containers[0].image`. Empty when there are none.
 */
export function findDuplicateFields(text: string): string[] {
  const out: string[] = [];
  const stack: Frame[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    switch (c) {
      case 123 /* { */:
      case 91 /* [ */:
        stack.push({
          isObject: c === 123,
          seg: top === undefined ? undefined : top.cur,
          keys: undefined,
          cur: c === 123 ? '' : 0,
          expectKey: c === 123,
        });
        i++;
        break;
      case 125 /* } */:
      case 93 /* ] */:
        stack.pop();
        i++;
        break;
      case 44 /* , */:
        if (top !== undefined) {
          if (top.isObject) top.expectKey = true;
          else top.cur = (top.cur as number) + 1;
        }
        i++;
        break;
      case 34 /* " */: {
        const end = stringEnd(text, i);
        if (top !== undefined && top.isObject && top.expectKey) {
          const raw = text.slice(i + 1, end);
          const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
          if (seen(top, key)) out.push(pathOf(stack, key));
          top.cur = key;
          top.expectKey = false;
        }
        i = end + 1;
        break;
      }
      default:
        i++;
    }
  }
  return out;
}

/** Index of the quote that closes the string opened at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q < 0) return text.length;
    let backslashes = 0;
    for (let j = q - 1; j > start && text.charCodeAt(j) === 92; j--) backslashes++;
    if (backslashes % 2 === 0) return q;
    i = q + 1;
  }
}

/** Records `key` in the frame; true if it was there already. */
function seen(frame: Frame, key: string): boolean {
  const keys = frame.keys;
  if (keys === undefined) {
    frame.keys = [key];
    return false;
  }
  if (Array.isArray(keys)) {
    if (keys.includes(key)) return true;
    keys.push(key);
    if (keys.length > SMALL) frame.keys = new Set(keys);
    return false;
  }
  if (keys.has(key)) return true;
  keys.add(key);
  return false;
}

function pathOf(stack: readonly Frame[], key: string): string {
  let s = '';
  for (const f of stack) {
    if (f.seg === undefined) continue;
    s += typeof f.seg === 'number' ? `[${f.seg}]` : s === '' ? f.seg : `.${f.seg}`;
  }
  return s === '' ? key : `${s}.${key}`;
}
