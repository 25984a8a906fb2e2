/** The cluster PKI: CAs, serving and client certificates, kubeconfigs. */
export * from './certs.js';
export * from './cluster.js';
export * from './inspect.js';
export * from './ip.js';
export * from './keys.js';
export * from './kubelet.js';
export * from './kubeconfig.js';
export * from './pem.js';
export * from './sans.js';
