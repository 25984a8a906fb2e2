/** The kubelet's HTTPS API (port 10250) and what the agent wires into it. */
export { allowUsers, forbiddenMessage, isNodePeerRead, requestAttributes, ROUTES_PATH } from './auth.js';
export { CriStreamingRuntime, type CriStreamingService } from './cri-runtime.js';
export { KubeletServer, type KubeletServerOptions } from './server.js';
export * from './types.js';
export { subjectAccessReviewAuthorizer, tokenReviewAuthenticator } from './webhook-auth.js';
