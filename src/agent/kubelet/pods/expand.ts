/**
 * `$(VAR)` references in env values, command and args, as upstream expands them: a defined
 * variable is replaced, `$$` is a literal `$`, and an undefined reference stays as written.
 */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    if (next === '(') {
      const end = input.indexOf(')', i + 2);
      if (end < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, end);
      const value = lookup(name);
      out += value ?? `$(${name})`;
      i = end;
      continue;
    }
    out += ch;
  }
  return out;
}
