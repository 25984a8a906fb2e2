/**
 * DaemonSet strategy: status kept apart, the template generation kept in the
 * `deprecated.daemonset.template.generation` annotation (bumped with the template), generation
 * bumped on spec change.
 */
import { defaultDaemonSet } from '../../../api/apps/defaults.js';
import {
  validateDaemonSet,
  validateDaemonSetStatusUpdate,
  validateDaemonSetUpdate,
} from '../../../api/apps/validation/daemonset.js';
import type { KubeObject } from '../../../api/meta.js';
import { semanticEqual } from '../../../api/validation/equality.js';
import type { Strategy } from '../../strategy.js';
import { bumpGeneration, keepOldSpec, keepOldStatus, resetStatusOnCreate } from '../groups-helpers.js';

/** The annotation apps/v1 uses for the internal spec.templateGeneration. */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

function templateGeneration(obj: KubeObject): number {
  const v = obj.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return 0;
  return Number.parseInt(v, 10);
}

function setTemplateGeneration(obj: KubeObject, gen: number): void {
  if (!obj.metadata) obj.metadata = {};
  obj.metadata.annotations = {
    ...(obj.metadata.annotations ?? {}),
    [TEMPLATE_GENERATION_ANNOTATION]: String(gen),
  };
}

function template(obj: KubeObject): unknown {
  return (obj['spec'] as { template?: unknown } | undefined)?.template;
}

export const daemonSetStrategy: Strategy = {
  generation: true,
  defaults: defaultDaemonSet,
  prepareForCreate(obj) {
    resetStatusOnCreate(obj, {
      currentNumberScheduled: 0,
      numberMisscheduled: 0,
      desiredNumberScheduled: 0,
      numberReady: 0,
    });
    setTemplateGeneration(obj, Math.max(1, templateGeneration(obj)));
  },
  prepareForUpdate(obj, old) {
    keepOldStatus(obj, old);
    const oldGen = templateGeneration(old);
    if (!semanticEqual(template(obj), template(old))) {
      setTemplateGeneration(obj, oldGen + 1);
      bumpGeneration(obj, old, true);
      return;
    }
    setTemplateGeneration(obj, oldGen);
    bumpGeneration(obj, old);
  },
  validate: (obj) => validateDaemonSet(obj),
  validateUpdate: (obj, old) => validateDaemonSetUpdate(obj, old),
  status: {
    prepareForUpdate: keepOldSpec,
    validateUpdate: (obj, old) => validateDaemonSetStatusUpdate(obj, old),
  },
};
