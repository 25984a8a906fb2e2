/**
 * The Job controller's writes to pods, with the events upstream's pod control records on the Job:
 * create from the template, delete, and remove the tracking finalizer.
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../api/errors.js';
import type { EventRecorder, EventTarget } from '../../client/events.js';
import { PODS } from '../../client/resources.js';
import type { ApiObject, Client } from '../../client/types.js';
import { podFromTemplate } from '../framework/pods.js';
import { JOB_TRACKING_FINALIZER } from './jobpods.js';

/** The Job as an event's subject. */
export function jobTarget(job: Job): EventTarget {
  return {
    kind: 'Job',
    apiVersion: 'batch/v1',
    namespace: job.metadata?.namespace ?? '',
    name: job.metadata?.name ?? '',
    ...(job.metadata?.uid ? { uid: job.metadata.uid } : {}),
    ...(job.metadata?.resourceVersion ? { resourceVersion: job.metadata.resourceVersion } : {}),
  };
}

/** A 404 from the API. */
export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.code === 404;
}

/** A create refused because the namespace is being deleted. */
export function isNamespaceTerminating(err: unknown): boolean {
  return (
    err instanceof ApiError &&
    (err.status.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating')
  );
}

/** The message of an error, for events. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Pod writes on behalf of Jobs. */
export class PodControl {
  constructor(
    private readonly client: Client,
    private readonly recorder: EventRecorder,
  ) {}

  /** Creates a pod of `job` from `template`; records SuccessfulCreate or FailedCreate. */
  async create(job: Job, template: PodTemplateSpec, generateName?: string): Promise<Pod> {
    const pod = podFromTemplate(
      template,
      { apiVersion: 'batch/v1', kind: 'Job', metadata: job.metadata ?? {} },
      generateName ? { generateName } : {},
    );
    try {
      const created = await this.client.resource<Pod & ApiObject>(PODS, pod.metadata.namespace).create(pod);
      void this.recorder.record(
        jobTarget(job),
        'Normal',
        'SuccessfulCreate',
        `Created pod: ${created.metadata.name ?? ''}`,
      );
      return created;
    } catch (err) {
      if (!isNamespaceTerminating(err))
        void this.recorder.record(
          jobTarget(job),
          'Warning',
          'FailedCreate',
          `Error creating: ${errorMessage(err)}`,
        );
      throw err;
    }
  }

  /** Deletes a pod of `job`; records SuccessfulDelete or FailedDelete (none when already gone). */
  async delete(job: Job, pod: Pod): Promise<void> {
    const name = pod.metadata?.name ?? '';
    try {
      await this.client.resource(PODS, pod.metadata?.namespace).delete(name);
      void this.recorder.record(jobTarget(job), 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
    } catch (err) {
      if (!isNotFound(err))
        void this.recorder.record(
          jobTarget(job),
          'Warning',
          'FailedDelete',
          `Error deleting: ${errorMessage(err)}`,
        );
      throw err;
    }
  }

  /** Removes the tracking finalizer from `pod` (a strategic patch that touches nothing else). */
  async removeTrackingFinalizer(pod: Pod): Promise<void> {
    if (!pod.metadata?.finalizers?.includes(JOB_TRACKING_FINALIZER)) return;
    await this.client.resource(PODS, pod.metadata.namespace).patch(pod.metadata.name ?? '', 'strategic', {
      metadata: { '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] },
    });
  }
}
