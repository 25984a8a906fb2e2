/** Labels and annotations the kubelet puts on CRI sandboxes and containers (upstream's names). */
export const POD_NAME_LABEL = 'io.kubernetes.pod.name';
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const POD_UID_LABEL = 'io.kubernetes.pod.uid';
export const CONTAINER_NAME_LABEL = 'io.kubernetes.container.name';
export const RESTART_COUNT_ANNOTATION = 'io.kubernetes.container.restartCount';
export const TERMINATION_MESSAGE_PATH_ANNOTATION = 'io.kubernetes.container.terminationMessagePath';
export const GRACE_ANNOTATION = 'io.kubernetes.pod.terminationGracePeriod';
/** k8ts's own: the hash of the container spec an attempt was created from (restart on change). */
export const SPEC_HASH_ANNOTATION = 'k8ts.io/container-hash';
/** k8ts's own: "init" for init containers. */
export const CONTAINER_TYPE_ANNOTATION = 'k8ts.io/container-type';
