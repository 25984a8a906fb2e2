/**
 * The Ingress status controller: every node agent serves the Ingresses of class `k8ts` on its ports
 * 80 and 443, so an Ingress's `status.loadBalancer.ingress` lists the InternalIP of every Ready node
 * (as k3s shows for Traefik behind its ServiceLB), and `kubectl get ingress` shows them as ADDRESS.
 * Nodes labelled `node.kubernetes.io/exclude-from-external-load-balancers` are left out. Ingresses
 * of other classes are left alone.
 */
import { untilAborted } from '../framework/manager.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Ingress, IngressClass, IngressLoadBalancerIngress } from 'kubernetes-types/networking/v1.js';
import { ApiError } from '../../api/errors.js';
import { servesIngress } from '../../api/networking/ingressclass.js';
import { INGRESSCLASSES, INGRESSES, NODES } from '../../client/resources.js';
import { objectKey, type ApiObject, type Informer } from '../../client/types.js';
import type { Controller, ControllerContext } from '../framework/types.js';
import { WorkQueue } from '../queue.js';

type IngressObject = Ingress & ApiObject;
type ClassObject = IngressClass & ApiObject;
type NodeObject = Node & ApiObject;

/** Nodes with this label take no load-balancer traffic (upstream's label). */
export const EXCLUDE_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

function isReady(node: Node): boolean {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

/** The addresses an Ingress of class k8ts is reached at: InternalIPs of Ready nodes, sorted. */
export function ingressAddresses(nodes: readonly Node[]): IngressLoadBalancerIngress[] {
  const ips = new Set<string>();
  for (const n of nodes) {
    if (n.metadata?.deletionTimestamp || !isReady(n)) continue;
    if (n.metadata?.labels?.[EXCLUDE_LABEL] !== undefined) continue;
    for (const a of n.status?.addresses ?? []) if (a.type === 'InternalIP' && a.address) ips.add(a.address);
  }
  return [...ips].sort().map((ip) => ({ ip }));
}

function sameAddresses(
  a: readonly IngressLoadBalancerIngress[],
  b: readonly IngressLoadBalancerIngress[],
): boolean {
  if (a.length !== b.length) return false;
  return a.every((x, i) => x.ip === b[i]?.ip && x.hostname === b[i]?.hostname && !x.ports && !b[i]?.ports);
}

/** The `ingress-status` controller of `k8ts server`. */
export class IngressStatusController implements Controller {
  readonly name = 'ingress-status';

  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const ingresses = ctx.informers.informer<IngressObject>(INGRESSES);
    const classes = ctx.informers.informer<ClassObject>(INGRESSCLASSES);
    const nodes = ctx.informers.informer<NodeObject>(NODES);
    try {
      await ctx.informers.waitForSync(signal);
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    if (signal.aborted) return;
    const log = ctx.logger('ingress-status-controller');
    const queue = new WorkQueue((key) => this.sync(ctx, ingresses, classes, nodes, key), log, {
      concurrency: 4,
    });
    const all = (): void => {
      for (const ing of ingresses.list()) queue.add(objectKey(ing));
    };
    const offs = [
      ingresses.addHandlers({
        add: (i) => queue.add(objectKey(i)),
        update: (_o, i) => queue.add(objectKey(i)),
      }),
      classes.addHandlers({ add: all, update: all, delete: all }),
      nodes.addHandlers({
        add: all,
        update: (o, n) => {
          if (!sameAddresses(ingressAddresses([o]), ingressAddresses([n]))) all();
        },
        delete: all,
      }),
    ];
    await untilAborted(signal);
    for (const off of offs) off();
    queue.stop();
  }

  private async sync(
    ctx: ControllerContext,
    ingresses: Informer<IngressObject>,
    classes: Informer<ClassObject>,
    nodes: Informer<NodeObject>,
    key: string,
  ): Promise<void> {
    const ing = ingresses.get(key);
    if (!ing || ing.metadata.deletionTimestamp) return;
    if (!servesIngress(ing, classes.list())) return;
    const want = ingressAddresses(nodes.list());
    if (sameAddresses(ing.status?.loadBalancer?.ingress ?? [], want)) return;
    const api = ctx.client.resource<IngressObject>(INGRESSES, ing.metadata.namespace);
    try {
      await api.patch(
        ing.metadata.name ?? '',
        'merge',
        { status: { loadBalancer: { ingress: want.length > 0 ? want : null } } },
        { subresource: 'status' },
      );
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return;
      throw err;
    }
  }
}
