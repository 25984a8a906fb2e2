/**
 * Bytes per object by retainer between two V8 heap snapshots (e.g. deployment-scale's
 * `heapSnapshot=1` files at 1,000 nodes and at N pods):
 *
 *   node --import tsx bench/lib/heap-diff.ts BEFORE.heapsnapshot AFTER.heapsnapshot COUNT [TOP]
 *
 * Every node is labelled by a breadth-first walk from the roots (strong edges only): with the
 * nearest object of a named class on its path and the member it was reached through, e.g.
 * `CachedObject[pods/bench].encoded` or `PodInfo.pod` (cached objects also name their resource);
 * `str`/`obj` tells strings from the rest. A node reachable along several paths counts once, for
 * the shortest. Printed: the growth of each label's self sizes divided by COUNT, largest first,
 * then the same by constructor.
 */
import fs from 'node:fs';

interface Snapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

type Totals = Map<string, { size: number; count: number }>;

const BUILTIN = new Set(['Object', 'Array', 'Map', 'Set', 'WeakMap', 'Function', 'Promise', 'Error']);

function add(t: Totals, k: string, size: number): void {
  const e = t.get(k);
  if (e) {
    e.size += size;
    e.count++;
  } else t.set(k, { size, count: 1 });
}

/** Self sizes by retainer label and by constructor. */
export function summarise(file: string): { byLabel: Totals; byCtor: Totals } {
  const snap = JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot;
  const m = snap.snapshot.meta;
  const NF = m.node_fields.length;
  const EF = m.edge_fields.length;
  const nTypes = m.node_types[0];
  const eTypes = m.edge_types[0];
  const iType = m.node_fields.indexOf('type');
  const iName = m.node_fields.indexOf('name');
  const iSize = m.node_fields.indexOf('self_size');
  const iEc = m.node_fields.indexOf('edge_count');
  const eType = m.edge_fields.indexOf('type');
  const eName = m.edge_fields.indexOf('name_or_index');
  const eTo = m.edge_fields.indexOf('to_node');
  const { nodes, edges, strings } = snap;
  const N = nodes.length / NF;
  const at = (a: number[], i: number): number => a[i] ?? 0;
  const str = (i: number): string => strings[i] ?? '';
  const firstEdge = new Uint32Array(N + 1);
  for (let i = 0, e = 0; i < N; i++) {
    firstEdge[i] = e;
    e += at(nodes, i * NF + iEc) * EF;
    firstEdge[i + 1] = e;
  }
  const typeOf = (i: number): string => nTypes[at(nodes, i * NF + iType)] ?? '';
  const nameOf = (i: number): string => str(at(nodes, i * NF + iName));
  const named = (i: number): boolean => {
    if (typeOf(i) !== 'object') return false;
    const n = nameOf(i);
    return /^[A-Z]/.test(n) && !BUILTIN.has(n);
  };
  const resourceOf = (i: number): string => {
    for (let e = firstEdge[i] ?? 0; e < (firstEdge[i + 1] ?? 0); e += EF) {
      if (str(at(edges, e + eName)) !== 'key' || eTypes[at(edges, e + eType)] !== 'property') continue;
      const k = nameOf(at(edges, e + eTo) / NF);
      const r = /^\/registry\/([^/]+\/)?([^/]+)/.exec(k);
      return r ? (r[1] ?? '') + (r[2] ?? '') : '?';
    }
    return '?';
  };
  const labels: string[] = ['(root)'];
  const labelIds = new Map<string, number>([['(root)', 0]]);
  const labelOf = (s: string): number => {
    let id = labelIds.get(s);
    if (id === undefined) {
      id = labels.length;
      labels.push(s);
      labelIds.set(s, id);
    }
    return id;
  };
  const label = new Int32Array(N).fill(0);
  const seen = new Uint8Array(N);
  const queue = new Uint32Array(N);
  let head = 0;
  let tail = 0;
  queue[tail++] = 0;
  seen[0] = 1;
  while (head < tail) {
    const i = queue[head++] ?? 0;
    const isNamed = i !== 0 && named(i);
    let cls = '';
    if (isNamed) cls = nameOf(i) === 'CachedObject' ? `CachedObject[${resourceOf(i)}]` : nameOf(i);
    for (let e = firstEdge[i] ?? 0; e < (firstEdge[i + 1] ?? 0); e += EF) {
      const et = eTypes[at(edges, e + eType)] ?? '';
      if (et === 'weak' || et === 'shortcut') continue;
      const to = at(edges, e + eTo) / NF;
      if (seen[to]) continue;
      seen[to] = 1;
      const member = et === 'element' || et === 'hidden' ? `[${et}]` : str(at(edges, e + eName));
      label[to] = isNamed ? labelOf(`${cls}.${member}`) : (label[i] ?? 0);
      queue[tail++] = to;
    }
  }
  const byLabel: Totals = new Map();
  const byCtor: Totals = new Map();
  for (let i = 0; i < N; i++) {
    const size = at(nodes, i * NF + iSize);
    const t = typeOf(i);
    const kind = t.endsWith('string') ? 'str' : 'obj';
    add(byLabel, `${labels[label[i] ?? 0] ?? '?'} ${kind}`, size);
    add(byCtor, t === 'object' || t === 'closure' ? `${t}:${nameOf(i)}` : t, size);
  }
  return { byLabel, byCtor };
}

function print(title: string, a: Totals, b: Totals, per: number, top: number): void {
  const keys = new Set([...a.keys(), ...b.keys()]);
  const rows = [...keys].map((k) => ({
    k,
    size: (b.get(k)?.size ?? 0) - (a.get(k)?.size ?? 0),
    count: (b.get(k)?.count ?? 0) - (a.get(k)?.count ?? 0),
  }));
  rows.sort((x, y) => y.size - x.size);
  const total = rows.reduce((s, r) => s + r.size, 0);
  process.stdout.write(
    `== ${title}: ${(total / 1048576).toFixed(1)} MiB more, ${(total / per).toFixed(0)} B each\n`,
  );
  for (const r of rows.slice(0, top))
    process.stdout.write(
      `${(r.size / per).toFixed(0).padStart(8)} B ${(r.count / per).toFixed(2).padStart(8)} nodes  ${r.k}\n`,
    );
}

const [before, after, countText, topText] = process.argv.slice(2);
if (before && after && countText) {
  const per = Number(countText);
  const top = Number(topText ?? 40);
  const a = summarise(before);
  const b = summarise(after);
  print('by retainer', a.byLabel, b.byLabel, per, top);
  print('by constructor', a.byCtor, b.byCtor, per, top);
}
