/**
 * Field selectors (`?fieldSelector=metadata.name=web,status.phase!=Running`): equality and inequality
 * on a small set of fields each kind exposes.
 */

export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

/** A compiled field selector: an AND of requirements; empty matches everything. */
export class FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  static everything(): FieldSelector {
    return new FieldSelector([]);
  }

  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  matches(fields: Readonly<Record<string, string>>): boolean {
    for (const r of this.requirements) {
      const v = fields[r.field] ?? '';
      if (r.operator === '=' ? v !== r.value : v === r.value) return false;
    }
    return true;
  }

  /** The value required for `field` by an equality requirement, if any (to narrow a scan). */
  requiresExactMatch(field: string): string | undefined {
    for (const r of this.requirements) if (r.field === field && r.operator === '=') return r.value;
    return undefined;
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeValue(r.value)}`).join(',');
  }
}

export class FieldSelectorParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldSelectorParseError';
  }
}

function escapeValue(v: string): string {
  return v.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** Splits on unescaped commas, keeping escapes for the next step. */
function splitTerms(input: string): string[] {
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i] ?? '';
    if (c === '\\' && i + 1 < input.length) {
      cur += c + (input[i + 1] ?? '');
      i++;
    } else if (c === ',') {
      terms.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  terms.push(cur);
  return terms;
}

function unescape(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i] ?? '';
    if (c === '\\') {
      const n = v[i + 1];
      if (n === undefined || (n !== '\\' && n !== ',' && n !== '=')) {
        throw new FieldSelectorParseError(
          `invalid field selector: invalid escape sequence: ${JSON.stringify(`\\${n ?? ''}`)}`,
        );
      }
      out += n;
      i++;
    } else if (c === '=' || c === ',') {
      throw new FieldSelectorParseError(
        `invalid field selector: unescaped ${c} in value ${JSON.stringify(v)}`,
      );
    } else {
      out += c;
    }
  }
  return out;
}

/** Parses a field selector string. */
export function parseFieldSelector(input: string): FieldSelector {
  if (input.trim() === '') return FieldSelector.everything();
  const reqs: FieldRequirement[] = [];
  for (const term of splitTerms(input)) {
    if (term === '') continue;
    const m = /^([^=!]*?)(!=|==|=)(.*)$/s.exec(term);
    if (!m) throw new FieldSelectorParseError(`invalid selector: '${input}'; can't understand '${term}'`);
    const field = (m[1] ?? '').trim();
    reqs.push({ field, operator: m[2] === '!=' ? '!=' : '=', value: unescape(m[3] ?? '') });
  }
  return new FieldSelector(reqs);
}
