/**
 * The order of merged lists in strategic merge patch, with upstream's rules:
 * - Items named in the patch (or in its `$setElementOrder` list) keep the patch's relative order.
 * - Items only the server has keep the server's relative order.
 * - The two runs are interleaved: a server-only item goes before a patch item when both are in the
 *   server's list and the server had it first; otherwise the patch item goes first. So an item the
 *   patch adds lands before the server-only items that follow it in the merge, which for a patch that
 *   only adds means at the front of the list.
 */

/** How a list item is identified: by its merge key's value, or (for primitives) by itself. */
export type ItemKey = (item: unknown) => unknown;

/** Item identity → index of its first occurrence in `list`. */
export function firstIndexes(list: readonly unknown[], keyOf: ItemKey): Map<unknown, number> {
  const m = new Map<unknown, number>();
  for (let i = 0; i < list.length; i++) {
    const k = keyOf(list[i]);
    if (!m.has(k)) m.set(k, i);
  }
  return m;
}

/**
 * Sorts `items` (stably) by the position of their identity in an order list; items the order does
 * not name keep their relative order after those it names.
 */
export function sortByOrder(items: unknown[], order: Map<unknown, number>, keyOf: ItemKey): unknown[] {
  if (items.length < 2) return items;
  const ranked = items.map((item, i) => ({ item, i, at: order.get(keyOf(item)) ?? Number.MAX_SAFE_INTEGER }));
  ranked.sort((a, b) => a.at - b.at || a.i - b.i);
  return ranked.map((r) => r.item);
}

/** Interleaves server-only items (`left`) with patch items (`right`), both already sorted. */
export function mergeSorted(
  left: readonly unknown[],
  right: readonly unknown[],
  serverOrder: Map<unknown, number>,
  keyOf: ItemKey,
): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const li = serverOrder.get(keyOf(left[i]));
    const ri = serverOrder.get(keyOf(right[j]));
    if (li !== undefined && ri !== undefined && li < ri) out.push(left[i++]);
    else out.push(right[j++]);
  }
  while (i < left.length) out.push(left[i++]);
  while (j < right.length) out.push(right[j++]);
  return out;
}

/**
 * Orders a merged list: items whose identity is in `patchOrder` follow it, the others follow
 * `serverOrder`, and the two runs are interleaved by {@link mergeSorted}.
 */
export function normalizeOrder(
  merged: readonly unknown[],
  patchOrder: Map<unknown, number>,
  serverOrder: Map<unknown, number>,
  keyOf: ItemKey,
): unknown[] {
  const patchItems: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const item of merged) (patchOrder.has(keyOf(item)) ? patchItems : serverOnly).push(item);
  return mergeSorted(
    sortByOrder(serverOnly, serverOrder, keyOf),
    sortByOrder(patchItems, patchOrder, keyOf),
    serverOrder,
    keyOf,
  );
}
