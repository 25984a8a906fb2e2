/**
 * Starts the control plane in order, k3s-style: each component starts once what it needs is ready,
 * and any component failing at start takes the process down with a clear message.
 *
 * data dir → PKI + kubeconfig → storage → watch caches → bootstrap objects and RBAC policy →
 * API server → controllers and compactor.
 */
import { mkdir } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/meta.js';
import { ServiceRanges } from '../registry/allocators/service-ranges.js';
import { printerFor } from '../api/printers/index.js';
import { AdmissionChain } from '../apiserver/admission/types.js';
import type { HandlerDeps } from '../apiserver/handlers/context.js';
import { startStopController } from '../controllers/framework/manager.js';
import { namespaceLifecycle } from '../apiserver/admission/namespace-lifecycle.js';
import { rbacEscalation } from '../apiserver/admission/rbac-escalation.js';
import { defaultIngressClassAdmission } from '../apiserver/admission/default-ingress-class.js';
import { defaultTolerationSeconds } from '../apiserver/admission/default-toleration-seconds.js';
import { limitRanger } from '../apiserver/admission/limitranger/plugin.js';
import { priorityAdmission } from '../apiserver/admission/priority.js';
import { resourceQuotaAdmission } from '../apiserver/admission/resourcequota/plugin.js';
import { cachedLister, servedQuotaStore } from '../apiserver/admission/sources.js';
import { ApiMetrics } from '../apiserver/metrics.js';
import { ApiServer } from '../apiserver/server.js';
import { ServedResources } from '../apiserver/served.js';
import { schemaOps } from '../apiserver/schema-ops.js';
import { openApiRoutes } from '../apiserver/openapi/routes.js';
import { ANONYMOUS_USER } from '../auth/users.js';
import { loadTokenFile } from '../auth/tokenfile.js';
import { unionAuthenticator } from '../auth/union.js';
import { x509Authenticator } from '../auth/x509.js';
import { reviewResources } from '../auth/reviews.js';
import { forbiddenMessage, rbacAuthorizer } from '../auth/rbac/index.js';
import type { Authenticator } from '../auth/types.js';
import { GarbageCollector } from '../controllers/garbagecollector/gc.js';
import { configureNamespaceStore, NamespaceController } from '../controllers/namespace/namespace.js';
import { ClusterRoleAggregator } from '../controllers/clusterroleaggregation/aggregator.js';
import { NodeIpamController } from '../controllers/nodeipam/nodeipam.js';
import { ensureClusterPki, userKubeconfig } from '../pki/cluster.js';
import { ensureServiceAccountKey } from '../pki/service-account.js';
import { registryBoundObjects } from '../auth/serviceaccount-objects.js';
import { serviceAccountTokenAuthenticator } from '../auth/serviceaccount.js';
import {
  DEFAULT_SERVICE_ACCOUNT_ISSUER,
  ServiceAccountTokenSigner,
  ServiceAccountTokenVerifier,
} from '../auth/serviceaccount-token.js';
import { ServiceAccountsController } from '../controllers/serviceaccount/serviceaccount.js';
import { RootCaPublisher } from '../controllers/rootcacert/publisher.js';
import { Compactor } from '../storage/compactor.js';
import {
  AesGcmTransformer,
  loadOrCreateEncryptionKeys,
  reencryptPrefix,
  removeOldEncryptionKeys,
} from '../storage/encryption.js';
import type { Backend } from '../storage/backend.js';
import { SqliteBackend } from '../storage/sqlite/sqlite.js';
import { componentLogger } from '../util/log.js';
import { systemClock, type Clock } from '../util/time.js';
import { bootstrapObjects, systemPriorityClassesCheck } from './bootstrap.js';
import type { ServerConfig } from './config.js';
import { registryRbacSource, registryPolicyStore } from './rbac-wiring.js';
import { startControllerManager, startScheduler } from './controller-manager.js';
import { firstServiceIP } from '../util/cidr.js';

export interface RunningServer {
  port: number;
  kubeconfigPath: string;
  stop(): Promise<void>;
}

/**
 * The storage backend the flags ask for. The etcd client is loaded only when `--datastore-endpoint`
 * names an etcd: an embedded-SQLite server never loads it.
 */
async function openBackend(config: ServerConfig): Promise<Backend> {
  if (!config.datastoreEndpoint)
    return new SqliteBackend({
      path: join(config.dataDir, 'db', 'state.db'),
      logger: componentLogger('sqlite'),
      synchronous: config.sqliteSynchronous,
    });
  if (!/^https?:\/\//.test(config.datastoreEndpoint)) {
    throw new Error(
      `--datastore-endpoint ${JSON.stringify(config.datastoreEndpoint)}: only etcd endpoints (http:// or https://) are supported`,
    );
  }
  const tls =
    config.datastoreCaFile || config.datastoreCertFile
      ? {
          caFile: config.datastoreCaFile || undefined,
          certFile: config.datastoreCertFile || undefined,
          keyFile: config.datastoreKeyFile || undefined,
        }
      : undefined;
  const { EtcdBackend } = await import('../storage/etcd/etcd.js');
  return new EtcdBackend({ endpoints: config.datastoreEndpoint, tls, logger: componentLogger('etcd') });
}

/** How often the cluster IP and node port ranges are checked against the Services. */
const SERVICE_RANGE_REPAIR_MS = 3 * 60_000;

/**
 * Repairs the Service ranges now (a data dir from before allocation was kept, a crash between an
 * allocation and its Service) and then periodically; returns the stop function.
 */
async function startServiceRangeRepair(ranges: ServiceRanges, served: ServedResources): Promise<() => void> {
  const log = componentLogger('service-ranges');
  const pass = async (): Promise<void> => {
    const cache = served.cache('', 'services');
    const services = cache ? [...cache.values()].map((c) => c.object as KubeObject) : [];
    const res = await ranges.repair(services);
    if (res.claimed || res.released) log.info(res, 'service ranges repaired');
  };
  await pass();
  const timer = setInterval(() => {
    pass().catch((err: unknown) => log.warn({ err }, 'service range repair failed'));
  }, SERVICE_RANGE_REPAIR_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** Starts everything; resolves once the API server is serving. */
export async function runServer(config: ServerConfig, clock: Clock = systemClock): Promise<RunningServer> {
  const log = componentLogger('server');
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });

  const serviceIP = firstServiceIP(config.serviceCidr);
  const pki = await ensureClusterPki({
    dataDir: config.dataDir,
    port: config.httpsPort,
    tlsSans: config.tlsSans,
    serviceCidrs: [config.serviceCidr],
  });
  for (const change of pki.changes) log.info({ change }, 'PKI');
  const saKey = await ensureServiceAccountKey(config.dataDir);
  for (const change of saKey.changes) log.info({ change }, 'PKI');
  // Service-account tokens: issuer and API audience as kubeadm and k3s set them upstream.
  const saIssuer = DEFAULT_SERVICE_ACCOUNT_ISSUER;
  const apiAudiences = [saIssuer];

  const backend = await openBackend(config);
  await backend.start();
  const stops: (() => Promise<void> | void)[] = [() => backend.close()];
  try {
    const secretsTransformer = config.secretsEncryption
      ? await prepareSecretsEncryption(config.dataDir, backend, log)
      : undefined;
    // Reviews need the authorizer, which needs the RBAC caches: resolve them lazily.
    const late: { authorizer?: ReturnType<typeof rbacAuthorizer>; tokens?: Authenticator } = {};
    const tokenAuth = config.tokenAuthFile ? await loadTokenFile(config.tokenAuthFile) : undefined;
    const virtuals = reviewResources({
      authorizer: {
        authorize: (a) =>
          late.authorizer
            ? late.authorizer.authorize(a)
            : Promise.resolve({ decision: 'noOpinion', reason: 'starting' }),
        rulesFor: (u, ns) =>
          late.authorizer
            ? late.authorizer.rulesFor(u, ns)
            : Promise.resolve({ resourceRules: [], nonResourceRules: [], incomplete: true }),
      },
      tokenAuthenticator: {
        authenticate: (r) => (late.tokens ? late.tokens.authenticate(r) : Promise.resolve(undefined)),
      },
    });
    const serviceRanges = new ServiceRanges({
      backend,
      serviceCidr: config.serviceCidr,
      log: componentLogger('service-ranges'),
    });
    const served = new ServedResources({
      backend,
      clock,
      log: componentLogger('registry'),
      secretsTransformer,
      virtuals,
      printerFor,
      hooksFor: (group, resource) => (group === '' && resource === 'services' ? serviceRanges : undefined),
    });
    const nsStore = served.get('', 'v1', 'namespaces')?.store;
    if (nsStore) configureNamespaceStore(nsStore);
    await served.caches.start();
    stops.push(() => served.caches.stop());
    stops.push(await startServiceRangeRepair(serviceRanges, served));

    const rbacSource = registryRbacSource(served);
    const authorizer = rbacAuthorizer(rbacSource);
    late.authorizer = authorizer;

    const created = await bootstrapObjects(served, clock, {
      serviceIP,
      address: advertiseIP(config.bindAddress),
      port: config.httpsPort,
    });
    if (created.length) log.info({ created }, 'bootstrap objects created');
    const report = await (
      await import('../auth/rbac/reconcile.js')
    ).reconcileBootstrapPolicy(registryPolicyStore(served, clock));
    if (report.created.length || report.updated.length) log.info(report, 'RBAC bootstrap policy reconciled');

    const authenticators: Authenticator[] = [x509Authenticator({ clientCaPem: pki.clientCA.certPem })];
    if (tokenAuth) authenticators.push(tokenAuth);
    const coreStore = (plural: string) => served.get('', 'v1', plural)?.store;
    const saAuth = serviceAccountTokenAuthenticator({
      verifier: new ServiceAccountTokenVerifier({
        publicKeysPem: [saKey.publicKeyPem],
        issuers: [saIssuer],
        audiences: apiAudiences,
        now: () => clock.now(),
      }),
      objects: registryBoundObjects(coreStore),
      now: () => clock.now(),
    });
    authenticators.push(saAuth);
    late.tokens = unionAuthenticator(...(tokenAuth ? [tokenAuth, saAuth] : [saAuth]));
    const metrics = new ApiMetrics();
    const cached = cachedLister(served);
    const handlers: HandlerDeps = {
      served,
      // Upstream's order: NamespaceLifecycle, LimitRanger, …, Priority, …, ResourceQuota last.
      admission: new AdmissionChain([
        namespaceLifecycle(async (name) => lookupNamespace(served, name)),
        limitRanger((ns) => cached('', 'limitranges', ns)),
        priorityAdmission(() => cached('scheduling.k8s.io', 'priorityclasses', '')),
        defaultTolerationSeconds({
          notReadySeconds: config.controllers.defaultNotReadyTolerationSeconds,
          unreachableSeconds: config.controllers.defaultUnreachableTolerationSeconds,
        }),
        defaultIngressClassAdmission(() => cached('networking.k8s.io', 'ingressclasses', '')),
        rbacEscalation(authorizer, rbacSource),
        resourceQuotaAdmission({ store: servedQuotaStore(served, clock), now: () => clock.now() }),
      ]),
      clock,
      log: componentLogger('apiserver'),
      schema: schemaOps(),
      // Logs, exec, attach, port-forward and nodes/proxy reach kubelets with this identity.
      kubelet: {
        caPem: pki.serverCA.certPem,
        certPem: pki.kubeletClient.certPem,
        keyPem: pki.kubeletClient.keyPem,
      },
      serviceAccountTokens: {
        objects: registryBoundObjects(coreStore, { consistent: true }),
        signer: new ServiceAccountTokenSigner(saKey.privateKeyPem, saIssuer),
        audiences: apiAudiences,
      },
    };
    const caches = served.caches;
    const apiServer = new ApiServer({
      bindAddress: config.bindAddress,
      port: config.httpsPort,
      tls: { key: pki.serving.keyPem, cert: pki.serving.certPem, clientCA: pki.clientCA.certPem },
      advertiseAddress: `${config.bindAddress === '0.0.0.0' ? '127.0.0.1' : config.bindAddress}:${config.httpsPort}`,
      handlers,
      authenticator: unionAuthenticator(...authenticators),
      authorizer,
      forbiddenReason: forbiddenMessage,
      anonymousUser: ANONYMOUS_USER,
      metrics,
      health: {
        livez: [
          { name: 'ping', check: async () => undefined },
          { name: 'log', check: async () => undefined },
          { name: 'etcd', check: async () => void (await backend.currentRevision()) },
        ],
        readyz: [
          { name: 'ping', check: async () => undefined },
          { name: 'log', check: async () => undefined },
          { name: 'etcd', check: async () => void (await backend.currentRevision()) },
          { name: 'etcd-readiness', check: async () => void (await backend.currentRevision()) },
          {
            name: 'informer-sync',
            check: async () =>
              caches.revision > 0 ? undefined : Promise.reject(new Error('caches not synced')),
          },
          { name: 'poststarthook/rbac/bootstrap-roles', check: async () => undefined },
          {
            name: 'poststarthook/scheduling/bootstrap-system-priority-classes',
            check: systemPriorityClassesCheck(served, clock),
          },
        ],
      },
      extraRoutes: [
        openApiRoutes({ onBuild: (s) => componentLogger('openapi').info(s, 'OpenAPI document built') }),
      ],
      log: componentLogger('apiserver'),
    });
    const port = await apiServer.start();
    stops.push(() => apiServer.stop());
    log.info({ port, serviceIP, backend: backend.name }, 'API server listening');

    // The controllers that work on the stores directly; the others use the in-process client.
    const storeControllers = [
      startStopController(
        'garbagecollector',
        () => new GarbageCollector(served, clock, componentLogger('garbage-collector')),
      ),
      startStopController(
        'namespace',
        () => new NamespaceController(served, clock, componentLogger('namespace-controller')),
      ),
      startStopController(
        'serviceaccount',
        () => new ServiceAccountsController(served, clock, componentLogger('serviceaccount-controller')),
      ),
      startStopController(
        'root-ca-cert-publisher',
        () =>
          new RootCaPublisher(served, pki.serverCA.certPem, clock, componentLogger('root-ca-cert-publisher')),
      ),
      startStopController(
        'clusterrole-aggregation',
        () => new ClusterRoleAggregator(served, clock, componentLogger('clusterrole-aggregation')),
      ),
      startStopController(
        'nodeipam',
        () => new NodeIpamController(served, config.clusterCidr, clock, componentLogger('node-ipam')),
      ),
    ];
    const compactor = new Compactor({
      backend,
      intervalMs: config.compactionIntervalMs,
      logger: componentLogger('compactor'),
    });
    await compactor.start();
    stops.push(() => compactor.stop());

    const controllers = startControllerManager(config, handlers, clock, storeControllers);
    stops.push(() => controllers.stop());
    const scheduler = await startScheduler(config, handlers, clock);
    stops.push(() => scheduler.stop());

    if (!config.disableAgent) {
      const agent = await startLocalAgent(config, pki, port);
      stops.push(() => agent.stop());
    }

    return {
      port,
      kubeconfigPath: pki.paths.kubeconfig,
      stop: async () => {
        for (const s of stops.reverse()) {
          try {
            await s();
          } catch (err) {
            log.warn({ err }, 'error while stopping');
          }
        }
      },
    };
  } catch (err) {
    for (const s of stops.reverse()) await Promise.resolve(s()).catch(() => undefined);
    throw err;
  }
}

/**
 * Starts the node agent of this machine in-process, with its own client certificate
 * (`system:node:<name>` in group `system:nodes`) talking HTTPS to the API server like any agent.
 */
async function startLocalAgent(
  config: ServerConfig,
  pki: Awaited<ReturnType<typeof ensureClusterPki>>,
  port: number,
): Promise<{ stop(): Promise<void> }> {
  const { startAgent } = await import('../agent/agent.js');
  const { clientFromKubeconfig } = await import('../client/http.js');
  const { hostname } = await import('node:os');
  const { writeFile } = await import('node:fs/promises');
  const agentConfig = { ...config.agent, dataDir: config.dataDir };
  const nodeName = (agentConfig.nodeName || hostname()).toLowerCase();
  agentConfig.nodeName = nodeName;
  await mkdir(join(config.dataDir, 'agent'), { recursive: true, mode: 0o700 });
  const kubeconfigPath = join(config.dataDir, 'agent', 'kubelet.kubeconfig');
  await writeFile(
    kubeconfigPath,
    await userKubeconfig(pki, { name: `system:node:${nodeName}`, groups: ['system:nodes'], port }),
    { mode: 0o600 },
  );
  const client = clientFromKubeconfig(kubeconfigPath, { component: 'kubelet' });
  try {
    const { issueKubeletServingCertificate } = await import('../pki/kubelet.js');
    const { KUBELET_CLIENT_USER } = await import('../pki/cluster.js');
    const agent = await startAgent(agentConfig, {
      client,
      serviceCidr: config.serviceCidr,
      clusterCidr: config.clusterCidr,
      kubeletTls: async (name, addresses) => {
        const issued = await issueKubeletServingCertificate(pki.serverCA, { nodeName: name, addresses });
        return { certPem: issued.certPem, keyPem: issued.keyPem, clientCaPem: pki.clientCA.certPem };
      },
      kubeletUsers: [KUBELET_CLIENT_USER],
      // The node's certificate (from its kubeconfig) also authenticates it to other nodes' kubelets.
      peerCredentials: await (async () => {
        const kc = (await import('../client/kubeconfig.js')).loadKubeconfig(kubeconfigPath);
        return { cert: kc.cert ?? '', key: kc.key ?? '', ca: pki.serverCA.certPem };
      })(),
    });
    return {
      stop: async () => {
        await agent.stop();
        client.close();
      },
    };
  } catch (err) {
    client.close();
    throw new Error(`node agent: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Loads the encryption keys and, after a key rotation (`k8ts secrets-encrypt rotate`), rewrites every
 * Secret under the new primary key, then drops the old keys.
 */
async function prepareSecretsEncryption(
  dataDir: string,
  backend: Backend,
  log: ReturnType<typeof componentLogger>,
): Promise<AesGcmTransformer> {
  const keys = loadOrCreateEncryptionKeys(dataDir);
  const transformer = new AesGcmTransformer(keys);
  const result = await reencryptPrefix(backend, transformer, '/registry/secrets/');
  if (result.rewritten > 0) log.info(result, 'secrets re-encrypted under the primary key');
  if (keys.length > 1) {
    removeOldEncryptionKeys(dataDir);
    log.info(
      { primary: keys[0]?.name, removed: keys.slice(1).map((k) => k.name) },
      'old encryption keys removed',
    );
  }
  return transformer;
}

/**
 * The address other machines reach this server on: a specific non-loopback bind address, else the
 * first non-loopback IPv4 address; undefined when the machine has none.
 */
function advertiseIP(bindAddress: string): string | undefined {
  if (
    bindAddress !== '0.0.0.0' &&
    bindAddress !== '::' &&
    !bindAddress.startsWith('127.') &&
    bindAddress !== '::1'
  )
    return bindAddress;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

async function lookupNamespace(served: ServedResources, name: string): Promise<KubeObject | undefined> {
  const s = served.get('', 'v1', 'namespaces');
  if (!s?.store) return undefined;
  try {
    return (await s.store.get('', name, '0')).object;
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 404)) throw err;
  }
  try {
    // Not in the cache yet: a consistent read settles it.
    return (await s.store.get('', name, '')).object;
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) return undefined;
    throw err;
  }
}
