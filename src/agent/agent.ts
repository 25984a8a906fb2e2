/**
 * The node agent: starts in order, k3s-style, each part once what it needs is ready.
 *
 * registries + containerd (or an existing CRI) → pause and airgap images → Node registered,
 * heartbeats → pod CIDR → CNI config → informers → volumes, probes, pod workers → static pods.
 */
import { mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { Pod, Secret } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../api/errors.js';
import {
  CONFIGMAPS,
  ENDPOINTSLICES,
  INGRESSCLASSES,
  INGRESSES,
  PODS,
  SECRETS,
  SERVICEACCOUNTS,
  SERVICES,
} from '../client/resources.js';
import { collectionKey, createSharedInformers, type SharedInformers } from '../client/shared-informers.js';
import { slimEndpointSlice, slimService, withoutManagedFields } from '../client/slim.js';
import type { ApiObject, Client, Informer } from '../client/types.js';
import { componentLogger, type Logger } from '../util/log.js';
import { ipToString, parseCidr } from '../util/cidr.js';
import { connectCri, type CriConnection } from './cri/client.js';
import { nodeImagePaths, prepareImages, prepareRegistries, pullCredentials } from './images/node-images.js';
import type { AgentConfig } from './config.js';
import { writeCniConfig } from './network/cni.js';
import { capYoungGeneration } from './heap.js';
import { Containerd } from './runtime/containerd.js';
import { ClusterDns, DEFAULT_DNS_PORT } from './dns/index.js';
import { IngressController, TLS_SECRETS } from './ingress/index.js';
import { ServiceProxy } from './proxy/index.js';
import {
  createDrainer,
  DrainMetrics,
  PeerClient,
  PeerError,
  ProxyNodes,
  waitUnrouted,
  type PeerCredentials,
} from './drain/index.js';
import { EventRecorder } from '../client/events.js';
import { readHealth } from './kubelet/node/health.js';
import { readMachineInfo } from './kubelet/node/machine.js';
import { NodeManager } from './kubelet/node/node-manager.js';
import { nodeResources } from './kubelet/node/node-status.js';
import { ProbeManager } from './kubelet/probes/manager.js';
import { killMessage } from './kubelet/probes/messages.js';
import { Backoff } from './kubelet/pods/backoff.js';
import { parseResolvConf, podDns, type NodeDns } from './kubelet/pods/dns.js';
import { ContainerConfigError, type ServiceLink } from './kubelet/pods/env.js';
import { ImagePuller } from './kubelet/pods/image-puller.js';
import { containerLifecycle } from './kubelet/pods/lifecycle.js';
import { PodManager } from './kubelet/pods/pod-manager.js';
import { PodSyncer, type MountBuilder } from './kubelet/pods/pod-sync.js';
import { RuntimeCache } from './kubelet/pods/runtime-cache.js';
import { podHostname } from './kubelet/pods/sandbox-config.js';
import { StaticPods } from './kubelet/static/static-runner.js';
import { createStatsProvider } from './kubelet/stats/index.js';
import {
  allowUsers,
  CriStreamingRuntime,
  KubeletHttpError,
  KubeletServer,
  subjectAccessReviewAuthorizer,
  tokenReviewAuthenticator,
} from './kubelet/server/index.js';
import {
  ContainerMountError,
  containerMounts,
  createVolumeManager,
  etcHostsFile,
  terminationLogFile,
  type HostVolumeManager,
} from './kubelet/volumes/index.js';

/** A running agent. */
export interface RunningAgent {
  nodeName: string;
  nodeIP: string;
  /** The CRI connection (tests, streaming). */
  cri: CriConnection;
  stop(): Promise<void>;
}

/** What the agent needs from whoever starts it. */
export interface AgentDeps {
  /** An API client with the node's credentials. */
  client: Client;
  /**
   * The kubelet API's TLS: a serving certificate for the node's addresses (from the cluster's server
   * CA, so the API server trusts it) and the client CA whose certificates it accepts.
   */
  kubeletTls(
    nodeName: string,
    addresses: string[],
  ): Promise<{ certPem: string; keyPem: string; clientCaPem: string }>;
  /** Users let through without asking the API server (the API server's kubelet client). */
  kubeletUsers?: string[];
  /**
   * This node's client certificate and key (its kubeconfig's) and the cluster's server CA: how the
   * kubelet asks other nodes, before stopping a deleted pod, whether they still route to it. Without
   * them other nodes cannot be asked and get a fixed wait instead (see src/agent/drain/).
   */
  peerCredentials?: PeerCredentials;
  /** The cluster's service range (for the default cluster DNS address). */
  serviceCidr: string;
  /** The cluster's pod range: the service proxy masquerades traffic to Services from outside it. */
  clusterCidr?: string;
  /**
   * Ceiling on V8's semi-spaces while the agent runs, in MiB (see heap.ts; default
   * {@link IN_PROCESS_SEMI_SPACE_MIB}, sized for an agent that shares its process with the API
   * server); 0 leaves V8 alone.
   */
  maxSemiSpaceMiB?: number;
  log?: Logger;
}

/**
 * The agent's young-generation ceiling when it shares the process (the default of
 * {@link AgentDeps.maxSemiSpaceMiB}).
 */
export const IN_PROCESS_SEMI_SPACE_MIB = 4;

/**
 * The transform of each collection the agent caches: the union of the fields its parts read (see
 * src/client/slim.ts); the others lose only their managedFields.
 */
const AGENT_TRANSFORMS = {
  [collectionKey(PODS)]: withoutManagedFields,
  [collectionKey(SERVICES)]: slimService,
  [collectionKey(ENDPOINTSLICES)]: slimEndpointSlice,
  [collectionKey(SECRETS)]: withoutManagedFields,
  [collectionKey(INGRESSES)]: withoutManagedFields,
  [collectionKey(INGRESSCLASSES)]: withoutManagedFields,
};

/** Interfaces that carry pod traffic, never the node's own address. */
const POD_INTERFACE = /^(cni|veth|cbr|flannel|docker|kube-)/;

/**
 * The first non-internal IPv4 address of the machine that is not on a pod bridge (127.0.0.1 when
 * there is none).
 */
export function detectNodeIP(bridge = ''): string {
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    if (POD_INTERFACE.test(name) || (bridge && name === bridge)) continue;
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/** The 10th address of the service range: the cluster DNS service's ClusterIP by convention. */
export function defaultClusterDNS(serviceCidr: string): string {
  return ipToString(parseCidr(serviceCidr).base + 10);
}

function decodeSecretData(secret: Secret | undefined): Record<string, Buffer> | undefined {
  if (!secret) return undefined;
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, 'base64');
  for (const [k, v] of Object.entries((secret as { stringData?: Record<string, string> }).stringData ?? {}))
    out[k] = Buffer.from(v, 'utf8');
  return out;
}

/**
 * Starts the node's service networking parts that `cfg.disable` leaves on, each registered in `stops`.
 * The proxy and DNS are needed by every pod that talks to a Service, so their failure to start fails
 * the agent; the Ingress data path is optional (it needs HAProxy): its failure is logged.
 */
async function startNetworking(
  cfg: AgentConfig,
  deps: AgentDeps,
  node: { nodeName: string; nodeIP: string; agentDir: string },
  informers: SharedInformers,
  stops: (() => Promise<void> | void)[],
  log: Logger,
): Promise<{
  metrics: (() => Promise<string> | string)[];
  proxy?: ServiceProxy;
  ingress?: IngressController;
}> {
  const metrics: (() => Promise<string> | string)[] = [];
  let started: ServiceProxy | undefined;
  let serving: IngressController | undefined;
  const { nodeName, nodeIP } = node;
  const client = deps.client;
  if (!cfg.disable.includes('proxy')) {
    const proxy = new ServiceProxy({
      client,
      nodeName,
      nodeIPs: [nodeIP],
      ...(deps.clusterCidr ? { clusterCIDR: deps.clusterCidr } : {}),
      logger: componentLogger('proxy', { node: nodeName }),
      informers: { services: informers.informer(SERVICES), slices: informers.informer(ENDPOINTSLICES) },
    });
    await proxy.start();
    stops.push(() => proxy.stop());
    metrics.push(() => proxy.metricsText());
    started = proxy;
  }
  if (!cfg.disable.includes('dns')) {
    const dns = new ClusterDns({
      client,
      listen: { host: nodeIP, port: DEFAULT_DNS_PORT },
      zone: cfg.clusterDomain,
      resolvConf: cfg.resolvConf,
      logger: componentLogger('dns', { node: nodeName }),
      informers: { services: informers.informer(SERVICES), slices: informers.informer(ENDPOINTSLICES) },
    });
    await dns.start();
    stops.push(() => dns.stop());
    metrics.push(() => dns.metricsText());
  }
  if (!cfg.disable.includes('ingress')) {
    const ingress = new IngressController({
      client,
      nodeName,
      runDir: join(node.agentDir, 'ingress'),
      logger: componentLogger('ingress', { node: nodeName }),
      informers: {
        ingresses: informers.informer(INGRESSES),
        classes: informers.informer(INGRESSCLASSES),
        services: informers.informer(SERVICES),
        slices: informers.informer(ENDPOINTSLICES),
        secrets: informers.informer(SECRETS, { fieldSelector: TLS_SECRETS }),
      },
    });
    try {
      await ingress.start();
      stops.push(() => ingress.stop());
      serving = ingress;
    } catch (err) {
      await ingress.stop().catch(() => undefined);
      log.error({ err }, 'the Ingress data path did not start; Ingresses are not served on this node');
    }
  }
  return { metrics, ...(started ? { proxy: started } : {}), ...(serving ? { ingress: serving } : {}) };
}

/** True while this node's proxy rules or its Ingress data path send new connections to `ip`. */
function localRoutes(net: { proxy?: ServiceProxy; ingress?: IngressController }): (ip: string) => boolean {
  return (ip) => (net.proxy?.routes(ip) ?? false) || (net.ingress?.routes(ip) ?? false);
}

/** Starts the node agent; resolves once it registered its node and runs pods. */
export async function startAgent(cfg: AgentConfig, deps: AgentDeps): Promise<RunningAgent> {
  const log = deps.log ?? componentLogger('agent');
  const nodeName = (cfg.nodeName || os.hostname()).toLowerCase();
  const nodeIP = cfg.nodeIP || detectNodeIP(cfg.cniBridge);
  const agentDir = join(cfg.dataDir, 'agent');
  const logsRoot = join(agentDir, 'pod-logs');
  await mkdir(logsRoot, { recursive: true });
  const stops: (() => Promise<void> | void)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const s of stops.reverse()) {
      try {
        await s();
      } catch (err) {
        log.warn({ err }, 'error while stopping the agent');
      }
    }
  };
  const client = deps.client;
  const abort = new AbortController();
  stops.push(() => abort.abort());
  const semiSpace = deps.maxSemiSpaceMiB ?? IN_PROCESS_SEMI_SPACE_MIB;
  if (semiSpace > 0) {
    const cap = capYoungGeneration(semiSpace);
    stops.push(() => cap.stop());
  }

  try {
    // Runtime.
    const paths = nodeImagePaths(cfg.dataDir);
    const registries = await prepareRegistries(paths, log);
    let endpoint = cfg.containerRuntimeEndpoint;
    if (!endpoint) {
      const containerd = new Containerd({
        dataDir: cfg.dataDir,
        sandboxImage: cfg.pauseImage,
        logger: componentLogger('containerd', { node: nodeName }),
      });
      await containerd.start();
      stops.push(() => containerd.stop());
      endpoint = containerd.endpoint;
      await prepareImages({ socket: containerd.paths.socket, imagesDir: paths.imagesDir }, log);
    }
    const cri = connectCri(endpoint);
    stops.push(() => cri.close());
    const version = await cri.runtime.version({ version: 'v1' });
    const runtimeName = version.runtimeName || 'containerd';

    const late: {
      manager?: PodManager;
      metrics: (() => Promise<string> | string)[];
      routes?: (ip: string) => boolean;
    } = { metrics: [] };
    // The kubelet API: logs, exec, attach, port-forward.
    const kubelet = new KubeletServer({
      nodeName,
      port: cfg.kubeletPort,
      tls: await deps.kubeletTls(nodeName, [nodeIP, nodeName]),
      runtime: new CriStreamingRuntime(cri.runtime),
      authorize: allowUsers(deps.kubeletUsers ?? [], subjectAccessReviewAuthorizer(client)),
      authenticateToken: tokenReviewAuthenticator(client),
      stats: createStatsProvider({ ...cri, dataDir: cfg.dataDir, nodeName, cgroupRoot: cfg.cgroupRoot }),
      pods: async () => ({
        kind: 'PodList',
        apiVersion: 'v1',
        metadata: {},
        items: late.manager?.pods() ?? [],
      }),
      metrics: async () => (await Promise.all(late.metrics.map((m) => m()))).join(''),
      routes: async (ip, waitMs, signal) => {
        const routes = late.routes;
        // Until the data path is up, rules of an earlier run may still be in the kernel.
        if (!routes) throw new KubeletHttpError(503, 'the node data path is not running yet');
        return !(await waitUnrouted(routes, ip, waitMs, signal));
      },
      log: componentLogger('kubelet-server', { node: nodeName }),
    });
    const kubeletPort = await kubelet.start();
    stops.push(() => kubelet.stop());

    // The Node.
    const machine = readMachineInfo(cfg.dataDir);
    let networkReady = false;
    const node = new NodeManager({
      client,
      identity: {
        name: nodeName,
        internalIP: nodeIP,
        containerRuntimeVersion: `${runtimeName}://${version.runtimeVersion}`,
        kubeletVersion: 'v1.33.0+k8ts.0.1.0',
        kubeletPort,
        controlPlane: cfg.controlPlane,
        extraLabels: cfg.nodeLabels,
        taints: cfg.nodeTaints,
        ...(cfg.disable.includes('proxy') ? {} : { serviceProxy: 'nftables' }),
      },
      machine,
      health: () => ({
        ...readHealth(cfg.dataDir),
        notReadyMessage: networkReady
          ? ''
          : 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
      }),
      log: componentLogger('node', { node: nodeName }),
    });
    await node.register();
    node.start();
    stops.push(() => node.stop());
    const podCidr = await node.waitForPodCidr(abort.signal);
    writeCniConfig({
      confDir: join(agentDir, 'cni'),
      podCidr,
      ipamDataDir: join(agentDir, 'cni-ipam'),
      ...(cfg.cniBridge ? { bridge: cfg.cniBridge } : {}),
    });
    networkReady = true;
    await node.updateStatus(true);
    log.info({ node: nodeName, podCidr, runtime: version.runtimeVersion }, 'node ready');

    // Informers, one per collection, shared by the kubelet (this node's pods; Services for the pods'
    // environment), the service proxy, the cluster DNS and the Ingress data path.
    const informers = createSharedInformers(client, { logger: log, transforms: AGENT_TRANSFORMS });
    stops.push(() => informers.stop());
    const pods = informers.informer(PODS, { fieldSelector: `spec.nodeName=${nodeName}` });
    const services = informers.informer(SERVICES);
    // The other nodes with a service proxy: the kubelet asks them before it stops a deleted pod.
    const proxyNodes = new ProxyNodes(client, nodeName, log);
    pods.start(abort.signal);
    services.start(abort.signal);
    proxyNodes.start(abort.signal);
    await Promise.all([
      pods.waitForSync(abort.signal),
      services.waitForSync(abort.signal),
      proxyNodes.waitForSync(abort.signal),
    ]);

    // Service networking: the proxy in the kernel, this node's cluster DNS, the Ingress data path.
    const net = await startNetworking(cfg, deps, { nodeName, nodeIP, agentDir }, informers, stops, log);
    late.metrics.push(...net.metrics);
    late.routes = localRoutes(net);
    const drainMetrics = new DrainMetrics();
    late.metrics.push(() => drainMetrics.text());
    const peerClient = deps.peerCredentials ? new PeerClient(deps.peerCredentials) : undefined;
    if (peerClient) stops.push(() => peerClient.close());
    else
      log.warn('no client credentials for other nodes: deleted pods wait a fixed time for their data paths');
    const drain = createDrainer({
      localRoutes: late.routes,
      peers: () => proxyNodes.peers(),
      askPeer: (peer, ip, waitMs, signal) =>
        peerClient
          ? peerClient.ask(peer, ip, waitMs, signal)
          : Promise.reject(new PeerError('this agent has no client certificate to ask other nodes with')),
      metrics: drainMetrics,
      log: componentLogger('drain', { node: nodeName }),
    });

    const getOrUndefined = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) return undefined;
        throw err;
      }
    };
    const configMap = (ns: string, name: string): Promise<ApiObject | undefined> =>
      getOrUndefined(() => client.resource(CONFIGMAPS, ns).get(name));
    const secret = async (ns: string, name: string): Promise<Secret | undefined> =>
      (await getOrUndefined(() => client.resource(SECRETS, ns).get(name))) as Secret | undefined;

    const recorder = new EventRecorder(client, nodeName, componentLogger('events', { node: nodeName }));
    const podEvent = (
      pod: Pod,
      fieldPath: string | undefined,
      type: 'Normal' | 'Warning',
      reason: string,
      message: string,
    ): void => {
      void recorder.record(
        {
          kind: 'Pod',
          apiVersion: 'v1',
          namespace: pod.metadata?.namespace,
          name: pod.metadata?.name ?? '',
          uid: pod.metadata?.uid,
          resourceVersion: pod.metadata?.resourceVersion,
          ...(fieldPath ? { fieldPath } : {}),
        },
        type,
        reason,
        message,
      );
    };

    const allocatable = nodeResources(machine).allocatable ?? {};
    const volumes: HostVolumeManager = createVolumeManager({
      dataDir: cfg.dataDir,
      log: componentLogger('volumes', { node: nodeName }),
      sources: {
        configMap: async (ns, name) => {
          const cm = await configMap(ns, name);
          if (!cm) return undefined;
          const binary: Record<string, Buffer> = {};
          for (const [k, v] of Object.entries((cm['binaryData'] ?? {}) as Record<string, string>))
            binary[k] = Buffer.from(v, 'base64');
          return { data: (cm['data'] ?? {}) as Record<string, string>, binaryData: binary };
        },
        secret: async (ns, name) => {
          const data = decodeSecretData(await secret(ns, name));
          return data ? { data } : undefined;
        },
        serviceAccountToken: async (ns, sa, audience, expirationSeconds, boundPod) => {
          const res = await client.resource(SERVICEACCOUNTS, ns).createSubresource(sa, 'token', {
            apiVersion: 'authentication.k8s.io/v1',
            kind: 'TokenRequest',
            spec: {
              ...(audience ? { audiences: [audience] } : {}),
              expirationSeconds,
              boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: boundPod.name, uid: boundPod.uid },
            },
          });
          const token = (res['status'] as { token?: string } | undefined)?.token;
          if (!token) throw new Error(`no token in the TokenRequest answer for ${ns}/${sa}`);
          return token;
        },
      },
    });

    const hostResolv = parseResolvConf(await readFile(cfg.resolvConf, 'utf8').catch(() => ''));
    const nodeDns: NodeDns = {
      clusterDNS: [cfg.clusterDNS || defaultClusterDNS(deps.serviceCidr)],
      clusterDomain: cfg.clusterDomain,
      host: hostResolv,
    };

    const exec = async (containerId: string, cmd: string[], timeoutSeconds: number) => {
      const res = await cri.runtime.execSync({ containerId, cmd, timeout: timeoutSeconds });
      return { exitCode: res.exitCode, stdout: res.stdout, stderr: res.stderr };
    };
    const probes = new ProbeManager({
      exec,
      onChange: (uid) => late.manager?.schedule(uid),
      onUnhealthy: (target, _kind, info) => {
        const willRestart = (target.pod.spec?.restartPolicy ?? 'Always') !== 'Never';
        late.manager?.markUnhealthy(
          target.pod.metadata?.uid ?? '',
          target.container.name,
          target.containerId,
          killMessage(info.message, willRestart),
        );
      },
      onEvent: (target, e) =>
        podEvent(target.pod, `spec.containers{${target.container.name}}`, e.type, e.reason, e.message),
      log: componentLogger('probes', { node: nodeName }),
    });
    stops.push(() => probes.stop());

    const mounts: MountBuilder = async (pod, container, vols, lookup, podIPs) => {
      const uid = pod.metadata?.uid ?? '';
      let out;
      try {
        out = await containerMounts(pod, container, vols, lookup, volumes.subPathBinding(uid));
      } catch (err) {
        if (err instanceof ContainerMountError) throw new ContainerConfigError(err.message);
        throw err;
      }
      const cri: {
        containerPath: string;
        hostPath: string;
        readonly: boolean;
        propagation: (typeof out)[number]['propagation'];
      }[] = [...out];
      const podDir = volumes.podDir(uid);
      const ownsHosts = (container.volumeMounts ?? []).some((m) => m.mountPath === '/etc/hosts');
      if (!ownsHosts && podIPs.length) {
        const hosts = await etcHostsFile(podDir, pod, podIPs, podHostname(pod), cfg.clusterDomain);
        cri.push({
          containerPath: '/etc/hosts',
          hostPath: hosts,
          readonly: false,
          propagation: 'PROPAGATION_PRIVATE',
        });
      }
      const termPath = container.terminationMessagePath ?? '/dev/termination-log';
      if (termPath) {
        const file = await terminationLogFile(podDir, container.name);
        cri.push({
          containerPath: termPath,
          hostPath: file,
          readonly: false,
          propagation: 'PROPAGATION_PRIVATE',
        });
      }
      return cri;
    };

    const serviceLinks = (ns: string): ServiceLink[] =>
      services
        .list()
        .filter(
          (s) =>
            s.metadata.namespace === ns ||
            (s.metadata.namespace === 'default' && s.metadata.name === 'kubernetes'),
        )
        .map((s) => {
          const spec = (s['spec'] ?? {}) as { clusterIP?: string; ports?: ServiceLink['ports'] };
          return { name: s.metadata.name ?? '', clusterIP: spec.clusterIP ?? '', ports: spec.ports ?? [] };
        });

    const runtimeCache = new RuntimeCache(cri.runtime);
    const syncer = new PodSyncer({
      runtime: cri.runtime,
      runtimeCache,
      images: new ImagePuller({
        images: cri.images,
        credentials: async (pod, image) => {
          const ns = pod.metadata?.namespace ?? 'default';
          const secrets = [];
          for (const ref of pod.spec?.imagePullSecrets ?? []) {
            const s = await secret(ns, ref.name ?? '');
            if (s) secrets.push(s);
          }
          return pullCredentials(image, secrets as Parameters<typeof pullCredentials>[1], registries);
        },
      }),
      volumes,
      mounts,
      lifecycle: containerLifecycle({ probes, exec, event: podEvent }),
      probes,
      envSources: {
        configMap: async (ns, name) => {
          const cm = await configMap(ns, name);
          return cm ? ((cm['data'] ?? {}) as Record<string, string>) : undefined;
        },
        secret: async (ns, name) => {
          const data = decodeSecretData(await secret(ns, name));
          return data
            ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.toString('utf8')]))
            : undefined;
        },
      },
      services: serviceLinks,
      event: podEvent,
      dns: (pod) => podDns(pod.spec ?? { containers: [] }, pod.metadata?.namespace ?? 'default', nodeDns),
      node: { ip: nodeIP, memoryBytes: machine.memoryBytes, allocatable },
      logsRoot,
      cgroupRoot: cfg.cgroupRoot,
      backoff: new Backoff(),
      now: Date.now,
      log: componentLogger('pods', { node: nodeName }),
      drain,
    });

    const staticPods = new StaticPods({
      dir: cfg.podManifestPath || join(agentDir, 'pod-manifests'),
      nodeName,
      client,
      nodeUid: () => node.current()?.metadata.uid,
      onChange: (uid) => late.manager?.schedule(uid),
      log: componentLogger('static-pods', { node: nodeName }),
    });
    await staticPods.load();

    const manager = new PodManager({
      client,
      informer: pods as Informer<ApiObject>,
      runtime: cri.runtime,
      runtimeCache,
      syncer,
      hostIP: nodeIP,
      runtimeName,
      log: componentLogger('pods', { node: nodeName }),
      staticPods: () => staticPods.pods(),
    });
    late.manager = manager;
    manager.start();
    stops.push(() => manager.stop());
    staticPods.start(pods as Informer<ApiObject>);
    stops.push(() => staticPods.stop());

    // Volumes of pods that went away while the agent was down.
    const known = new Set(manager.pods().map((p) => p.metadata?.uid ?? ''));
    for (const uid of await volumes.podsOnDisk()) {
      if (!known.has(uid))
        await volumes.tearDown(uid).catch((err: unknown) => log.warn({ err, uid }, 'volume cleanup failed'));
    }

    return { nodeName, nodeIP, cri, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
