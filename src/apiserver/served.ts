/**
 * The served resources: for every entry of the resource catalog, its store (shared between
 * versions and groups that store alike), strategy, converter, table printer and supported field
 * selectors.
 */
import { converterFor, type Converter } from '../api/conversion.js';
import { eventsV1FieldLabel } from '../api/events/conversion.js';
import type { KubeObject, StoredObject } from '../api/meta.js';
import type { TablePrinter } from '../api/printers/types.js';
import { apiVersionOf } from '../api/meta.js';
import { RESOURCES, storageOf, type ResourceType } from '../api/resources.js';
import { quantityNormalizer } from '../api/schema/quantities.js';
import { definitions } from '../api/types/index.js';
import { CacheSet } from '../registry/cache/cache-set.js';
import type { ResourceCache } from '../registry/cache/resource-cache.js';
import { CachedObject } from '../registry/cache/types.js';
import { Codec, type ValueTransformer } from '../registry/codec.js';
import { resourcePrefix, splitKey } from '../registry/keys.js';
import { Store, type StoreHooks } from '../registry/store.js';
import type { Strategy, VirtualResource } from '../registry/strategy.js';
import { strategyFor } from '../registry/strategies/index.js';
import type { Backend } from '../storage/backend.js';
import type { Clock } from '../util/time.js';
import type { Logger } from '../util/log.js';
import { defaultPrinter } from './table.js';

export interface ServedResource {
  type: ResourceType;
  /** Absent for virtual kinds (reviews), which are computed, not stored. */
  store?: Store;
  virtual?: VirtualResource;
  strategy: Strategy;
  /** Converts between this served version and the stored one, when they differ. */
  converter?: Converter;
  printer: TablePrinter;
  /** Field-selector labels this kind supports. */
  fieldLabels: ReadonlySet<string>;
  /** Maps a served field label to the stored object's (events.k8s.io `regarding.name` → `involvedObject.name`). */
  fieldLabel?: (label: string) => string;
  /** The stored apiVersion. */
  storageApiVersion: string;
}

export interface ServedDeps {
  backend: Backend;
  clock: Clock;
  log: Logger;
  /** Encrypts Secrets at rest. */
  secretsTransformer?: ValueTransformer;
  virtuals: Readonly<Record<string, VirtualResource>>;
  printerFor(group: string, kind: string): TablePrinter | undefined;
  /** Stateful write hooks of a stored resource (a Service's allocations). */
  hooksFor?(group: string, resource: string): StoreHooks | undefined;
}

/** Selectable fields of an object: metadata.name/namespace plus the strategy's. */
function selectable(strategy: Strategy, obj: KubeObject, namespaced: boolean): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.name': obj.metadata?.name ?? '' };
  if (namespaced) fields['metadata.namespace'] = obj.metadata?.namespace ?? '';
  if (strategy.selectableFields) Object.assign(fields, strategy.selectableFields(obj));
  return fields;
}

export class ServedResources {
  readonly caches: CacheSet;
  private readonly byPath = new Map<string, ServedResource>();
  private readonly storageCaches = new Map<string, ResourceCache>();

  constructor(private readonly deps: ServedDeps) {
    this.caches = new CacheSet(deps.backend, deps.log.child({ component: 'watch-cache' }));
    const stores = new Map<string, Store>();
    for (const type of RESOURCES) {
      const storage = storageOf(type);
      const storageKey = `${storage.group}/${storage.resource}`;
      const strategy = strategyFor(storage.group, storage.resource);
      const converter =
        storage.version !== type.version || storage.group !== type.group ? converterFor(type) : undefined;
      const fieldLabels = new Set(Object.keys(selectable(strategy, { metadata: {} }, type.namespaced)));
      const printer = deps.printerFor(type.group, type.kind) ?? defaultPrinter;
      const served: ServedResource = {
        type,
        strategy,
        converter,
        printer,
        fieldLabels,
        fieldLabel: type.group === 'events.k8s.io' ? eventsV1FieldLabel : undefined,
        storageApiVersion: apiVersionOf({ group: storage.group, version: storage.version }),
      };
      if (type.virtual) {
        served.virtual = deps.virtuals[`${type.group}/${type.plural}`];
      } else {
        let store = stores.get(storageKey);
        if (!store) {
          store = this.makeStore(type, strategy);
          stores.set(storageKey, store);
        }
        served.store = store;
      }
      this.byPath.set(`${type.group}/${type.version}/${type.plural}`, served);
    }
  }

  private makeStore(type: ResourceType, strategy: Strategy): Store {
    const storage = storageOf(type);
    const prefix = resourcePrefix(storage.group, storage.resource);
    const transformer =
      storage.group === '' && storage.resource === 'secrets' ? this.deps.secretsTransformer : undefined;
    const codec = new Codec(transformer);
    const namespaced = type.namespaced;
    const toCached = (key: string, obj: StoredObject): CachedObject => {
      const { namespace, name } = splitKey(prefix, key, namespaced);
      return new CachedObject(
        key,
        namespace,
        name,
        Number(obj.metadata.resourceVersion ?? '0'),
        obj,
        obj.metadata.labels ?? {},
        selectable(strategy, obj, namespaced),
        codec,
      );
    };
    const cache = this.caches.register({
      prefix,
      namespaced,
      decode: (kv) => toCached(kv.key, codec.decode(kv)),
    });
    this.storageCaches.set(`${storage.group}/${storage.resource}`, cache);
    const hooks = this.deps.hooksFor?.(storage.group, storage.resource);
    const storedKind = type.storage
      ? (RESOURCES.find(
          (r) => r.group === storage.group && r.version === storage.version && r.plural === storage.resource,
        )?.kind ?? type.kind)
      : type.kind;
    // Quantities are stored in canonical form, found through the stored kind's schema.
    const storedDef = definitions.forKind({
      group: storage.group,
      version: storage.version,
      kind: storedKind,
    });
    const normalize = storedDef ? quantityNormalizer(storedDef, definitions) : undefined;
    return new Store({
      resource: {
        gr: { group: storage.group, resource: storage.resource },
        kind: storedKind,
        group: storage.group,
        apiVersion: apiVersionOf({ group: storage.group, version: storage.version }),
        namespaced,
        hasStatus: !!type.status,
        prefix,
      },
      strategy,
      backend: this.deps.backend,
      caches: this.caches,
      cache,
      codec,
      clock: this.deps.clock,
      toCached,
      ...(hooks ? { hooks } : {}),
      ...(normalize ? { normalize } : {}),
    });
  }

  /** The served resource at `/apis/{group}/{version}/{plural}`. */
  get(group: string, version: string, plural: string): ServedResource | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  /** The cache of a stored resource, e.g. ('', 'namespaces'). */
  cache(group: string, resource: string): ResourceCache | undefined {
    return this.storageCaches.get(`${group}/${resource}`);
  }

  all(): IterableIterator<ServedResource> {
    return this.byPath.values();
  }

  /** One entry per stored resource (the first served version of each), with its cache. */
  stored(): { served: ServedResource; store: Store; cache: ResourceCache }[] {
    const out: { served: ServedResource; store: Store; cache: ResourceCache }[] = [];
    const seen = new Set<Store>();
    for (const served of this.byPath.values()) {
      const store = served.store;
      if (!store || seen.has(store) || served.converter) continue;
      seen.add(store);
      const cache = this.storageCaches.get(`${store.resource.group}/${store.resource.gr.resource}`);
      if (cache) out.push({ served, store, cache });
    }
    return out;
  }
}
