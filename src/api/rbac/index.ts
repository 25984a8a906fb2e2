/** rbac.authorization.k8s.io/v1: defaulting and validation. */
export * from './defaults.js';
export * from './validation.js';
