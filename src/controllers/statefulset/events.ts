/** The object a StatefulSet controller event is recorded on. */
import type { EventTarget } from '../../client/events.js';
import type { Sts } from './identity.js';

/** The StatefulSet as an event target. */
export function setTarget(set: Sts): EventTarget {
  return {
    kind: 'StatefulSet',
    apiVersion: 'apps/v1',
    namespace: set.metadata.namespace,
    name: set.metadata.name ?? '',
    uid: set.metadata.uid,
    resourceVersion: set.metadata.resourceVersion,
  };
}

/** An error's text as upstream prints it in event messages. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
