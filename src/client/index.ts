/**
 * The API client: connect with {@link createClient} or {@link clientFromKubeconfig}, address
 * collections with the refs in `resources.ts`, cache them with {@link createInformer}.
 */
export * from './types.js';
export {
  clientFromKubeconfig,
  createClient,
  userAgent,
  withTypeMeta,
  type CreateClientOptions,
} from './http.js';
export { createInformer, type InformerOptions } from './informer.js';
export { KubeconfigError, loadKubeconfig, parseKubeconfig, type ClientConfig } from './kubeconfig.js';
export { RequestError, type RequestErrorKind } from './transport.js';
export { Backoff, realTimers, sleep, type BackoffOptions, type Timers } from './backoff.js';
export * from './resources.js';
