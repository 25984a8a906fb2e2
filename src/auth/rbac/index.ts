/** RBAC: the authorizer, rule matching, default policy, reconciliation and aggregation. */
export * from './aggregate.js';
export * from './authorizer.js';
export * from './bootstrap.js';
export * from './messages.js';
export * from './reconcile.js';
export * from './resolver.js';
export * from './rules.js';
export * from './selector.js';
export * from './types.js';
