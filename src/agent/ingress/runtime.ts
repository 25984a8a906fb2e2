/**
 * Endpoint changes without a reload. A reload makes the old HAProxy workers close their idle
 * keep-alive connections, and a client that sends a request on one at that moment sees it fail; so
 * only changes of routes, backends or certificates reload. Each backend is rendered with spare,
 * disabled server slots ({@link slotsFor}); when only endpoints changed and they fit, the slots are
 * rewritten through the admin socket (`set server … addr … port …`, `state ready|maint`). A removed
 * endpoint's slot goes to maintenance: its open connections finish, it gets no new requests.
 */
import { serverAddress } from './haproxy-config.js';
import type { IngressModel } from './model.js';

/** What is running: per backend, the endpoint (`address:port`) in each slot (undefined: free). */
export interface SlotState {
  /** The configuration apart from endpoints; equal keys mean a runtime update can suffice. */
  key: string;
  slots: Map<string, (string | undefined)[]>;
}

/** The part of the model a runtime update cannot change, as a comparable text. */
export function structureKey(
  model: IngressModel,
  slotCounts: ReadonlyMap<string, number>,
  extra: string,
): string {
  return JSON.stringify({
    extra,
    routes: model.routes,
    defaultBackend: model.defaultBackend,
    backends: model.backends.map((b) => [b.name, slotCounts.get(b.name) ?? 0]),
    certificates: model.certificates,
  });
}

/** The slot state right after a reload that rendered `model` with `slotCounts`. */
export function initialSlots(
  model: IngressModel,
  slotCounts: ReadonlyMap<string, number>,
  key: string,
): SlotState {
  const slots = new Map<string, (string | undefined)[]>();
  for (const b of model.backends) {
    const n = Math.max(b.servers.length, slotCounts.get(b.name) ?? 0);
    const row: (string | undefined)[] = [];
    for (let i = 0; i < n; i++) {
      const s = b.servers[i];
      row.push(s ? serverAddress(s.address, s.port) : undefined);
    }
    slots.set(b.name, row);
  }
  return { key, slots };
}

/**
 * The admin-socket commands that bring `state` to the endpoints of `model` (and the new state), or
 * undefined when some backend has more endpoints than slots (a reload is needed).
 */
export function planRuntimeUpdate(
  state: SlotState,
  model: IngressModel,
): { commands: string[]; next: SlotState } | undefined {
  const commands: string[] = [];
  const next = new Map<string, (string | undefined)[]>();
  for (const b of model.backends) {
    const row = [...(state.slots.get(b.name) ?? [])];
    const want = new Set(b.servers.map((s) => serverAddress(s.address, s.port)));
    if (want.size > row.length) return undefined;
    // Slots whose endpoint is gone go to maintenance (their connections finish).
    row.forEach((ep, i) => {
      if (ep !== undefined && !want.has(ep)) {
        commands.push(`set server ${b.name}/ep${i} state maint`);
        row[i] = undefined;
      }
    });
    const placed = new Set(row.filter((x): x is string => x !== undefined));
    for (const s of b.servers) {
      const ep = serverAddress(s.address, s.port);
      if (placed.has(ep)) continue;
      const free = row.findIndex((x) => x === undefined);
      if (free < 0) return undefined;
      const addr = s.address;
      commands.push(`set server ${b.name}/ep${free} addr ${addr} port ${s.port}`);
      commands.push(`set server ${b.name}/ep${free} state ready`);
      row[free] = ep;
      placed.add(ep);
    }
    next.set(b.name, row);
  }
  return { commands, next: { key: state.key, slots: next } };
}
