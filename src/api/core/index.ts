/**
 * core/v1 defaulting and validation: the entry points other packages use. Strategies in
 * src/registry/strategies/core wire these into the generic store.
 */
export { admitPod, SERVICE_ACCOUNT_MOUNT_PATH, SYSTEM_PRIORITY_CLASSES } from './defaults/admission.js';
export {
  defaultEndpoints,
  defaultEvent,
  defaultLimitRange,
  defaultNamespace,
  defaultNode,
  defaultPersistentVolume,
  defaultPersistentVolumeClaim,
  defaultResourceQuota,
  defaultSecret,
} from './defaults/kinds.js';
export { defaultPod } from './defaults/pod.js';
export { defaultContainer, defaultPodSpec, defaultVolume, imageTag } from './defaults/podspec.js';
export { canonicalizeQuantity, canonicalizeResourceList } from './defaults/quantities.js';
export {
  defaultService,
  externallyAccessible,
  isHeadless,
  needsClusterIP,
  needsHealthCheckNodePort,
  needsNodePorts,
} from './defaults/service.js';
export { defaultPodTemplateSpec, podTemplateWarnings, validatePodTemplateSpec } from './podtemplate.js';
export type { PodTemplateValidationOptions } from './podtemplate.js';
export { computePodQOS, type QOSClass } from './qos.js';
export * from './validation/cluster.js';
export * from './validation/configdata.js';
export * from './validation/event.js';
export * from './validation/persistentvolume.js';
export * from './validation/pod.js';
export { podNameWarnings, validatePodSpec, validatePodSpecificAnnotations } from './validation/podspec.js';
export type { PodSpecValidationOptions } from './validation/podspec.js';
export { podSpecWarnings } from './validation/podwarnings.js';
export * from './validation/policy.js';
export { validatePersistentVolumeClaimSpec } from './validation/pvcspec.js';
export {
  validateClusterIPsRelatedFields,
  validateEndpoints,
  validateService,
  validateServiceStatusUpdate,
  validateServiceUpdate,
} from './validation/service.js';
export { labelSelector as validateLabelSelectorSafe } from './validation/common.js';
export {
  isExtendedResourceName,
  isOvercommitAllowed,
  validateResourceQuantityValue,
  validateResourceRequirements,
} from './validation/resources.js';
export {
  validateNodeSelector,
  validateNodeSelectorTerm,
  validateTaints,
  validateTolerations,
} from './validation/scheduling.js';
