/**
 * Job strategy: the generated selector and template labels (unless manualSelector), status kept
 * apart, generation on spec change, the `status.successful` field selector, and upstream's warning
 * for names that are not DNS labels.
 */
import { defaultJob } from '../../../api/batch/defaults.js';
import {
  JOB_LABELS,
  validateJob,
  validateJobStatusUpdate,
  validateJobUpdate,
} from '../../../api/batch/validation/job.js';
import type { KubeObject } from '../../../api/meta.js';
import { clone, semanticEqual } from '../../../api/validation/equality.js';
import { ensureObject } from '../../../api/validation/fieldchecks.js';
import { isDNS1123Label } from '../../../api/validation/names.js';
import type { Strategy } from '../../strategy.js';
import { bumpGeneration, keepOldSpec, keepOldStatus, resetStatusOnCreate } from '../groups-helpers.js';

type Obj = Record<string, unknown>;

/**
 * Adds the job-name and controller-uid labels (prefixed and legacy) to the template unless the user
 * set them, and selects on batch.kubernetes.io/controller-uid. Needs metadata.uid assigned.
 */
export function generateJobSelector(job: KubeObject): void {
  const spec = ensureObject<Obj>(job, 'spec');
  const template = ensureObject<Obj>(spec, 'template');
  const meta = ensureObject<Obj>(template, 'metadata');
  const labels = ensureObject<Record<string, string>>(meta, 'labels');
  const name = job.metadata?.name ?? '';
  const uid = job.metadata?.uid ?? '';
  for (const key of [JOB_LABELS.legacyJobName, JOB_LABELS.jobName]) if (!(key in labels)) labels[key] = name;
  for (const key of [JOB_LABELS.legacyControllerUid, JOB_LABELS.controllerUid])
    if (!(key in labels)) labels[key] = uid;
  const selector = ensureObject<Obj>(spec, 'selector');
  const matchLabels = ensureObject<Record<string, string>>(selector, 'matchLabels');
  if (!(JOB_LABELS.controllerUid in matchLabels)) matchLabels[JOB_LABELS.controllerUid] = uid;
}

function templateLabels(job: KubeObject): Record<string, string> | undefined {
  const spec = job['spec'] as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined;
  return spec?.template?.metadata?.labels;
}

export const jobStrategy: Strategy = {
  generation: true,
  defaults: defaultJob,
  prepareForCreate(obj) {
    const spec = obj['spec'] as { manualSelector?: boolean } | undefined;
    if (spec?.manualSelector !== true) {
      // Upstream stores an unlabelled Job without labels and copies the template's (generated)
      // labels to it whenever it is read; we store the result of that copy.
      const before = clone(templateLabels(obj));
      const jobLabels = obj.metadata?.labels;
      const copied = !jobLabels || Object.keys(jobLabels).length === 0 || semanticEqual(jobLabels, before);
      generateJobSelector(obj);
      if (copied) {
        if (!obj.metadata) obj.metadata = {};
        obj.metadata.labels = { ...(templateLabels(obj) ?? {}) };
      }
    }
    resetStatusOnCreate(obj);
  },
  prepareForUpdate(obj, old) {
    keepOldStatus(obj, old);
    bumpGeneration(obj, old);
  },
  validate: (obj) => validateJob(obj),
  validateUpdate: (obj, old) => validateJobUpdate(obj, old),
  warnings(obj, old) {
    if (old) return [];
    const msgs = isDNS1123Label(obj.metadata?.name ?? '');
    if (msgs.length === 0) return [];
    return [
      `metadata.name: this is used in Pod names and hostnames, which can result in surprising behavior; a DNS label is recommended: [${msgs.join(' ')}]`,
    ];
  },
  status: {
    prepareForUpdate: keepOldSpec,
    validateUpdate: (obj, old) => validateJobStatusUpdate(obj, old),
  },
  selectableFields(obj) {
    const status = obj['status'] as { succeeded?: unknown } | undefined;
    return { 'status.successful': String(typeof status?.succeeded === 'number' ? status.succeeded : 0) };
  },
};
