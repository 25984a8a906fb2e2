/**
 * The nftables backend's text: the whole table (for the full sync at start, which replaces the table
 * in one transaction) and the difference between two states (for every later sync: only the sets,
 * chains and map elements that changed). Both are fed to one `nft -f -`, which applies them atomically
 * or not at all. Pure functions; see README.md for why nftables and for the layout.
 */
import type { Fragment, MapName } from './rules.js';

/** The masquerade mark bit (the same bit kube-proxy uses). */
export const MASQ_MARK = '0x4000';

/** The programmed (or to-be-programmed) content of the table. */
export interface TableState {
  /** One fragment per Service key (`ns/name`); unchanged Services keep the same object. */
  fragments: ReadonlyMap<string, Fragment>;
  /** The map elements, conflicts resolved: map → key → verdict. */
  elements: ReadonlyMap<MapName, ReadonlyMap<string, string>>;
  /** The node's addresses that accept NodePort traffic. */
  nodeIPs: readonly string[];
}

const MAP_TYPES: Record<MapName, string> = {
  'service-ips': 'ipv4_addr . inet_proto . inet_service : verdict',
  'no-endpoint-services': 'ipv4_addr . inet_proto . inet_service : verdict',
  'service-nodeports': 'inet_proto . inet_service : verdict',
  'no-endpoint-nodeports': 'inet_proto . inet_service : verdict',
  'firewall-ips': 'ipv4_addr . inet_proto . inet_service : verdict',
  'hairpin-endpoints': 'ipv4_addr . ipv4_addr',
};

/** `map` or `set`: what kind of object a {@link MapName} is. */
function kindOf(m: MapName): 'map' | 'set' {
  return MAP_TYPES[m].includes(': verdict') ? 'map' : 'set';
}

/** The maps, in a fixed order. */
export const MAP_NAMES = Object.keys(MAP_TYPES) as MapName[];

/** What a conflict-resolution pass over all fragments yields. */
export interface ResolvedElements {
  elements: Map<MapName, Map<string, string>>;
  /** `key in map`: claimed by more than one Service; the first Service (by key order) keeps it. */
  conflicts: string[];
}

/** Gathers every fragment's map elements; when two Services claim one key, the first by key wins. */
export function resolveElements(fragments: ReadonlyMap<string, Fragment>): ResolvedElements {
  const elements = new Map<MapName, Map<string, string>>(MAP_NAMES.map((m) => [m, new Map()]));
  const conflicts: string[] = [];
  for (const svcKey of [...fragments.keys()].sort()) {
    for (const el of fragments.get(svcKey)?.elements ?? []) {
      const m = elements.get(el.map);
      if (!m) continue;
      if (m.has(el.key)) {
        if (m.get(el.key) !== el.value) conflicts.push(`${svcKey}: ${el.key} in ${el.map}`);
        continue;
      }
      m.set(el.key, el.value);
    }
  }
  return { elements, conflicts };
}

/** The base chains, maps and sets of the table (everything not owned by a Service). */
function baseLines(t: string): string[] {
  const p = `ip ${t}`;
  const lines = [
    `add table ${p}`,
    `add chain ${p} mark-for-masquerade`,
    `add rule ${p} mark-for-masquerade meta mark set meta mark | ${MASQ_MARK}`,
    `add chain ${p} masquerading`,
    `add rule ${p} masquerading meta mark & ${MASQ_MARK} == 0 return`,
    `add rule ${p} masquerading meta mark set meta mark ^ ${MASQ_MARK}`,
    `add rule ${p} masquerading masquerade fully-random`,
    `add chain ${p} reject-chain`,
    `add rule ${p} reject-chain meta l4proto tcp reject with tcp reset`,
    `add rule ${p} reject-chain reject`,
  ];
  for (const m of MAP_NAMES) lines.push(`add ${kindOf(m)} ${p} ${m} { type ${MAP_TYPES[m]} ; }`);
  lines.push(
    `add set ${p} nodeport-ips { type ipv4_addr ; }`,
    `add chain ${p} services`,
    `add rule ${p} services ip daddr . meta l4proto . th dport vmap @service-ips`,
    `add rule ${p} services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports`,
    `add chain ${p} endpoints-check`,
    `add rule ${p} endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services`,
    `add rule ${p} endpoints-check ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports`,
    `add chain ${p} firewall-check`,
    `add rule ${p} firewall-check ip daddr . meta l4proto . th dport vmap @firewall-ips`,
    // Source ranges are checked before DNAT changes the destination (dstnat is -100).
    `add chain ${p} filter-prerouting { type filter hook prerouting priority -110 ; }`,
    `add rule ${p} filter-prerouting ct state new jump firewall-check`,
    `add chain ${p} nat-prerouting { type nat hook prerouting priority dstnat ; }`,
    `add rule ${p} nat-prerouting jump services`,
    `add chain ${p} nat-output { type nat hook output priority -100 ; }`,
    `add rule ${p} nat-output jump services`,
    `add chain ${p} nat-postrouting { type nat hook postrouting priority 100 ; }`,
    `add rule ${p} nat-postrouting ct status dnat ip saddr . ip daddr @hairpin-endpoints masquerade fully-random`,
    `add rule ${p} nat-postrouting jump masquerading`,
  );
  // Traffic to a Service without endpoints is not DNATed, so it still carries the service address
  // in the filter hooks (which run after DNAT on input/forward, before it on output at -110).
  for (const hook of ['input', 'forward', 'output']) {
    lines.push(
      `add chain ${p} filter-${hook} { type filter hook ${hook} priority -110 ; }`,
      `add rule ${p} filter-${hook} ct state new jump endpoints-check`,
    );
  }
  // Locally generated traffic meets the output hook at -110, before nat-output's DNAT (-100).
  lines.push(`add rule ${p} filter-output ct state new jump firewall-check`);
  return lines;
}

function elementLines(op: 'add' | 'delete', t: string, map: string, entries: [string, string][]): string[] {
  // Batches keep the text short; one line per 500 elements.
  const lines: string[] = [];
  for (let i = 0; i < entries.length; i += 500) {
    const batch = entries.slice(i, i + 500);
    const body = batch.map(([k, v]) => (op === 'add' && v ? `${k} : ${v}` : k)).join(', ');
    lines.push(`${op} element ip ${t} ${map} { ${body} }`);
  }
  return lines;
}

/**
 * The whole table as one transaction: creates the table if missing, deletes it (with whatever an
 * earlier run left), and writes `state` from scratch.
 */
export function renderFull(table: string, state: TableState): string {
  const p = `ip ${table}`;
  const lines = [`add table ${p}`, `delete table ${p}`, ...baseLines(table)];
  const chainLines: string[] = [];
  for (const frag of state.fragments.values()) {
    for (const [name, def] of frag.sets) lines.push(`add set ${p} ${name} ${def}`);
    for (const name of frag.chains.keys()) lines.push(`add chain ${p} ${name}`);
    for (const [name, rules] of frag.chains)
      for (const r of rules) chainLines.push(`add rule ${p} ${name} ${r}`);
  }
  lines.push(...chainLines);
  for (const m of MAP_NAMES) lines.push(...elementLines('add', table, m, [...(state.elements.get(m) ?? [])]));
  lines.push(
    ...elementLines(
      'add',
      table,
      'nodeport-ips',
      state.nodeIPs.map((ip) => [ip, '']),
    ),
  );
  return `${lines.join('\n')}\n`;
}

/**
 * A full rewrite that keeps the table: every rule and map element is written again (repairing anything
 * changed behind the proxy's back), while the affinity sets keep their entries. Objects of `prev` that
 * `next` no longer has are deleted. Used for the periodic resync; the first sync uses
 * {@link renderFull}, which also clears whatever an earlier run left.
 */
export function renderResync(table: string, prev: TableState, next: TableState): string {
  const p = `ip ${table}`;
  const lines = [`add table ${p}`, `flush table ${p}`, ...baseLines(table).slice(1)];
  for (const m of MAP_NAMES) lines.push(`flush ${kindOf(m)} ${p} ${m}`);
  lines.push(`flush set ${p} nodeport-ips`);
  const chainLines: string[] = [];
  const keepChains = new Set<string>();
  const keepSets = new Set<string>();
  for (const frag of next.fragments.values()) {
    for (const [name, def] of frag.sets) {
      keepSets.add(name);
      lines.push(`add set ${p} ${name} ${def}`);
    }
    for (const [name, rules] of frag.chains) {
      keepChains.add(name);
      lines.push(`add chain ${p} ${name}`);
      for (const r of rules) chainLines.push(`add rule ${p} ${name} ${r}`);
    }
  }
  lines.push(...chainLines);
  for (const m of MAP_NAMES) lines.push(...elementLines('add', table, m, [...(next.elements.get(m) ?? [])]));
  lines.push(
    ...elementLines(
      'add',
      table,
      'nodeport-ips',
      next.nodeIPs.map((ip) => [ip, '']),
    ),
  );
  for (const frag of prev.fragments.values()) {
    for (const name of frag.chains.keys()) if (!keepChains.has(name)) lines.push(`delete chain ${p} ${name}`);
  }
  for (const frag of prev.fragments.values()) {
    for (const name of frag.sets.keys()) if (!keepSets.has(name)) lines.push(`delete set ${p} ${name}`);
  }
  return `${lines.join('\n')}\n`;
}

function sameRules(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((r, i) => r === b[i]);
}

/**
 * The commands that turn the table from `prev` into `next`, or '' when nothing changed. Fragments that
 * are the same object in both states are skipped without looking inside.
 */
export function renderDiff(table: string, prev: TableState, next: TableState): string {
  const p = `ip ${table}`;
  const addSets: string[] = [];
  const addChains: string[] = [];
  const flushChains: string[] = [];
  const addRules: string[] = [];
  const dropChains: string[] = [];
  const dropSets: string[] = [];
  const keys = new Set([...prev.fragments.keys(), ...next.fragments.keys()]);
  for (const key of keys) {
    const a = prev.fragments.get(key);
    const b = next.fragments.get(key);
    if (a === b) continue;
    const aChains = a?.chains ?? new Map<string, string[]>();
    const bChains = b?.chains ?? new Map<string, string[]>();
    const aSets = a?.sets ?? new Map<string, string>();
    const bSets = b?.sets ?? new Map<string, string>();
    for (const [name, def] of bSets) if (!aSets.has(name)) addSets.push(`add set ${p} ${name} ${def}`);
    for (const name of aSets.keys()) if (!bSets.has(name)) dropSets.push(`delete set ${p} ${name}`);
    for (const [name, rules] of bChains) {
      const old = aChains.get(name);
      if (sameRules(old, rules)) continue;
      if (old === undefined) addChains.push(`add chain ${p} ${name}`);
      else flushChains.push(`flush chain ${p} ${name}`);
      for (const r of rules) addRules.push(`add rule ${p} ${name} ${r}`);
    }
    for (const name of aChains.keys()) {
      if (bChains.has(name)) continue;
      flushChains.push(`flush chain ${p} ${name}`);
      dropChains.push(`delete chain ${p} ${name}`);
    }
  }
  const delElements: string[] = [];
  const addElements: string[] = [];
  for (const m of MAP_NAMES) {
    const a = prev.elements.get(m) ?? new Map<string, string>();
    const b = next.elements.get(m) ?? new Map<string, string>();
    const gone: [string, string][] = [];
    const added: [string, string][] = [];
    for (const [k, v] of a) {
      const nv = b.get(k);
      if (nv === v) continue;
      gone.push([k, v]);
    }
    for (const [k, v] of b) if (a.get(k) !== v) added.push([k, v]);
    delElements.push(...elementLines('delete', table, m, gone));
    addElements.push(...elementLines('add', table, m, added));
  }
  const ipsBefore = new Set(prev.nodeIPs);
  const ipsAfter = new Set(next.nodeIPs);
  const ipsGone = [...ipsBefore].filter((ip) => !ipsAfter.has(ip));
  const ipsNew = [...ipsAfter].filter((ip) => !ipsBefore.has(ip));
  delElements.push(
    ...elementLines(
      'delete',
      table,
      'nodeport-ips',
      ipsGone.map((ip) => [ip, '']),
    ),
  );
  addElements.push(
    ...elementLines(
      'add',
      table,
      'nodeport-ips',
      ipsNew.map((ip) => [ip, '']),
    ),
  );
  // Order matters inside the transaction: what is referenced exists before the reference, and a
  // chain or set is unreferenced (flushed rules, deleted elements) before it is deleted.
  const lines = [
    ...addSets,
    ...addChains,
    ...flushChains,
    ...addRules,
    ...delElements,
    ...addElements,
    ...dropChains,
    ...dropSets,
  ];
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Commands that remove the table (and everything in it), whether or not it exists. */
export function renderCleanup(table: string): string {
  return `add table ip ${table}\ndelete table ip ${table}\n`;
}

/** An empty state (nothing programmed). */
export function emptyState(nodeIPs: readonly string[] = []): TableState {
  return { fragments: new Map(), elements: new Map(MAP_NAMES.map((m) => [m, new Map()])), nodeIPs };
}
