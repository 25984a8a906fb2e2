/**
 * Label selectors: the string syntax of `?labelSelector=` (`app=web,tier!=db,env in (a,b),!canary`)
 * and the structured metav1.LabelSelector, both compiled to one matcher.
 */
import type { LabelSelector as LabelSelectorObject } from 'kubernetes-types/meta/v1.js';
import { isQualifiedName, isValidLabelValue } from '../validation/names.js';

export type Operator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

/** A compiled selector: an AND of requirements. The empty selector matches everything. */
export class LabelSelector {
  constructor(readonly requirements: readonly Requirement[]) {}

  static everything(): LabelSelector {
    return new LabelSelector([]);
  }

  /** A selector no object matches (metav1 selectors that are null). */
  static nothing(): LabelSelector {
    return new LabelSelector([{ key: '', operator: 'in', values: [] }]);
  }

  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  matches(labels: Readonly<Record<string, string>> | undefined): boolean {
    for (const r of this.requirements) if (!matchRequirement(r, labels ?? {})) return false;
    return true;
  }

  /** The canonical string form, as upstream prints it. */
  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

function matchRequirement(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(value ?? '');
    case '!=':
    case 'notin':
      return !has || !r.values.includes(value ?? '');
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has) return false;
      const n = Number.parseInt(value ?? '', 10);
      const bound = Number.parseInt(r.values[0] ?? '', 10);
      if (Number.isNaN(n) || Number.isNaN(bound)) return false;
      return r.operator === 'gt' ? n > bound : n < bound;
    }
  }
}

function requirementString(r: Requirement): string {
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${r.values.join(',')})`;
    case 'gt':
      return `${r.key}>${r.values[0] ?? ''}`;
    case 'lt':
      return `${r.key}<${r.values[0] ?? ''}`;
    default:
      return `${r.key}${r.operator}${r.values[0] ?? ''}`;
  }
}

/** A syntax or validation error in a selector; the server answers 400 with its message. */
export class SelectorParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorParseError';
  }
}

type Token =
  | { t: 'id'; v: string }
  | { t: 'op'; v: '=' | '==' | '!=' | '!' | '>' | '<' }
  | { t: '('; v: '(' }
  | { t: ')'; v: ')' }
  | { t: ','; v: ',' }
  | { t: 'end'; v: '' };

const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<', ' ', '\t', '\n', '\r']);

function lex(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] ?? '';
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ t: c, v: c } as Token);
      i++;
    } else if (c === '=' || c === '!' || c === '>' || c === '<') {
      const two = input.slice(i, i + 2);
      if (two === '==' || two === '!=') {
        out.push({ t: 'op', v: two });
        i += 2;
      } else {
        out.push({ t: 'op', v: c });
        i++;
      }
    } else {
      let j = i;
      while (j < input.length && !SPECIAL.has(input[j] ?? '')) j++;
      out.push({ t: 'id', v: input.slice(i, j) });
      i = j;
    }
  }
  out.push({ t: 'end', v: '' });
  return out;
}

function describe(tok: Token): string {
  return tok.t === 'end' ? 'end of string' : `'${tok.v}'`;
}

function validateKey(key: string): void {
  const errs = isQualifiedName(key);
  if (errs.length)
    throw new SelectorParseError(
      `unable to parse requirement: key: Invalid value: ${JSON.stringify(key)}: ${errs.join('; ')}`,
    );
}

function validateValue(key: string, value: string): void {
  const errs = isValidLabelValue(value);
  if (errs.length)
    throw new SelectorParseError(
      `unable to parse requirement: values[0][${key}]: Invalid value: ${JSON.stringify(value)}: ${errs.join('; ')}`,
    );
}

/** Parses the `labelSelector` query string syntax. */
export function parseLabelSelector(input: string): LabelSelector {
  const tokens = lex(input);
  let pos = 0;
  const peek = (): Token => tokens[pos] ?? { t: 'end', v: '' };
  const next = (): Token => tokens[pos++] ?? { t: 'end', v: '' };
  const reqs: Requirement[] = [];
  if (peek().t === 'end') return LabelSelector.everything();
  for (;;) {
    let tok = next();
    if (tok.t === 'op' && tok.v === '!') {
      const key = next();
      if (key.t !== 'id')
        throw new SelectorParseError(`found ${describe(key)}, expected: identifier after '!'`);
      validateKey(key.v);
      reqs.push({ key: key.v, operator: '!', values: [] });
    } else if (tok.t === 'id') {
      const key = tok.v;
      validateKey(key);
      const op = peek();
      if (op.t === ',' || op.t === 'end') {
        reqs.push({ key, operator: 'exists', values: [] });
      } else if (op.t === 'id' && (op.v === 'in' || op.v === 'notin')) {
        next();
        if (next().t !== '(')
          throw new SelectorParseError(`found ${describe(tokens[pos - 1] ?? peek())}, expected: '('`);
        const values: string[] = [];
        for (;;) {
          tok = next();
          if (tok.t === ')') {
            if (values.length === 0) values.push('');
            break;
          }
          if (tok.t === ',') {
            values.push('');
            continue;
          }
          if (tok.t !== 'id')
            throw new SelectorParseError(`found ${describe(tok)}, expected: ',', ')' or identifier`);
          validateValue(key, tok.v);
          values.push(tok.v);
          const sep = next();
          if (sep.t === ')') break;
          if (sep.t !== ',') throw new SelectorParseError(`found ${describe(sep)}, expected: ',' or ')'`);
        }
        reqs.push({ key, operator: op.v, values });
      } else if (op.t === 'op') {
        next();
        const v = peek();
        let value = '';
        if (v.t === 'id') {
          value = v.v;
          next();
        } else if (op.v === '>' || op.v === '<') {
          throw new SelectorParseError(`found ${describe(v)}, expected: integer value`);
        }
        if (op.v === '!') throw new SelectorParseError(`found '!', expected: '=', '!=', '==', 'in', notin'`);
        if (op.v === '>' || op.v === '<') {
          if (!/^-?\d+$/.test(value))
            throw new SelectorParseError(
              `unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`,
            );
          reqs.push({ key, operator: op.v === '>' ? 'gt' : 'lt', values: [value] });
        } else {
          validateValue(key, value);
          reqs.push({ key, operator: op.v, values: [value] });
        }
      } else {
        throw new SelectorParseError(`found ${describe(op)}, expected: in, notin, =, ==, !=, gt, lt`);
      }
    } else {
      throw new SelectorParseError(`found ${describe(tok)}, expected: !, identifier, or 'end of string'`);
    }
    const sep = next();
    if (sep.t === 'end') break;
    if (sep.t !== ',')
      throw new SelectorParseError(`found ${describe(sep)}, expected: ',' or 'end of string'`);
  }
  return new LabelSelector(reqs);
}

/**
 * Compiles a metav1.LabelSelector. As upstream: null/undefined selects nothing; `{}` selects
 * everything.
 */
export function fromLabelSelectorObject(sel: LabelSelectorObject | null | undefined): LabelSelector {
  if (sel === null || sel === undefined) return LabelSelector.nothing();
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {}))
    reqs.push({ key, operator: '=', values: [value] });
  for (const e of sel.matchExpressions ?? []) {
    switch (e.operator) {
      case 'In':
        reqs.push({ key: e.key, operator: 'in', values: e.values ?? [] });
        break;
      case 'NotIn':
        reqs.push({ key: e.key, operator: 'notin', values: e.values ?? [] });
        break;
      case 'Exists':
        reqs.push({ key: e.key, operator: 'exists', values: [] });
        break;
      case 'DoesNotExist':
        reqs.push({ key: e.key, operator: '!', values: [] });
        break;
      default:
        throw new SelectorParseError(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    }
  }
  return new LabelSelector(reqs);
}

/** The string form of a metav1.LabelSelector (for status.selector of the scale subresource). */
export function labelSelectorObjectToString(sel: LabelSelectorObject | null | undefined): string {
  return fromLabelSelectorObject(sel ?? {}).toString();
}
