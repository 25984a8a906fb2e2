/** Authentication (x509, static tokens, union) and well-known users. Authorization lives in ./rbac. */
export * from './tokenfile.js';
export * from './union.js';
export * from './users.js';
export * from './x509.js';
export * from './reviews.js';
