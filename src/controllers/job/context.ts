/**
 * What one sync of a Job works with: the controller's shared state (client, expectations, backoff
 * records) and the Job's pods and counters as this sync computes them.
 */
import type { Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ApiObject, Client } from '../../client/types.js';
import type { EventRecorder } from '../../client/events.js';
import type { Logger } from '../../util/log.js';
import type { Expectations } from '../framework/expectations.js';
import type { BackoffRecord, BackoffStore } from './backoff.js';
import type { FinalizerExpectations } from './finalizer-expectations.js';
import type { IndexSet } from './intervals.js';
import type { PodControl } from './podcontrol.js';

/** Most pods created or deleted in one sync. */
export const MAX_PODS_PER_SYNC = 500;
/** Most uids held in `status.uncountedTerminatedPods` at once (keeps the status small). */
export const MAX_UNCOUNTED_PODS = 500;

/** A Job as the API returns it. */
export type JobObject = Job & ApiObject;

/** The controller's state shared by syncs. */
export interface JobDeps {
  client: Client;
  recorder: EventRecorder;
  log: Logger;
  pods: PodControl;
  now(): Date;
  expectations: Expectations;
  finalizers: FinalizerExpectations;
  backoff: BackoffStore;
  /** First delay after a pod failure and its cap (ms). */
  podFailureBackoffMs: number;
  maxPodFailureBackoffMs: number;
  /** Syncs `key` again after `ms` (at least the batching period). */
  enqueueAfter(key: string, ms: number): void;
}

/** One sync of one Job. */
export interface SyncContext {
  key: string;
  /** The working copy (replaced by the server's answer after each status write). */
  job: JobObject;
  pods: Pod[];
  activePods: Pod[];
  ready: number;
  terminating: number;
  succeeded: number;
  failed: number;
  prevSucceededIndexes: IndexSet;
  succeededIndexes: IndexSet;
  /** Only with backoffLimitPerIndex. */
  failedIndexes: IndexSet | undefined;
  /** With backoffLimitPerIndex: failed pods kept until their index has a replacement. */
  delayedDeletion: Map<number, Pod>;
  newBackoff: BackoffRecord;
  /** Pods whose finalizer removal is awaited: already counted. */
  expectedRemovals: ReadonlySet<string>;
  uncounted: { succeeded: Set<string>; failed: Set<string> };
  /** The condition the Job reaches in this sync, if it finishes (or meets its criteria). */
  finished: JobCondition | undefined;
}
