/**
 * The other nodes a kubelet asks before it stops a pod: Ready Nodes labelled as running the service
 * proxy ({@link SERVICE_PROXY_LABEL}), reached on their kubelet API (InternalIP and
 * `status.daemonEndpoints.kubeletEndpoint.Port`) with this node's own client certificate.
 */
import { request, Agent } from 'node:https';
import type { Node } from 'kubernetes-types/core/v1.js';
import { createInformer } from '../../client/informer.js';
import { NODES } from '../../client/resources.js';
import type { ApiObject, Client, Informer } from '../../client/types.js';
import type { Logger } from '../../util/log.js';
import { SERVICE_PROXY_LABEL } from '../kubelet/node/node-status.js';
import { ROUTES_PATH } from '../kubelet/server/auth.js';

/** A node to ask. */
export interface DrainPeer {
  name: string;
  /** `https://<InternalIP>:<kubelet port>` */
  url: string;
}

type NodeObject = Node & ApiObject;

/** The peer a Node stands for, or undefined when it is not Ready or has no address or port. */
export function peerOf(node: Node): DrainPeer | undefined {
  const name = node.metadata?.name;
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  const ip = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!name || !ready || !ip || !port) return undefined;
  return { name, url: `https://${ip.includes(':') ? `[${ip}]` : ip}:${port}` };
}

/** Keeps what {@link peerOf} reads (the informer caches every proxy node). */
function slim(node: NodeObject): NodeObject {
  const s = node.status;
  return {
    apiVersion: node.apiVersion,
    kind: node.kind,
    metadata: {
      name: node.metadata.name,
      resourceVersion: node.metadata.resourceVersion,
      labels: node.metadata.labels,
    },
    status: {
      addresses: s?.addresses,
      daemonEndpoints: s?.daemonEndpoints,
      conditions: s?.conditions
        ?.filter((c) => c.type === 'Ready')
        .map((c) => ({ type: c.type, status: c.status })),
    },
  } as NodeObject;
}

/** Watches the nodes that run a service proxy. */
export class ProxyNodes {
  private readonly informer: Informer<NodeObject>;

  constructor(
    client: Client,
    private readonly self: string,
    logger: Logger,
  ) {
    this.informer = createInformer<NodeObject>(client, NODES, {
      labelSelector: SERVICE_PROXY_LABEL,
      transform: slim,
      logger,
    });
  }

  /** Starts watching (stops with the signal); does not wait for the first list. */
  start(signal: AbortSignal): void {
    this.informer.start(signal);
  }

  /** Resolves once the first list is in (rejects when the signal aborts first). */
  waitForSync(signal?: AbortSignal): Promise<void> {
    return this.informer.waitForSync(signal);
  }

  /** The Ready proxy nodes other than this one. */
  peers(): DrainPeer[] {
    const out: DrainPeer[] = [];
    for (const n of this.informer.list()) {
      if (n.metadata.name === this.self) continue;
      const p = peerOf(n);
      if (p) out.push(p);
    }
    return out;
  }
}

/** This node's client credentials and the CA that signs kubelet serving certificates. */
export interface PeerCredentials {
  cert: string | Buffer;
  key: string | Buffer;
  /** The cluster's server CA (kubelet serving certificates are signed by it). */
  ca: string | Buffer;
}

/** An answer a peer could not give: HTTP status and body, or the connection error. */
export class PeerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PeerError';
  }
}

/**
 * Asks peers `GET /k8ts/routes` over HTTPS (keep-alive connections, so a rollout does not pay a
 * handshake per pod).
 */
export class PeerClient {
  private readonly agent: Agent;

  constructor(creds: PeerCredentials) {
    this.agent = new Agent({ keepAlive: true, cert: creds.cert, key: creds.key, ca: creds.ca });
  }

  /**
   * Whether `peer` still sends new connections to `ip` after waiting up to `waitMs` for it to stop.
   * Rejects with a {@link PeerError} (or the abort reason when `signal` aborts).
   */
  ask(peer: DrainPeer, ip: string, waitMs: number, signal: AbortSignal): Promise<boolean> {
    const url = new URL(ROUTES_PATH, peer.url);
    url.searchParams.set('ip', ip);
    url.searchParams.set('waitMs', String(Math.max(0, Math.floor(waitMs))));
    return new Promise((resolve, reject) => {
      const req = request(url, { method: 'GET', agent: this.agent, signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) {
            reject(new PeerError(`HTTP ${res.statusCode}: ${text.trim().slice(0, 200)}`));
            return;
          }
          try {
            const body = JSON.parse(text) as { routed?: unknown };
            if (typeof body.routed !== 'boolean') throw new Error('no "routed" field');
            resolve(body.routed);
          } catch (err) {
            reject(new PeerError(`bad answer: ${err instanceof Error ? err.message : String(err)}`));
          }
        });
      });
      req.on('error', (err) => reject(signal.aborted ? err : new PeerError(err.message)));
      req.end();
    });
  }

  /** Closes idle connections. */
  close(): void {
    this.agent.destroy();
  }
}
