/**
 * The few `Reflect` metadata functions that @peculiar/x509's dependency injection container (tsyringe)
 * looks for at load time. Installed only when absent, so a full polyfill loaded earlier wins. Keeping
 * this here spares the project a dependency for three small functions; ./x509.ts imports it before
 * the library.
 */

type MetadataKey = unknown;
type PropertyKey_ = string | symbol | undefined;

const store = new WeakMap<object, Map<PropertyKey_, Map<MetadataKey, unknown>>>();

function ownMap(
  target: object,
  property: PropertyKey_,
  create: boolean,
): Map<MetadataKey, unknown> | undefined {
  let byProperty = store.get(target);
  if (!byProperty) {
    if (!create) return undefined;
    byProperty = new Map();
    store.set(target, byProperty);
  }
  let map = byProperty.get(property);
  if (!map && create) {
    map = new Map();
    byProperty.set(property, map);
  }
  return map;
}

interface ReflectMetadataApi {
  defineMetadata(key: MetadataKey, value: unknown, target: object, property?: string | symbol): void;
  getOwnMetadata(key: MetadataKey, target: object, property?: string | symbol): unknown;
  getMetadata(key: MetadataKey, target: object, property?: string | symbol): unknown;
  hasOwnMetadata(key: MetadataKey, target: object, property?: string | symbol): boolean;
  hasMetadata(key: MetadataKey, target: object, property?: string | symbol): boolean;
  metadata(key: MetadataKey, value: unknown): (target: object, property?: string | symbol) => void;
}

const api: ReflectMetadataApi = {
  defineMetadata(key, value, target, property) {
    ownMap(target, property, true)?.set(key, value);
  },
  getOwnMetadata(key, target, property) {
    return ownMap(target, property, false)?.get(key);
  },
  getMetadata(key, target, property) {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t) as object | null) {
      const map = ownMap(t, property, false);
      if (map?.has(key)) return map.get(key);
    }
    return undefined;
  },
  hasOwnMetadata(key, target, property) {
    return ownMap(target, property, false)?.has(key) ?? false;
  },
  hasMetadata(key, target, property) {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t) as object | null) {
      if (ownMap(t, property, false)?.has(key)) return true;
    }
    return false;
  },
  metadata(key, value) {
    return (target, property) => api.defineMetadata(key, value, target, property);
  },
};

const reflect = Reflect as unknown as Partial<ReflectMetadataApi>;
if (typeof reflect.getMetadata !== 'function') {
  for (const [name, fn] of Object.entries(api)) {
    Object.defineProperty(Reflect, name, { value: fn, configurable: true, writable: true });
  }
}
