import { describe, it, expect } from 'vitest';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { fieldErrorString } from '../errors.js';
import { defaultPodTemplateSpec, validatePodTemplateSpec } from './podtemplate.js';

function template(
  spec: Record<string, unknown>,
  labels: Record<string, string> = { app: 'web' },
): PodTemplateSpec {
  return { metadata: { labels }, spec } as unknown as PodTemplateSpec;
}

describe('pod templates', () => {
  it('applies PodSpec defaults but not pod-only ones', () => {
    const t = template({
      containers: [{ name: 'app', image: 'nginx', resources: { limits: { cpu: '1' } } }],
    });
    defaultPodTemplateSpec(t);
    expect(t).toEqual({
      metadata: { labels: { app: 'web' }, creationTimestamp: null },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'nginx',
            imagePullPolicy: 'Always',
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
            resources: { limits: { cpu: '1' } },
          },
        ],
        dnsPolicy: 'ClusterFirst',
        restartPolicy: 'Always',
        schedulerName: 'default-scheduler',
        securityContext: {},
        terminationGracePeriodSeconds: 30,
      },
    });
    expect(validatePodTemplateSpec(t, 'spec.template')).toEqual([]);
  });

  it('validates labels, the pod spec and allowed restart policies', () => {
    const t = template({ containers: [{ name: 'app' }], restartPolicy: 'Never' }, { 'bad key!': 'x' });
    defaultPodTemplateSpec(t);
    const errs = validatePodTemplateSpec(t, 'spec.template', { allowedRestartPolicies: ['Always'] }).map(
      fieldErrorString,
    );
    expect(errs).toContain('spec.template.spec.containers[0].image: Required value');
    expect(errs).toContain(
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    );
    expect(errs.some((e) => e.startsWith('spec.template.labels: Invalid value: "bad key!"'))).toBe(true);
  });

  it('requires a template and forbids ephemeral containers', () => {
    expect(validatePodTemplateSpec(undefined, 'spec.template').map(fieldErrorString)).toEqual([
      'spec.template: Required value',
    ]);
    const t = template({
      containers: [{ name: 'a', image: 'a' }],
      ephemeralContainers: [{ name: 'e', image: 'e' }],
    });
    defaultPodTemplateSpec(t);
    expect(validatePodTemplateSpec(t, 'spec.template').map(fieldErrorString)).toContain(
      'spec.template.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed in pod template',
    );
  });

  it('accepts host-network templates without host ports', () => {
    const t = template({
      hostNetwork: true,
      containers: [{ name: 'a', image: 'a', ports: [{ containerPort: 80 }] }],
    });
    defaultPodTemplateSpec(t);
    expect(validatePodTemplateSpec(t, 'spec.template')).toEqual([]);
  });
});
