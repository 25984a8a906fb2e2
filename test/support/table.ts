/**
 * Reading kubectl's table output. Header columns are separated by two or more spaces (the gap
 * kubectl's tabwriter leaves), so multi-word headers like `LAST SEEN` stay one column; rows are cut
 * at the header columns' offsets, so empty cells stay in place.
 */

/** A parsed kubectl table. */
export interface Table {
  header: string[];
  rows: string[][];
}

/** Splits kubectl table output into header and rows; empty lines are dropped. */
export function parseTable(text: string): Table {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const [first, ...rest] = lines;
  if (first === undefined) return { header: [], rows: [] };
  const starts: number[] = [];
  const header: string[] = [];
  for (const m of first.matchAll(/\S+(?: \S+)*/g)) {
    starts.push(m.index);
    header.push(m[0]);
  }
  const cut = (line: string): string[] =>
    starts.map((start, i) => line.slice(start, starts[i + 1] ?? line.length).trim());
  return { header, rows: rest.map(cut) };
}

/** The header line's columns. */
export function headerOf(text: string): string[] {
  return parseTable(text).header;
}

/** The first cell (NAME, or NAMESPACE with -A) of every row. */
export function firstColumn(text: string): string[] {
  return parseTable(text).rows.map((r) => r[0] ?? '');
}

/** The row whose NAME cell (column `nameColumn`, default 0) equals `name`, as header → cell. */
export function rowNamed(text: string, name: string, nameColumn = 0): Record<string, string> | undefined {
  const t = parseTable(text);
  const row = t.rows.find((r) => r[nameColumn] === name);
  if (!row) return undefined;
  return Object.fromEntries(t.header.map((h, i) => [h, row[i] ?? '']));
}
