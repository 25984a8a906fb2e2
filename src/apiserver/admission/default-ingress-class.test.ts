import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta.js';
import { RESOURCES } from '../../api/resources.js';
import type { AdmissionAttributes } from './types.js';
import { defaultIngressClass, defaultIngressClassAdmission } from './default-ingress-class.js';

const ingresses = RESOURCES.find((r) => r.group === 'networking.k8s.io' && r.plural === 'ingresses');

function cls(name: string, isDefault: boolean, created: string): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: {
      name,
      creationTimestamp: created,
      ...(isDefault ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}),
    },
  };
}

function attrs(obj: KubeObject, operation: AdmissionAttributes['operation'] = 'CREATE'): AdmissionAttributes {
  if (!ingresses) throw new Error('no ingresses resource');
  return {
    operation,
    resource: ingresses,
    subresource: '',
    namespace: 'default',
    name: 'web',
    object: obj,
    user: { username: 'u', groups: [] },
    dryRun: false,
  };
}

function ingress(spec: Record<string, unknown>, annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: 'default', ...(annotations ? { annotations } : {}) },
    spec,
  } as KubeObject;
}

describe('DefaultIngressClass admission', () => {
  const classes = [cls('k8ts', true, '2026-11-01T00:00:00Z'), cls('other', false, '2026-11-02T00:00:00Z')];
  const plugin = defaultIngressClassAdmission(() => classes);

  it('gives a class-less Ingress the default class', () => {
    const obj = ingress({ rules: [] });
    void plugin.admit?.(attrs(obj));
    expect((obj as { spec?: { ingressClassName?: string } }).spec?.ingressClassName).toBe('k8ts');
  });

  it('leaves a named class, the legacy annotation and updates alone', () => {
    const named = ingress({ ingressClassName: 'other' });
    void plugin.admit?.(attrs(named));
    expect((named as { spec?: { ingressClassName?: string } }).spec?.ingressClassName).toBe('other');
    const legacy = ingress({}, { 'kubernetes.io/ingress.class': 'nginx' });
    void plugin.admit?.(attrs(legacy));
    expect((legacy as { spec?: { ingressClassName?: string } }).spec?.ingressClassName).toBeUndefined();
    const updated = ingress({});
    void plugin.admit?.(attrs(updated, 'UPDATE'));
    expect((updated as { spec?: { ingressClassName?: string } }).spec?.ingressClassName).toBeUndefined();
  });

  it('picks the newest of several defaults, and none when there is no default', () => {
    expect(defaultIngressClass([...classes, cls('newer', true, '2026-11-03T00:00:00Z')])).toBe('newer');
    expect(defaultIngressClass([cls('a', false, '2026-11-01T00:00:00Z')])).toBeUndefined();
  });
});
