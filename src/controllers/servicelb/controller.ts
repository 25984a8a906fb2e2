/**
 * The built-in load balancer's controller (upstream name `servicelb`, after k3s's ServiceLB): every
 * Service of type LoadBalancer without a spec.loadBalancerClass is published at the addresses of the
 * Ready nodes — each node's ExternalIP when it has one, else its InternalIP — in
 * status.loadBalancer.ingress, sorted, with `ipMode: VIP` (the service proxy of every node answers
 * on them). The list follows nodes as they come, go and change readiness; it is cleared when the
 * Service stops being a LoadBalancer. Services with a loadBalancerClass belong to another
 * implementation and are never touched.
 */
import { runSynced, SyncGate } from '../framework/manager.js';
import type { LoadBalancerIngress, Node } from 'kubernetes-types/core/v1.js';
import type { EventRecorder } from '../../client/events.js';
import { NODES, SERVICES } from '../../client/resources.js';
import { objectKey, type ApiObject, type Informer } from '../../client/types.js';
import type { Logger } from '../../util/log.js';
import { isNodeReady } from '../dnsendpoints/controller.js';
import { canonical, isIPv6, type ServiceObject } from '../endpointslice/podutil.js';
import { serviceTarget } from '../endpointslice/controller.js';
import type { Controller, ControllerContext } from '../framework/types.js';
import { WorkQueue } from '../queue.js';

/** True when this controller publishes the Service's load balancer addresses. */
export function wantsLoadBalancer(svc: ServiceObject): boolean {
  return svc.spec?.type === 'LoadBalancer' && !svc.spec.loadBalancerClass;
}

/** The address a node serves load balancers on, in the Service's family: ExternalIP, else InternalIP. */
export function nodeAddress(node: Node, family: 'IPv4' | 'IPv6'): string | undefined {
  const of = (type: string): string | undefined =>
    node.status?.addresses?.find((a) => a.type === type && isIPv6(a.address) === (family === 'IPv6'))
      ?.address;
  return of('ExternalIP') ?? of('InternalIP');
}

function compareIPs(a: string, b: string): number {
  const key = (ip: string): string =>
    isIPv6(ip)
      ? `6${ip}`
      : `4${ip
          .split('.')
          .map((o) => o.padStart(3, '0'))
          .join('.')}`;
  return key(a).localeCompare(key(b));
}

/** The ingress of a LoadBalancer Service over `nodes`: one entry per Ready node address, sorted. */
export function desiredIngress(svc: ServiceObject, nodes: readonly Node[]): LoadBalancerIngress[] {
  const families = (svc.spec?.ipFamilies?.length ? svc.spec.ipFamilies : ['IPv4']).filter(
    (f): f is 'IPv4' | 'IPv6' => f === 'IPv4' || f === 'IPv6',
  );
  const ips = new Set<string>();
  for (const node of nodes) {
    if (!isNodeReady(node) || node.metadata?.deletionTimestamp) continue;
    for (const f of families) {
      const ip = nodeAddress(node, f);
      if (ip) ips.add(ip);
    }
  }
  return [...ips].sort(compareIPs).map((ip) => ({ ip, ipMode: 'VIP' }));
}

/** The parts of a node the addresses depend on. */
function nodeView(node: Node): string {
  return canonical({
    ready: isNodeReady(node),
    deleting: Boolean(node.metadata?.deletionTimestamp),
    addresses: node.status?.addresses ?? [],
  });
}

class ServiceLbSync {
  readonly queue: WorkQueue;
  private readonly services: Informer<ServiceObject>;
  private readonly nodes: Informer<Node & ApiObject>;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly gate = new SyncGate();

  constructor(private readonly ctx: ControllerContext) {
    this.log = ctx.logger('servicelb-controller');
    this.recorder = ctx.recorder('service-lb-controller');
    this.services = ctx.informers.informer<ServiceObject>(SERVICES);
    this.nodes = ctx.informers.informer<Node & ApiObject>(NODES);
    this.queue = new WorkQueue((key) => this.sync(key), this.log, { concurrency: 2 });
    const enqueue = (s: ServiceObject): void => {
      if (wantsLoadBalancer(s) || (s.status?.loadBalancer?.ingress?.length ?? 0) > 0)
        this.queue.add(objectKey(s));
    };
    this.services.addHandlers({ add: enqueue, update: (_, cur) => enqueue(cur) });
    const all = (): void => {
      for (const s of this.services.list()) if (wantsLoadBalancer(s)) this.queue.add(objectKey(s));
    };
    this.nodes.addHandlers({
      add: all,
      update: (old, cur) => nodeView(old) !== nodeView(cur) && all(),
      delete: all,
    });
  }

  start(): void {
    this.gate.open();
  }

  stop(): void {
    this.queue.stop();
    this.gate.close();
  }

  async sync(key: string): Promise<void> {
    if (!(await this.gate.pass())) return;
    const svc = this.services.get(key);
    if (!svc) return;
    const current = svc.status?.loadBalancer?.ingress ?? [];
    let next: LoadBalancerIngress[];
    if (wantsLoadBalancer(svc)) next = desiredIngress(svc, this.nodes.list());
    else if (svc.spec?.type !== 'LoadBalancer' && !svc.spec?.loadBalancerClass && current.length > 0)
      next = [];
    else return; // another implementation's Service
    if (canonical(current) === canonical(next)) return;
    const updated: ServiceObject = {
      ...structuredClone(svc),
      status: { ...svc.status, loadBalancer: next.length ? { ingress: next } : {} },
    };
    await this.ctx.client.resource<ServiceObject>(SERVICES, svc.metadata.namespace).updateStatus(updated);
    const target = serviceTarget(svc);
    if (next.length === 0 && !wantsLoadBalancer(svc))
      void this.recorder.record(target, 'Normal', 'DeletedLoadBalancer', 'Deleted load balancer');
    else if (current.length === 0)
      void this.recorder.record(target, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
    else
      void this.recorder.record(
        target,
        'Normal',
        'UpdatedLoadBalancer',
        'Updated load balancer with new hosts',
      );
  }
}

/** The controller. */
export class ServiceLbController implements Controller {
  readonly name = 'servicelb';

  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    await runSynced(ctx, signal, new ServiceLbSync(ctx));
  }
}
