/**
 * What the kubelet's HTTPS server (port 10250) needs from the rest of the agent: the container runtime
 * for streaming and logs, node stats, and the authorizer. Each is a narrow interface so the server can
 * be tested with fakes and wired to the CRI client by the agent.
 */

/** An error the kubelet answers with an HTTP status and a plain-text message (as upstream's kubelet). */
export class KubeletHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'KubeletHttpError';
  }
}

/** Which container of which pod. */
export interface ContainerRef {
  namespace: string;
  pod: string;
  /** The pod UID when the URL carried one (`/exec/{ns}/{pod}/{uid}/{container}`). */
  uid?: string;
  container: string;
}

/** The log file of a container, found for `/containerLogs`. */
export interface ContainerLogTarget {
  /** CRI container id (to ask whether it still runs while following). */
  containerId: string;
  /** Absolute path of the CRI log file (`<pod log dir>/<container>/<restartCount>.log`). */
  logPath: string;
}

/** An exec or attach request, as the CRI Exec/Attach requests take it. */
export interface StreamRequest extends ContainerRef {
  /** exec only: the command and its arguments. */
  cmd: string[];
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

/** A port-forward request (CRI PortForward). */
export interface PortForwardRequest {
  namespace: string;
  pod: string;
  uid?: string;
  /** Ports named in the URL (`?port=80,443`); the client may ask for others in its stream headers. */
  ports: number[];
}

/**
 * The container runtime as the kubelet server uses it. The agent implements it over the CRI
 * RuntimeService (ListContainers by the pod and container labels, Exec, Attach, PortForward,
 * ContainerStatus). Methods throw {@link KubeletHttpError} for user-facing failures, worded as
 * upstream's kubelet:
 * - a pod the node does not run: 404 `pod does not exist` (exec/attach/port-forward),
 *   404 `pod "NAME" does not exist` (logs; see {@link containerLogTarget} for the log wording);
 * - exec/attach on a container that is not running: 404 `container not found ("NAME")`.
 */
export interface StreamingRuntime {
  /** The log file of the current (or, with `previous`, the last terminated) instance of a container. */
  containerLog(ref: ContainerRef, opts: { previous: boolean }): Promise<ContainerLogTarget>;
  /** Whether a container still runs (a followed log ends when it stops). */
  containerRunning(containerId: string): Promise<boolean>;
  /** CRI Exec: the runtime's streaming URL for this command. */
  exec(req: StreamRequest): Promise<string>;
  /** CRI Attach: the runtime's streaming URL for the container's main process. */
  attach(req: StreamRequest): Promise<string>;
  /** CRI PortForward: the runtime's streaming URL for the pod's network namespace. */
  portForward(req: PortForwardRequest): Promise<string>;
}

/** Node, pod and container stats, served at `/stats/summary` and `/metrics/resource`. */
export interface StatsProvider {
  /** The stats/v1alpha1 Summary document. */
  summary(opts: { onlyCpuAndMemory: boolean }): Promise<unknown>;
  /** The Prometheus text of `/metrics/resource`. */
  resourceMetrics(): Promise<string>;
}

/** The pods the node runs, for `/pods` (a v1 PodList). */
export type PodsProvider = () => Promise<unknown>;

/** A caller of the kubelet API, as authenticated. */
export interface KubeletUser {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
  /** How the caller proved who it is (set by the kubelet server, never by an authenticator). */
  authenticatedBy?: 'certificate' | 'token';
}

/** What a request asks the kubelet for, in API terms (upstream: nodes/<subresource>). */
export interface KubeletRequestAttributes {
  verb: string;
  resource: 'nodes';
  subresource: string;
  name: string;
  apiGroup: '';
  apiVersion: 'v1';
  path: string;
}

/** Authorizes a caller; the agent wires it to SubjectAccessReview against the API server. */
export type KubeletAuthorizer = (
  user: KubeletUser,
  attrs: KubeletRequestAttributes,
) => Promise<{ allowed: boolean; reason?: string }>;

/** Resolves a bearer token to a user (TokenReview); undefined when the token is not valid. */
export type KubeletTokenAuthenticator = (token: string) => Promise<KubeletUser | undefined>;

/**
 * Whether this node still sends new connections to `ip` (its service proxy's rules or its Ingress
 * data path), waiting up to `waitMs` for it to stop; resolves true while it still does. Served on
 * `/k8ts/routes` for other nodes that are about to stop a pod.
 */
export type RoutesProvider = (ip: string, waitMs: number, signal: AbortSignal) => Promise<boolean>;
