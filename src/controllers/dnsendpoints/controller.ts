/**
 * The dns-endpoints controller (k8ts's own): keeps the EndpointSlice of the cluster DNS Service
 * `kube-system/kube-dns`. Every agent serves DNS on its node's address at port {@link NODE_DNS_PORT},
 * so the slice lists one endpoint per Ready node — its InternalIP, nodeName and zone — and the
 * Service's `internalTrafficPolicy: Local` sends each pod to its own node's server.
 *
 * The slice is named `kube-dns-nodes`, managed by `dns-endpoints.k8ts.io` (a label value may not contain '/'), owned by the Service (it
 * goes with it). Nodes without an InternalIP of the Service's family are left out.
 */
import { runSynced, SyncGate } from '../framework/manager.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js';
import { ApiError } from '../../api/errors.js';
import { ENDPOINTSLICES, NODES, SERVICES } from '../../client/resources.js';
import { objectKey, type ApiObject, type Informer } from '../../client/types.js';
import type { Logger } from '../../util/log.js';
import {
  canonical,
  isIPv6,
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  LABEL_ZONE,
  serviceAddressTypes,
  serviceLabels,
  type ServiceObject,
} from '../endpointslice/podutil.js';
import type { SliceObject } from '../endpointslice/reconcile.js';
import { controllerRef } from '../framework/pods.js';
import type { Controller, ControllerContext } from '../framework/types.js';
import { WorkQueue } from '../queue.js';
import { DNS_MANAGED_BY, DNS_NAMESPACE, DNS_SERVICE, DNS_SLICE, NODE_DNS_PORT } from './dns.js';

/** Endpoints in one slice (the API's limit). */
const MAX_PER_SLICE = 1000;
const KEY = `${DNS_NAMESPACE}/${DNS_SERVICE}`;

/** True when the node's Ready condition is True. */
export function isNodeReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** The node's first InternalIP of `family`. */
export function internalIP(node: Node, family: 'IPv4' | 'IPv6'): string | undefined {
  return node.status?.addresses?.find(
    (a) => a.type === 'InternalIP' && isIPv6(a.address) === (family === 'IPv6'),
  )?.address;
}

/** The ports of the DNS slices. */
export function dnsPorts(): EndpointPort[] {
  return [
    { name: 'dns', port: NODE_DNS_PORT, protocol: 'UDP' },
    { name: 'dns-tcp', port: NODE_DNS_PORT, protocol: 'TCP' },
  ];
}

/** One endpoint per Ready node with an address of `family`, by node name. */
export function nodeEndpoints(nodes: readonly Node[], family: 'IPv4' | 'IPv6'): Endpoint[] {
  const out: Endpoint[] = [];
  const sorted = [...nodes].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  for (const node of sorted) {
    if (!isNodeReady(node) || node.metadata?.deletionTimestamp) continue;
    const ip = internalIP(node, family);
    if (!ip) continue;
    const ep: Endpoint = {
      addresses: [ip],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: node.metadata?.name ?? '',
    };
    const zone = node.metadata?.labels?.[LABEL_ZONE];
    if (zone) ep.zone = zone;
    out.push(ep);
  }
  return out;
}

/** The parts of a node the slice depends on. */
function nodeView(node: Node): string {
  return canonical({
    ready: isNodeReady(node),
    deleting: Boolean(node.metadata?.deletionTimestamp),
    addresses: node.status?.addresses ?? [],
    zone: node.metadata?.labels?.[LABEL_ZONE] ?? '',
  });
}

class DnsEndpointsSync {
  readonly queue: WorkQueue;
  private readonly services: Informer<ServiceObject>;
  private readonly nodes: Informer<Node & ApiObject>;
  private readonly slices: Informer<SliceObject>;
  private readonly log: Logger;
  /** The slices' generations this controller last wrote, until the cache shows them. */
  private readonly written = new Map<string, number>();
  private readonly gate = new SyncGate();

  constructor(private readonly ctx: ControllerContext) {
    this.log = ctx.logger('dns-endpoints-controller');
    this.services = ctx.informers.informer<ServiceObject>(SERVICES);
    this.nodes = ctx.informers.informer<Node & ApiObject>(NODES);
    this.slices = ctx.informers.informer<SliceObject>(ENDPOINTSLICES);
    this.queue = new WorkQueue(() => this.sync(), this.log, { concurrency: 1 });
    const poke = (): void => this.queue.add(KEY);
    this.services.addHandlers({
      add: (s) => objectKey(s) === KEY && poke(),
      update: (_, s) => objectKey(s) === KEY && poke(),
      delete: (s) => objectKey(s) === KEY && poke(),
    });
    this.nodes.addHandlers({
      add: poke,
      update: (old, cur) => nodeView(old) !== nodeView(cur) && poke(),
      delete: poke,
    });
    const mine = (s: SliceObject): boolean => s.metadata.labels?.[LABEL_MANAGED_BY] === DNS_MANAGED_BY;
    this.slices.addHandlers({
      add: (s) => mine(s) && this.foreignChange(s) && poke(),
      update: (_, s) => mine(s) && this.foreignChange(s) && poke(),
      delete: (s) => mine(s) && poke(),
    });
  }

  /** True unless the slice is as this controller wrote it. */
  private foreignChange(s: SliceObject): boolean {
    const gen = this.written.get(objectKey(s));
    return gen === undefined || (s.metadata.generation ?? 0) > gen;
  }

  start(): void {
    this.gate.open();
    this.queue.add(KEY);
  }

  stop(): void {
    this.queue.stop();
    this.gate.close();
  }

  async sync(): Promise<void> {
    if (!(await this.gate.pass())) return;
    const svc = this.services.get(KEY);
    // Without the Service there is nothing to serve; its slices went with it.
    if (!svc) return;
    for (const [key, gen] of this.written) {
      const cached = this.slices.get(key);
      if (cached && (cached.metadata.generation ?? 0) < gen) {
        this.queue.addAfter(KEY, 50);
        return;
      }
      this.written.delete(key);
    }
    const family = serviceAddressTypes(svc)[0] ?? 'IPv4';
    const endpoints = nodeEndpoints(this.nodes.list(), family);
    const chunks: Endpoint[][] = [];
    for (let i = 0; i < endpoints.length; i += MAX_PER_SLICE)
      chunks.push(endpoints.slice(i, i + MAX_PER_SLICE));
    if (chunks.length === 0) chunks.push([]);
    const labels = {
      ...serviceLabels(svc),
      [LABEL_SERVICE_NAME]: DNS_SERVICE,
      [LABEL_MANAGED_BY]: DNS_MANAGED_BY,
    };
    const owner = controllerRef({ ...svc, apiVersion: 'v1', kind: 'Service' });
    const client = this.ctx.client.resource<SliceObject>(ENDPOINTSLICES, DNS_NAMESPACE);
    const wanted = new Set<string>();
    for (const [i, eps] of chunks.entries()) {
      const name = i === 0 ? DNS_SLICE : `${DNS_SLICE}-${i + 1}`;
      wanted.add(name);
      const current = this.slices.get(`${DNS_NAMESPACE}/${name}`);
      const desired: SliceObject = {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          ...(current?.metadata ?? { name, namespace: DNS_NAMESPACE }),
          labels,
          ownerReferences: [owner],
        },
        addressType: family,
        endpoints: eps,
        ports: dnsPorts(),
      };
      if (current && current.addressType !== family) {
        await this.remove(client, name);
        continue; // recreated on the next sync (addressType is immutable)
      }
      if (
        current &&
        canonical(current.endpoints ?? []) === canonical(eps) &&
        canonical(current.ports ?? []) === canonical(desired.ports) &&
        canonical(current.metadata.labels ?? {}) === canonical(labels) &&
        canonical(current.metadata.ownerReferences ?? []) === canonical([owner])
      )
        continue;
      const done = current ? await client.update(desired) : await client.create(desired);
      this.written.set(objectKey(done), done.metadata.generation ?? 0);
    }
    for (const s of this.slices.list()) {
      if (s.metadata.namespace !== DNS_NAMESPACE || s.metadata.labels?.[LABEL_MANAGED_BY] !== DNS_MANAGED_BY)
        continue;
      if (!wanted.has(s.metadata.name ?? '')) await this.remove(client, s.metadata.name ?? '');
    }
  }

  private async remove(
    client: ReturnType<ControllerContext['client']['resource']>,
    name: string,
  ): Promise<void> {
    try {
      await client.delete(name);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
  }
}

/** The controller. */
export class DnsEndpointsController implements Controller {
  readonly name = 'dns-endpoints';

  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    await runSynced(ctx, signal, new DnsEndpointsSync(ctx));
  }
}
