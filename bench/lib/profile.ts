/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): where the process spent its time, by function
 * (self and inclusive) and by file or package, as percentages of the profiled time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { printTable } from './report.js';
import { ROOT } from './server.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One line of a profile summary. */
export interface ProfileEntry {
  name: string;
  where: string;
  ms: number;
  percent: number;
}

/** A profile reduced to its hottest places. */
export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Time in (idle), (garbage collector) and (program) as percentages. */
  idlePercent: number;
  gcPercent: number;
  selfTop: ProfileEntry[];
  inclusiveTop: ProfileEntry[];
  byModule: ProfileEntry[];
}

function shortUrl(url: string): string {
  if (!url) return '';
  let p = url.replace(/^file:\/\//, '');
  const nm = p.lastIndexOf('node_modules/');
  if (nm >= 0) return p.slice(nm + 'node_modules/'.length);
  if (p.startsWith(ROOT)) p = path.relative(ROOT, p);
  return p;
}

function moduleOf(url: string): string {
  const s = shortUrl(url);
  if (!s) return '(native/builtin)';
  if (s.startsWith('node:')) return s;
  const m = /^(@[^/]+\/[^/]+|[^/]+)\//.exec(s);
  if (url.includes('node_modules/') && m?.[1]) return m[1];
  return s;
}

/** Reads and summarises one .cpuprofile file. */
export function summarizeProfile(file: string, top = 25): ProfileSummary {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of prof.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const keyOf = (n: ProfileNode): string =>
    `${n.callFrame.functionName || '(anonymous)'}\t${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const modules = new Map<string, number>();
  let total = 0;
  let idle = 0;
  let gc = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = (prof.timeDeltas[i] ?? 0) / 1000;
    const id = prof.samples[i];
    const node = id === undefined ? undefined : byId.get(id);
    if (!node) continue;
    total += dt;
    const fn = node.callFrame.functionName;
    if (fn === '(idle)') {
      idle += dt;
      continue;
    }
    if (fn === '(garbage collector)') gc += dt;
    const k = keyOf(node);
    self.set(k, (self.get(k) ?? 0) + dt);
    const mod = fn.startsWith('(') ? fn : moduleOf(node.callFrame.url);
    modules.set(mod, (modules.get(mod) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: ProfileNode | undefined = node; cur;) {
      const ck = keyOf(cur);
      if (!seen.has(ck) && cur.callFrame.functionName !== '(root)') {
        seen.add(ck);
        inclusive.set(ck, (inclusive.get(ck) ?? 0) + dt);
      }
      const pid = parent.get(cur.id);
      cur = pid === undefined ? undefined : byId.get(pid);
    }
  }
  const busy = total - idle;
  const entries = (m: Map<string, number>): ProfileEntry[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, ms]) => {
        const [name = k, where = ''] = k.split('\t');
        return { name, where, ms, percent: busy > 0 ? (100 * ms) / busy : 0 };
      });
  return {
    file,
    totalMs: total,
    idlePercent: total > 0 ? (100 * idle) / total : 0,
    gcPercent: busy > 0 ? (100 * gc) / busy : 0,
    selfTop: entries(self),
    inclusiveTop: entries(inclusive),
    byModule: entries(modules),
  };
}

/** Prints a summary (percentages are of the non-idle time). */
export function printProfile(s: ProfileSummary): void {
  process.stdout.write(
    `\nCPU profile ${path.relative(process.cwd(), s.file)}: ${(s.totalMs / 1000).toFixed(1)} s, ` +
      `${s.idlePercent.toFixed(0)}% idle; percentages below are of busy time (GC ${s.gcPercent.toFixed(1)}%)\n`,
  );
  const rows = (list: ProfileEntry[]): (string | number)[][] =>
    list.map((e) => [e.name.slice(0, 48), e.percent, e.where.slice(-60)]);
  printTable('Self time by function', ['function', '%', 'where'], rows(s.selfTop));
  printTable('Inclusive time by function', ['function', '%', 'where'], rows(s.inclusiveTop));
  printTable(
    'Self time by module',
    ['module', '%'],
    s.byModule.map((e) => [e.name.slice(0, 70), e.percent]),
  );
}

/** The newest .cpuprofile in `dir`, if any. */
export function newestProfile(dir: string): string | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return files[0];
}
