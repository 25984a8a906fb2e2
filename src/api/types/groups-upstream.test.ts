/**
 * Cross-checks the group definitions against the field names, optionality and TypeScript types of
 * the `kubernetes-types` package (generated from Kubernetes v1.30), allowing only the listed
 * differences: fields added in v1.31–v1.33 and known gaps of that package.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Schema } from '../schema/types.js';
import { groupRegistry } from './testing/schema-groups.js';

/** Fields that Kubernetes added after v1.30 (or that kubernetes-types lost to a doc comment containing a comment terminator). */
const ADDED_FIELDS = new Set([
  'io.k8s.api.apps.v1.DeploymentStatus.terminatingReplicas', // v1.33
  'io.k8s.api.apps.v1.ReplicaSetStatus.terminatingReplicas', // v1.33
  'io.k8s.api.autoscaling.v2.HPAScalingRules.tolerance', // v1.33
  'io.k8s.api.discovery.v1.EndpointHints.forNodes', // v1.33
  'io.k8s.api.coordination.v1.LeaseSpec.strategy', // v1.31
  'io.k8s.api.coordination.v1.LeaseSpec.preferredHolder', // v1.31
  'io.k8s.api.authorization.v1.ResourceAttributes.fieldSelector', // v1.31
  'io.k8s.api.authorization.v1.ResourceAttributes.labelSelector', // v1.31
  'io.k8s.api.authorization.v1.ResourceRule.verbs', // lost by kubernetes-types
  'io.k8s.api.authorization.v1.ResourceRule.resources', // lost by kubernetes-types
]);

/** Types that kubernetes-types v1.30 does not have. */
const ADDED_TYPES = new Set([
  'io.k8s.api.networking.v1.ServiceCIDR',
  'io.k8s.api.networking.v1.ServiceCIDRList',
  'io.k8s.api.networking.v1.ServiceCIDRSpec',
  'io.k8s.api.networking.v1.ServiceCIDRStatus',
  'io.k8s.api.networking.v1.IPAddress',
  'io.k8s.api.networking.v1.IPAddressList',
  'io.k8s.api.networking.v1.IPAddressSpec',
  'io.k8s.api.networking.v1.ParentReference',
  'io.k8s.api.discovery.v1.ForNode',
  'io.k8s.api.authorization.v1.FieldSelectorAttributes',
  'io.k8s.api.authorization.v1.LabelSelectorAttributes',
]);

/** Fields whose optionality differs from v1.30 for a known reason. */
const REQUIRED_CHANGES = new Set([
  'io.k8s.api.apps.v1.StatefulSetSpec.serviceName', // optional since v1.32
  'io.k8s.api.authorization.v1.ResourceRule.verbs', // lost by kubernetes-types
]);

interface UpstreamField {
  optional: boolean;
  type: string;
}

const root = dirname(createRequire(import.meta.url).resolve('kubernetes-types/package.json'));

/** The fields of interface `kind` in kubernetes-types/<group>/<version>.d.ts, or undefined. */
function upstreamInterface(
  group: string,
  version: string,
  kind: string,
): Map<string, UpstreamField> | undefined {
  const file = join(root, group, `${version}.d.ts`);
  if (!existsSync(file)) return undefined;
  const src = readFileSync(file, 'utf8').replace(/\/\*\*[\s\S]*?\*\//g, '');
  const body = new RegExp(`export interface ${kind} \\{([\\s\\S]*?)\\n\\}`).exec(src)?.[1];
  if (body === undefined) return undefined;
  const fields = new Map<string, UpstreamField>();
  for (const m of body.matchAll(/^ {4}(?:readonly )?"?(\w+)"?(\?)?: (\{[^}]*\}|[^;{]+);/gm)) {
    fields.set(m[1] ?? '', { optional: m[2] === '?', type: (m[3] ?? '').trim() });
  }
  return fields;
}

/** Whether our schema is what the kubernetes-types TypeScript type describes. */
function sameType(ours: Schema, theirs: string): boolean {
  if (theirs === 'number') return ours.kind === 'integer' || ours.kind === 'number';
  if (theirs === 'boolean') return ours.kind === 'boolean';
  if (theirs === 'string' || /^"[^"]*"$/.test(theirs)) return ours.kind === 'string';
  if (theirs === 'number | string') {
    return ours.kind === 'ref' && ours.name === 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
  }
  const array = /^Array<(.+)>$/.exec(theirs);
  if (array) return ours.kind === 'array' && sameType(ours.items, array[1] ?? '');
  const map = /^\{\s*\[name: string\]: (.+?);?\s*\}$/s.exec(theirs);
  if (map) return ours.kind === 'map' && sameType(ours.values, map[1] ?? '');
  return ours.kind === 'ref' && ours.name.endsWith(`.${theirs}`);
}

describe('group definitions against kubernetes-types (v1.30)', () => {
  const registry = groupRegistry();

  it('have the same fields, optionality and types, plus the v1.31–v1.33 additions', () => {
    const problems: string[] = [];
    let compared = 0;
    for (const d of registry.all()) {
      const m = /^io\.k8s\.api\.(\w+)\.(\w+)\.(\w+)$/.exec(d.name);
      const upstream = m ? upstreamInterface(m[1] ?? '', m[2] ?? '', m[3] ?? '') : undefined;
      if (!upstream) {
        if (!ADDED_TYPES.has(d.name)) problems.push(`${d.name}: not in kubernetes-types`);
        continue;
      }
      compared++;
      const ours = d.properties ?? {};
      for (const [name, f] of upstream) {
        const prop = ours[name];
        if (!prop) {
          problems.push(`${d.name}.${name}: missing`);
          continue;
        }
        if (!sameType(prop.schema, f.type))
          problems.push(`${d.name}.${name}: ${JSON.stringify(prop.schema)} vs ${f.type}`);
        const required = (d.required ?? []).includes(name);
        const upstreamRequired = !f.optional;
        if (required !== upstreamRequired && !REQUIRED_CHANGES.has(`${d.name}.${name}`)) {
          problems.push(`${d.name}.${name}: required ${required}, upstream ${upstreamRequired}`);
        }
      }
      for (const name of Object.keys(ours)) {
        if (!upstream.has(name) && !ADDED_FIELDS.has(`${d.name}.${name}`))
          problems.push(`${d.name}.${name}: extra`);
      }
    }
    expect(problems).toEqual([]);
    expect(compared).toBeGreaterThan(150);
  });
});
