import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESOURCES } from '../resources.js';
import type { Definition, Property, Schema } from '../schema/types.js';
import { def, field, fieldNames, groupModules, groupRegistry } from './testing/schema-groups.js';

const registry = groupRegistry();
const all = [...registry.all()];

function properties(d: Definition): [string, Property][] {
  return Object.entries(d.properties ?? {});
}

describe('group schema registry', () => {
  it('holds every group definition exactly once', () => {
    const total = Object.values(groupModules).reduce((n, defs) => n + defs.length, 0);
    expect(all.length).toBe(total);
    expect(total).toBeGreaterThan(150);
  });

  it('leaves only meta (apimachinery) and core/v1 names unresolved', () => {
    const foreign = registry
      .missingReferences()
      .filter((n) => !n.startsWith('io.k8s.apimachinery.') && !n.startsWith('io.k8s.api.core.v1.'));
    expect(foreign).toEqual([]);
    expect(registry.missingReferences()).toContain('io.k8s.api.core.v1.PodTemplateSpec');
    expect(registry.missingReferences()).toContain('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector');
  });

  it('names every definition after its upstream group and version', () => {
    const prefixes: Record<string, RegExp> = {
      'apps-v1': /^io\.k8s\.api\.apps\.v1\.\w+$/,
      'batch-v1': /^io\.k8s\.api\.batch\.v1\.\w+$/,
      autoscaling: /^io\.k8s\.api\.autoscaling\.v[12]\.\w+$/,
      'networking-v1': /^io\.k8s\.api\.networking\.v1\.\w+$/,
      'discovery-v1': /^io\.k8s\.api\.discovery\.v1\.\w+$/,
      'coordination-v1': /^io\.k8s\.api\.coordination\.v1\.\w+$/,
      'events-v1': /^io\.k8s\.api\.events\.v1\.\w+$/,
      'rbac-v1': /^io\.k8s\.api\.rbac\.v1\.\w+$/,
      'storage-v1': /^io\.k8s\.api\.storage\.v1\.\w+$/,
      'policy-v1': /^io\.k8s\.api\.policy\.v1\.\w+$/,
      'scheduling-v1': /^io\.k8s\.api\.scheduling\.v1\.\w+$/,
      'authentication-v1': /^io\.k8s\.api\.authentication\.v1\.\w+$/,
      'authorization-v1': /^io\.k8s\.api\.authorization\.v1\.\w+$/,
    };
    for (const [module, defs] of Object.entries(groupModules)) {
      const re = prefixes[module];
      expect(re, module).toBeDefined();
      for (const d of defs) expect(d.name, module).toMatch(re ?? /^$/);
    }
  });

  it('finds every served resource outside the core group, and its List kind', () => {
    const served = RESOURCES.filter((r) => r.group !== '');
    expect(served.length).toBeGreaterThan(25);
    for (const r of served) {
      const d = registry.forKind({ group: r.group, version: r.version, kind: r.kind });
      expect(d?.name, `${r.group}/${r.version} ${r.kind}`).toBe(r.definition);
      const listKind = registry.forKind({ group: r.group, version: r.version, kind: `${r.kind}List` });
      if (r.virtual) expect(listKind, `${r.kind}List`).toBeUndefined();
      else expect(listKind?.name, `${r.kind}List`).toBe(`${r.definition}List`);
    }
  });

  it('finds the kinds that subresources outside the core group accept', () => {
    const kinds = RESOURCES.flatMap((r) =>
      Object.values(r.subresources ?? {})
        .filter((s) => s.group !== undefined && s.group !== '')
        .map((s) => ({ group: s.group ?? '', version: s.version ?? 'v1', kind: s.kind })),
    );
    kinds.push({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
    expect(kinds.map((k) => k.kind)).toEqual(expect.arrayContaining(['Eviction', 'TokenRequest', 'Scale']));
    for (const k of kinds) expect(registry.forKind(k), `${k.group}/${k.version} ${k.kind}`).toBeDefined();
  });

  it('gives every kind apiVersion, kind and metadata, and every List kind items of its kind', () => {
    for (const d of all.filter((x) => x.gvk)) {
      expect(fieldNames(registry, d.name), d.name).toEqual(
        expect.arrayContaining(['apiVersion', 'kind', 'metadata']),
      );
      const g = d.gvk?.[0];
      if (!g?.kind.endsWith('List')) continue;
      const items = field(registry, d.name, 'items').schema;
      expect(items.kind).toBe('array');
      const item = items.kind === 'array' && items.items.kind === 'ref' ? items.items.name : '';
      expect(def(registry, item).gvk?.[0]).toEqual({ ...g, kind: g.kind.slice(0, -4) });
      expect(d.required).toEqual(['items']);
    }
  });

  it('keeps required fields, list and map markers consistent', () => {
    for (const d of all) {
      expect(d.description.length, d.name).toBeGreaterThan(10);
      for (const r of d.required ?? []) expect(d.properties?.[r], `${d.name}.${r}`).toBeDefined();
      for (const [name, prop] of properties(d)) {
        const at = `${d.name}.${name}`;
        expect(prop.description.trim().length, at).toBeGreaterThan(3);
        if (prop.listType) expect(prop.schema.kind, at).toBe('array');
        expect(prop.listType === 'map', at).toBe(prop.listMapKeys !== undefined);
        expect(prop.patchMergeKey !== undefined, at).toBe(prop.patchStrategy?.startsWith('merge') ?? false);
        if (prop.listMapKeys && prop.schema.kind === 'array' && prop.schema.items.kind === 'ref') {
          const item = registry.get(prop.schema.items.name);
          for (const key of prop.listMapKeys) {
            if (item) expect(item.required ?? [], `${at} key ${key}`).toContain(key);
          }
        }
        const enumOf = (s: Schema): readonly string[] | undefined =>
          s.kind === 'string' ? s.enum : s.kind === 'array' ? enumOf(s.items) : undefined;
        const values = enumOf(prop.schema);
        if (values) expect(new Set(values).size, at).toBe(values.length);
      }
    }
  });

  it('writes short descriptions of its own rather than upstream doc text', () => {
    const upstream = upstreamDocComments();
    expect(upstream.size).toBeGreaterThan(500);
    const copied: string[] = [];
    for (const d of all) {
      const texts = [d.description, ...properties(d).map(([, prop]) => prop.description)];
      for (const text of texts) {
        expect(text.length, text).toBeLessThanOrEqual(160);
        if (upstream.has(normalize(text))) copied.push(`${d.name}: ${text}`);
      }
    }
    expect(copied).toEqual([]);
  });
});

describe('smaller groups', () => {
  it('EndpointSlice: address type enum, addresses as a set, atomic ports', () => {
    const slice = 'io.k8s.api.discovery.v1.EndpointSlice';
    expect(def(registry, slice).required).toEqual(['addressType', 'endpoints']);
    expect(field(registry, slice, 'addressType').schema).toEqual({
      kind: 'string',
      enum: ['IPv4', 'IPv6', 'FQDN'],
    });
    expect(field(registry, 'io.k8s.api.discovery.v1.Endpoint', 'addresses').listType).toBe('set');
    expect(def(registry, 'io.k8s.api.discovery.v1.EndpointPort').mapType).toBe('atomic');
    expect(fieldNames(registry, 'io.k8s.api.discovery.v1.EndpointHints')).toEqual(['forNodes', 'forZones']);
  });

  it('Lease: micro-time stamps and the coordinated election fields', () => {
    const spec = 'io.k8s.api.coordination.v1.LeaseSpec';
    expect(field(registry, spec, 'renewTime').schema).toEqual({
      kind: 'ref',
      name: 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
    });
    expect(field(registry, spec, 'leaseDurationSeconds').schema).toEqual({
      kind: 'integer',
      format: 'int32',
    });
    expect(fieldNames(registry, spec)).toEqual(expect.arrayContaining(['strategy', 'preferredHolder']));
  });

  it('events.k8s.io Event requires eventTime and keeps the deprecated core fields', () => {
    const ev = 'io.k8s.api.events.v1.Event';
    expect(def(registry, ev).required).toEqual(['eventTime']);
    expect(fieldNames(registry, ev)).toEqual(
      expect.arrayContaining([
        'deprecatedCount',
        'deprecatedSource',
        'regarding',
        'reportingController',
        'note',
      ]),
    );
  });

  it('StorageClass, PriorityClass and PodDisruptionBudget spot checks', () => {
    expect(def(registry, 'io.k8s.api.storage.v1.StorageClass').required).toEqual(['provisioner']);
    expect(field(registry, 'io.k8s.api.storage.v1.StorageClass', 'allowedTopologies').schema).toEqual({
      kind: 'array',
      items: { kind: 'ref', name: 'io.k8s.api.core.v1.TopologySelectorTerm' },
    });
    expect(field(registry, 'io.k8s.api.scheduling.v1.PriorityClass', 'value').schema).toEqual({
      kind: 'integer',
      format: 'int32',
    });
    const pdb = 'io.k8s.api.policy.v1.PodDisruptionBudgetSpec';
    expect(field(registry, pdb, 'selector').patchStrategy).toBe('replace');
    expect(field(registry, pdb, 'minAvailable').schema.kind).toBe('ref');
    const status = field(registry, 'io.k8s.api.policy.v1.PodDisruptionBudgetStatus', 'disruptedPods');
    expect(status.schema).toEqual({
      kind: 'map',
      values: { kind: 'ref', name: 'io.k8s.apimachinery.pkg.apis.meta.v1.Time' },
    });
  });

  it('authentication and authorization reviews require a spec and carry user extras as string lists', () => {
    for (const kind of ['TokenReview', 'TokenRequest']) {
      expect(def(registry, `io.k8s.api.authentication.v1.${kind}`).required).toEqual(['spec']);
    }
    for (const kind of [
      'SubjectAccessReview',
      'LocalSubjectAccessReview',
      'SelfSubjectAccessReview',
      'SelfSubjectRulesReview',
    ]) {
      expect(def(registry, `io.k8s.api.authorization.v1.${kind}`).required).toEqual(['spec']);
    }
    const stringLists = { kind: 'map', values: { kind: 'array', items: { kind: 'string' } } };
    expect(field(registry, 'io.k8s.api.authentication.v1.UserInfo', 'extra').schema).toEqual(stringLists);
    expect(field(registry, 'io.k8s.api.authorization.v1.SubjectAccessReviewSpec', 'extra').schema).toEqual(
      stringLists,
    );
    expect(
      field(registry, 'io.k8s.api.authentication.v1.TokenRequestSpec', 'expirationSeconds').schema,
    ).toEqual({
      kind: 'integer',
      format: 'int64',
    });
    expect(fieldNames(registry, 'io.k8s.api.authorization.v1.ResourceAttributes')).toEqual([
      'fieldSelector',
      'group',
      'labelSelector',
      'name',
      'namespace',
      'resource',
      'subresource',
      'verb',
      'version',
    ]);
  });
});

function normalize(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}

/** Every doc comment of the upstream-generated `kubernetes-types` package, normalized. */
function upstreamDocComments(): Set<string> {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('kubernetes-types/package.json'));
  const out = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.d.ts')) {
        for (const m of readFileSync(path, 'utf8').matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
          const body = (m[1] ?? '').replace(/^\s*\*\s?/gm, ' ');
          out.add(normalize(body));
        }
      }
    }
  };
  walk(root);
  return out;
}
