import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import type { Definition } from '../schema/types.js';
import { deploymentGvk, miniRegistry, podGvk } from '../schema/testing/mini-schema.js';
import { strategicMergePatch } from './strategic.js';

const registry = miniRegistry();
const podDef = registry.forKind(podGvk) as Definition;
const deployDef = registry.forKind(deploymentGvk) as Definition;

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Applies a patch (frozen, to prove it is never modified) to a copy of `original`. */
function smp(original: unknown, patch: unknown, def: Definition = podDef): unknown {
  return strategicMergePatch(structuredClone(original), deepFreeze(structuredClone(patch)), def, registry);
}

function pod(containers: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', labels: { app: 'web', tier: 'front' } },
    spec: { containers, ...extra },
  };
}

function names(obj: unknown, field = 'containers'): unknown[] {
  const spec = (obj as { spec: Record<string, unknown[]> }).spec;
  return (spec[field] ?? []).map((c) => (c as { name: unknown }).name);
}

function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

const a = { name: 'a', image: 'a:1' };
const b = { name: 'b', image: 'b:1', ports: [{ containerPort: 80 }] };

describe('strategic merge patch: lists of objects merged by key', () => {
  it('changes one container image in a two-container pod (kubectl set image)', () => {
    const out = smp(pod([a, b]), { spec: { containers: [{ name: 'b', image: 'x' }] } });
    expect(out).toEqual(pod([a, { ...b, image: 'x' }]));
  });

  it('removes a container with $patch: delete', () => {
    const out = smp(pod([a, b]), { spec: { containers: [{ name: 'a', $patch: 'delete' }] } });
    expect(names(out)).toEqual(['b']);
  });

  it('adds a new item ahead of the server-only items when the patch has no order', () => {
    const out = smp(pod([a, b]), { spec: { containers: [{ name: 'c', image: 'c:1' }] } });
    expect(names(out)).toEqual(['c', 'a', 'b']);
  });

  it('keeps server order around a modified item', () => {
    const c = { name: 'c', image: 'c:1' };
    const out = smp(pod([a, b, c]), { spec: { containers: [{ name: 'b', image: 'x' }] } });
    expect(names(out)).toEqual(['a', 'b', 'c']);
  });

  it('follows the patch order for items the patch names', () => {
    const c = { name: 'c', image: 'c:1' };
    const out = smp(pod([a, b, c]), {
      spec: {
        containers: [
          { name: 'c', image: 'c:2' },
          { name: 'a', image: 'a:2' },
        ],
      },
    });
    expect(names(out)).toEqual(['b', 'c', 'a']);
  });

  it('merges nested lists by their own keys (ports by containerPort)', () => {
    const out = smp(pod([a, b]), {
      spec: {
        containers: [{ name: 'b', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }] }],
      },
    });
    const ports = (out as { spec: { containers: { ports?: unknown[] }[] } }).spec.containers[1]?.ports;
    expect(ports).toEqual([{ containerPort: 80, name: 'http' }, { containerPort: 443 }]);
  });

  it('deletes every item with the merge key and tolerates deleting a missing one', () => {
    const out = smp(pod([a, b]), {
      spec: {
        containers: [
          { name: 'zzz', $patch: 'delete' },
          { name: 'b', $patch: 'delete' },
        ],
      },
    });
    expect(names(out)).toEqual(['a']);
  });

  it('replaces the whole list with $patch: replace', () => {
    const out = smp(pod([a, b]), {
      spec: { containers: [{ $patch: 'replace' }, { name: 'z', image: 'z' }] },
    });
    expect((out as { spec: unknown }).spec).toEqual({ containers: [{ name: 'z', image: 'z' }] });
  });

  it('rejects a list item without the merge key, with upstream wording', () => {
    const err = errorOf(() => smp(pod([a, b]), { spec: { containers: [{ image: 'x' }] } }));
    expect(err.code).toBe(400);
    expect(err.message).toBe('map: map[image:x] does not contain declared merge key: name');
  });

  it('rejects $patch: merge in a list and unknown directives', () => {
    expect(
      errorOf(() => smp(pod([a]), { spec: { containers: [{ name: 'a', $patch: 'merge' }] } })).message,
    ).toBe('merging lists cannot yet be specified in the patch');
    expect(
      errorOf(() => smp(pod([a]), { spec: { containers: [{ name: 'a', $patch: 'nope' }] } })).message,
    ).toBe('unknown patch type: nope in map: map[$patch:nope name:a]');
  });

  it('answers a list of lists with upstream 422', () => {
    const orig = pod([a]);
    (orig.metadata as Record<string, unknown>).finalizers = ['f'];
    const err = errorOf(() => smp(orig, { metadata: { finalizers: [['x']] } }));
    expect(err.code).toBe(422);
    expect(err.cause).toBe('lists of lists are not supported');
  });

  it('replaces lists without a merge strategy (tolerations)', () => {
    const out = smp(pod([a], { tolerations: [{ key: 'k1' }, { key: 'k2' }] }), {
      spec: { tolerations: [{ key: 'k3' }] },
    });
    expect((out as { spec: { tolerations: unknown } }).spec.tolerations).toEqual([{ key: 'k3' }]);
  });
});

describe('strategic merge patch: $setElementOrder (kubectl apply)', () => {
  it('reorders a list without changing its items', () => {
    const out = smp(pod([a, b]), { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] } });
    expect(names(out)).toEqual(['b', 'a']);
  });

  it('appends an added container where the configuration puts it', () => {
    const out = smp(pod([a, b]), {
      spec: {
        '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
        containers: [{ name: 'c', image: 'c:1' }],
      },
    });
    expect(names(out)).toEqual(['a', 'b', 'c']);
  });

  it('removes a container that left the configuration', () => {
    const out = smp(pod([a, b]), {
      spec: {
        '$setElementOrder/containers': [{ name: 'a' }],
        containers: [{ name: 'b', $patch: 'delete' }],
      },
    });
    expect(names(out)).toEqual(['a']);
  });

  it('keeps a server-added item in place among the configured ones', () => {
    const s = { name: 's', image: 'sidecar' };
    const out = smp(pod([a, s, b]), {
      spec: {
        '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
        containers: [{ name: 'c', image: 'c:1' }],
      },
    });
    expect(names(out)).toEqual(['a', 's', 'b', 'c']);
  });

  it('orders primitive lists and deletes with $deleteFromPrimitiveList', () => {
    const orig = pod([a]);
    (orig.metadata as Record<string, unknown>).finalizers = ['b', 'e', 'a', 'c', 'd'];
    const out = smp(orig, {
      metadata: {
        '$setElementOrder/finalizers': ['a', 'b', 'f'],
        '$deleteFromPrimitiveList/finalizers': ['c'],
        finalizers: ['f'],
      },
    });
    expect((out as { metadata: { finalizers: unknown } }).metadata.finalizers).toEqual([
      'e',
      'a',
      'b',
      'f',
      'd',
    ]);
  });

  it('rejects a patch list that disagrees with the order list', () => {
    const err = errorOf(() =>
      smp(pod([a, b]), {
        spec: {
          '$setElementOrder/containers': [{ name: 'a' }],
          containers: [{ name: 'b', image: 'x' }],
        },
      }),
    );
    expect(err.code).toBe(400);
    expect(err.message).toContain("doesn't match $setElementOrder list");
  });

  it('rejects malformed directive keys', () => {
    expect(errorOf(() => smp(pod([a]), { spec: { $setElementOrderX: [] } })).message).toBe(
      'invalid patch format of setElementOrder list',
    );
    expect(errorOf(() => smp(pod([a]), { metadata: { $deleteFromPrimitiveListX: [] } })).message).toBe(
      'invalid patch format of primitive list',
    );
  });

  it('applies the patch kubectl apply sends for a changed deployment', () => {
    const live = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', annotations: { other: 'kept' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'd' } },
        template: {
          metadata: { labels: { app: 'd' } },
          spec: {
            containers: [
              {
                name: 'app',
                image: 'app:v1',
                ports: [{ containerPort: 80 }],
                env: [{ name: 'X', value: '1' }],
              },
            ],
          },
        },
      },
    };
    const patch = {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
      spec: {
        replicas: 3,
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'app' }],
            containers: [
              {
                name: 'app',
                image: 'app:v2',
                ports: null,
                '$setElementOrder/env': [{ name: 'X' }, { name: 'Y' }],
                env: [{ name: 'Y', value: '2' }],
              },
            ],
          },
        },
      },
    };
    expect(smp(live, patch, deployDef)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'd',
        annotations: { other: 'kept', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
      },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'd' } },
        template: {
          metadata: { labels: { app: 'd' } },
          spec: {
            containers: [
              {
                name: 'app',
                image: 'app:v2',
                env: [
                  { name: 'X', value: '1' },
                  { name: 'Y', value: '2' },
                ],
              },
            ],
          },
        },
      },
    });
  });
});

describe('strategic merge patch: primitive lists', () => {
  it('unions merged primitive lists without duplicates', () => {
    const orig = pod([a]);
    (orig.metadata as Record<string, unknown>).finalizers = ['a', 'b'];
    const out = smp(orig, { metadata: { finalizers: ['c', 'a'] } });
    expect((out as { metadata: { finalizers: unknown } }).metadata.finalizers).toEqual(['c', 'a', 'b']);
  });

  it('deletes values with $deleteFromPrimitiveList and ignores a missing list', () => {
    const orig = pod([a]);
    (orig.metadata as Record<string, unknown>).finalizers = ['a', 'b', 'c'];
    const out = smp(orig, { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'zz'] } });
    expect((out as { metadata: { finalizers: unknown } }).metadata.finalizers).toEqual(['a', 'c']);
    const none = smp(pod([a]), { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } });
    expect((none as { metadata: Record<string, unknown> }).metadata.finalizers).toBeUndefined();
  });

  it('replaces primitive lists without a merge strategy (args)', () => {
    const out = smp(pod([{ name: 'a', args: ['1', '2'] }]), {
      spec: { containers: [{ name: 'a', args: ['3'] }] },
    });
    expect((out as { spec: { containers: { args: unknown }[] } }).spec.containers[0]?.args).toEqual(['3']);
  });
});

describe('strategic merge patch: maps and directives', () => {
  it('removes a label with null and adds another (kubectl label)', () => {
    const out = smp(pod([a]), { metadata: { labels: { tier: null, env: 'prod' } } });
    expect((out as { metadata: unknown }).metadata).toEqual({
      name: 'p',
      labels: { app: 'web', env: 'prod' },
    });
  });

  it('ignores null for a field that is not there', () => {
    const out = smp(pod([a]), { metadata: { labels: { nope: null } }, spec: { hostNetwork: null } });
    expect(out).toEqual(pod([a]));
  });

  it('replaces a map with $patch: replace and empties it with $patch: delete', () => {
    const orig = pod([a], { nodeSelector: { disk: 'ssd', zone: 'a' } });
    const replaced = smp(orig, { spec: { nodeSelector: { $patch: 'replace', zone: 'b' } } });
    expect((replaced as { spec: { nodeSelector: unknown } }).spec.nodeSelector).toEqual({ zone: 'b' });
    const deleted = smp(orig, { spec: { nodeSelector: { $patch: 'delete' } } });
    expect((deleted as { spec: { nodeSelector: unknown } }).spec.nodeSelector).toEqual({});
  });

  it('treats $patch: merge in a map as a plain merge', () => {
    const out = smp(pod([a], { nodeSelector: { disk: 'ssd' } }), {
      spec: { nodeSelector: { $patch: 'merge', zone: 'b' } },
    });
    expect((out as { spec: { nodeSelector: unknown } }).spec.nodeSelector).toEqual({
      disk: 'ssd',
      zone: 'b',
    });
  });

  it('switches a volume source with $retainKeys', () => {
    const orig = pod([a], {
      volumes: [
        { name: 'v', emptyDir: {} },
        { name: 'w', emptyDir: {} },
      ],
    });
    const out = smp(orig, {
      spec: {
        volumes: [{ name: 'v', configMap: { name: 'cm' }, $retainKeys: ['configMap', 'name'] }],
      },
    });
    expect((out as { spec: { volumes: unknown } }).spec.volumes).toEqual([
      { name: 'v', configMap: { name: 'cm' } },
      { name: 'w', emptyDir: {} },
    ]);
  });

  it('switches a deployment strategy with $retainKeys', () => {
    const live = {
      spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } } },
    };
    const out = smp(
      live,
      { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } },
      deployDef,
    );
    expect(out).toEqual({ spec: { strategy: { type: 'Recreate' } } });
  });

  it('rejects a patch field missing from $retainKeys', () => {
    const err = errorOf(() =>
      smp(pod([a], { volumes: [{ name: 'v', emptyDir: {} }] }), {
        spec: { volumes: [{ name: 'v', configMap: { name: 'cm' }, $retainKeys: ['name'] }] },
      }),
    );
    expect(err.code).toBe(400);
    expect(err.message).toBe('invalid patch format of retainKeys');
  });

  it('merges schemaless values as JSON merge patch', () => {
    const live = { spec: { extra: { a: { x: 1, y: [1, 2] }, b: 2 } } };
    const out = smp(
      live,
      { spec: { extra: { a: { y: [3], z: null }, b: null, c: { d: null, e: 1 } } } },
      deployDef,
    );
    expect(out).toEqual({ spec: { extra: { a: { x: 1, y: [3] }, c: { e: 1 } } } });
  });

  it('replaces a value whose type changes', () => {
    const live = { spec: { extra: { a: 'text' } } };
    const out = smp(live, { spec: { extra: { a: { now: 'object' } } } }, deployDef);
    expect(out).toEqual({ spec: { extra: { a: { now: 'object' } } } });
  });

  it('applies directives inside values that the original lacks', () => {
    const out = smp(pod([a]), {
      spec: {
        volumes: [
          { name: 'v', $retainKeys: ['emptyDir', 'name'], emptyDir: { medium: null } },
          { name: 'gone', $patch: 'delete' },
        ],
        nodeSelector: { $patch: 'replace', zone: 'b' },
      },
    });
    expect((out as { spec: unknown }).spec).toEqual({
      containers: [a],
      volumes: [{ name: 'v', emptyDir: {} }],
      nodeSelector: { zone: 'b' },
    });
  });

  it('scales and annotates (kubectl scale / annotate shapes)', () => {
    const live = { metadata: { name: 'd' }, spec: { replicas: 1 } };
    const out = smp(live, { metadata: { annotations: { note: 'hi' } }, spec: { replicas: 5 } }, deployDef);
    expect(out).toEqual({ metadata: { name: 'd', annotations: { note: 'hi' } }, spec: { replicas: 5 } });
  });

  it('replaces the whole object with a root $patch: replace', () => {
    const out = smp(pod([a]), { $patch: 'replace', kind: 'Pod', metadata: { name: 'q' } });
    expect(out).toEqual({ kind: 'Pod', metadata: { name: 'q' } });
  });
});

describe('strategic merge patch: inputs', () => {
  it('treats a null patch as no change and rejects non-object patches', () => {
    expect(smp(pod([a]), null)).toEqual(pod([a]));
    const err = errorOf(() => smp(pod([a]), [1]));
    expect(err.code).toBe(400);
    expect(err.message).toBe('json: cannot unmarshal array into Go value of type map[string]interface {}');
  });

  it('never shares patch values with the result, so a patch can be applied twice', () => {
    const patch = deepFreeze({
      spec: {
        containers: [{ name: 'c', image: 'c', env: [{ name: 'E', value: '1' }] }],
        nodeSelector: { z: 'a' },
      },
    });
    const first = strategicMergePatch(structuredClone(pod([a])), patch, podDef, registry) as {
      spec: { containers: { env: { value: string }[] }[]; nodeSelector: Record<string, string> };
    };
    first.spec.containers[0]!.env[0]!.value = 'changed';
    first.spec.nodeSelector.z = 'changed';
    const second = strategicMergePatch(structuredClone(pod([a])), patch, podDef, registry);
    expect(names(second)).toEqual(['c', 'a']);
    expect((second as { spec: { nodeSelector: unknown } }).spec.nodeSelector).toEqual({ z: 'a' });
  });

  it('keeps a __proto__ key as data', () => {
    const patch = JSON.parse('{"spec":{"extra":{"__proto__":{"polluted":true}}}}') as unknown;
    const out = smp({ spec: {} }, patch, deployDef) as { spec: { extra: Record<string, unknown> } };
    expect(Object.keys(out.spec.extra)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
