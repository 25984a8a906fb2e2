/**
 * CRI `runtime.v1` client over gRPC on a unix socket: `connectCri(endpoint)` gives a
 * {@link RuntimeService} and an {@link ImageService}, one async method per RPC. Every call has a
 * deadline (the connection's default, or per call); errors are {@link CriError}s carrying the gRPC
 * status. Exec, Attach and PortForward return the runtime streaming server's URL.
 */
import path from 'node:path';
import { GrpcCallError, GrpcStatus, UnixChannel } from './channel.js';
import { criMethod, type CriServiceName } from './proto.js';
import type * as T from './types.js';

/** Per-call options. */
export interface CriCallOptions {
  /** Deadline of this call in ms (0: none). Defaults depend on the RPC, see {@link CriClientOptions}. */
  timeoutMs?: number;
  /** Cancels the call (it then fails with a CriError of code CANCELLED). */
  signal?: AbortSignal;
}

/** Options of {@link connectCri}. */
export interface CriClientOptions {
  /**
   * Default deadline of a call in ms (default 120 000, the kubelet's runtime request timeout).
   * StopContainer and ExecSync get their own timeout on top; PullImage has no default deadline.
   */
  timeoutMs?: number;
  /** Largest message accepted or sent (default 16 MiB, as the kubelet). */
  maxMessageBytes?: number;
}

/** The runtime half of the CRI: pod sandboxes, containers, exec/attach/port-forward, stats. */
export interface RuntimeService {
  version(req?: T.VersionRequest, opts?: CriCallOptions): Promise<T.VersionResponse>;
  runPodSandbox(req: T.RunPodSandboxRequest, opts?: CriCallOptions): Promise<T.RunPodSandboxResponse>;
  stopPodSandbox(req: T.StopPodSandboxRequest, opts?: CriCallOptions): Promise<T.StopPodSandboxResponse>;
  removePodSandbox(
    req: T.RemovePodSandboxRequest,
    opts?: CriCallOptions,
  ): Promise<T.RemovePodSandboxResponse>;
  podSandboxStatus(
    req: T.PodSandboxStatusRequest,
    opts?: CriCallOptions,
  ): Promise<T.PodSandboxStatusResponse>;
  listPodSandbox(req?: T.ListPodSandboxRequest, opts?: CriCallOptions): Promise<T.ListPodSandboxResponse>;
  createContainer(req: T.CreateContainerRequest, opts?: CriCallOptions): Promise<T.CreateContainerResponse>;
  startContainer(req: T.StartContainerRequest, opts?: CriCallOptions): Promise<T.StartContainerResponse>;
  /** The deadline is `req.timeout` seconds plus the call timeout. */
  stopContainer(req: T.StopContainerRequest, opts?: CriCallOptions): Promise<T.StopContainerResponse>;
  removeContainer(req: T.RemoveContainerRequest, opts?: CriCallOptions): Promise<T.RemoveContainerResponse>;
  listContainers(req?: T.ListContainersRequest, opts?: CriCallOptions): Promise<T.ListContainersResponse>;
  containerStatus(req: T.ContainerStatusRequest, opts?: CriCallOptions): Promise<T.ContainerStatusResponse>;
  updateContainerResources(
    req: T.UpdateContainerResourcesRequest,
    opts?: CriCallOptions,
  ): Promise<T.UpdateContainerResourcesResponse>;
  reopenContainerLog(
    req: T.ReopenContainerLogRequest,
    opts?: CriCallOptions,
  ): Promise<T.ReopenContainerLogResponse>;
  /** The deadline is `req.timeout` seconds plus the call timeout; none when `req.timeout` is 0. */
  execSync(req: T.ExecSyncRequest, opts?: CriCallOptions): Promise<T.ExecSyncResponse>;
  /** Returns the URL of the runtime's streaming server for this exec session. */
  exec(req: T.ExecRequest, opts?: CriCallOptions): Promise<T.ExecResponse>;
  /** Returns the URL of the runtime's streaming server for this attach session. */
  attach(req: T.AttachRequest, opts?: CriCallOptions): Promise<T.AttachResponse>;
  /** Returns the URL of the runtime's streaming server for this port-forward session. */
  portForward(req: T.PortForwardRequest, opts?: CriCallOptions): Promise<T.PortForwardResponse>;
  containerStats(req: T.ContainerStatsRequest, opts?: CriCallOptions): Promise<T.ContainerStatsResponse>;
  listContainerStats(
    req?: T.ListContainerStatsRequest,
    opts?: CriCallOptions,
  ): Promise<T.ListContainerStatsResponse>;
  podSandboxStats(req: T.PodSandboxStatsRequest, opts?: CriCallOptions): Promise<T.PodSandboxStatsResponse>;
  listPodSandboxStats(
    req?: T.ListPodSandboxStatsRequest,
    opts?: CriCallOptions,
  ): Promise<T.ListPodSandboxStatsResponse>;
  status(req?: T.StatusRequest, opts?: CriCallOptions): Promise<T.StatusResponse>;
}

/** The image half of the CRI. */
export interface ImageService {
  listImages(req?: T.ListImagesRequest, opts?: CriCallOptions): Promise<T.ListImagesResponse>;
  /** `image` is absent from the answer when the runtime does not have the image. */
  imageStatus(req: T.ImageStatusRequest, opts?: CriCallOptions): Promise<T.ImageStatusResponse>;
  /** No deadline unless `opts.timeoutMs` is given. */
  pullImage(req: T.PullImageRequest, opts?: CriCallOptions): Promise<T.PullImageResponse>;
  removeImage(req: T.RemoveImageRequest, opts?: CriCallOptions): Promise<T.RemoveImageResponse>;
  imageFsInfo(req?: T.ImageFsInfoRequest, opts?: CriCallOptions): Promise<T.ImageFsInfoResponse>;
}

/** A connection to a CRI runtime. */
export interface CriConnection {
  runtime: RuntimeService;
  images: ImageService;
  /** The gRPC target (`unix:///…`). */
  target: string;
  /** Closes the channel; calls in flight fail. */
  close(): void;
}

const status = GrpcStatus;

/** gRPC status codes by number, named as Go's codes package prints them (`NotFound`). */
const CODE_NAMES: Record<number, string> = {
  [status.OK]: 'OK',
  [status.CANCELLED]: 'Canceled',
  [status.UNKNOWN]: 'Unknown',
  [status.INVALID_ARGUMENT]: 'InvalidArgument',
  [status.DEADLINE_EXCEEDED]: 'DeadlineExceeded',
  [status.NOT_FOUND]: 'NotFound',
  [status.ALREADY_EXISTS]: 'AlreadyExists',
  [status.PERMISSION_DENIED]: 'PermissionDenied',
  [status.RESOURCE_EXHAUSTED]: 'ResourceExhausted',
  [status.FAILED_PRECONDITION]: 'FailedPrecondition',
  [status.ABORTED]: 'Aborted',
  [status.OUT_OF_RANGE]: 'OutOfRange',
  [status.UNIMPLEMENTED]: 'Unimplemented',
  [status.INTERNAL]: 'Internal',
  [status.UNAVAILABLE]: 'Unavailable',
  [status.DATA_LOSS]: 'DataLoss',
  [status.UNAUTHENTICATED]: 'Unauthenticated',
};

/** gRPC status codes (`CriCode.NOT_FOUND` …). */
export const CriCode = GrpcStatus;

/**
 * A failed CRI call. `message` reads like the Go client's error text the kubelet shows in events:
 * `rpc error: code = NotFound desc = …`.
 */
export class CriError extends Error {
  override readonly name = 'CriError';
  /** The gRPC status code (see {@link CriCode}). */
  readonly code: number;
  /** Go-style name of the code (`NotFound`). */
  readonly codeName: string;
  /** The runtime's own description. */
  readonly details: string;
  /** The RPC that failed (`RuntimeService/RunPodSandbox`). */
  readonly rpc: string;

  constructor(rpc: string, code: number, details: string) {
    const codeName = CODE_NAMES[code] ?? `Code(${code})`;
    super(`rpc error: code = ${codeName} desc = ${details}`);
    this.code = code;
    this.codeName = codeName;
    this.details = details;
    this.rpc = rpc;
  }
}

/** True when `err` is a CriError with the given code (e.g. `CriCode.NOT_FOUND`). */
export function isCriError(err: unknown, code?: number): err is CriError {
  return err instanceof CriError && (code === undefined || err.code === code);
}

/** True when `err` says the sandbox, container or image does not exist. */
export function isNotFound(err: unknown): boolean {
  return isCriError(err, status.NOT_FOUND);
}

/**
 * The gRPC target of a CRI endpoint: `unix:///run/x.sock` and `unix:relative` are kept, a plain path
 * (absolute or relative to the working directory) becomes `unix:///abs/path`.
 */
export function criTarget(endpoint: string): string {
  if (endpoint.startsWith('unix:')) return endpoint;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint)) {
    throw new Error(`unsupported CRI endpoint ${JSON.stringify(endpoint)}: only unix sockets are supported`);
  }
  if (endpoint === '') throw new Error('empty CRI endpoint');
  return `unix://${path.resolve(endpoint)}`;
}

/** The socket path of a unix target (`unix:///abs` or `unix:rel`). */
function socketPathOf(target: string): string {
  const rest = target.slice('unix:'.length);
  return rest.startsWith('//') ? rest.slice(2) : rest;
}

/** Connects (lazily: the first call dials) to the CRI runtime at `endpoint`. */
export function connectCri(endpoint: string, opts: CriClientOptions = {}): CriConnection {
  const target = criTarget(endpoint);
  const defaultTimeout = opts.timeoutMs ?? 120_000;
  const maxBytes = opts.maxMessageBytes ?? 16 * 1024 * 1024;
  const channel = new UnixChannel(socketPathOf(target), { maxMessageBytes: maxBytes });

  async function call<Res>(
    service: CriServiceName,
    rpc: string,
    req: unknown,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<Res> {
    const method = criMethod(service, rpc);
    const name = `${service}/${rpc}`;
    let bytes: Buffer;
    try {
      bytes = await channel.call(method.path, method.serialize(req ?? {}), timeoutMs, signal);
    } catch (err) {
      throw err instanceof GrpcCallError
        ? new CriError(name, err.code, err.details)
        : new CriError(name, status.UNKNOWN, err instanceof Error ? err.message : String(err));
    }
    try {
      return method.deserialize(bytes) as Res;
    } catch (err) {
      throw new CriError(
        name,
        status.INTERNAL,
        `Response message parsing error: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  const t = (o: CriCallOptions | undefined, fallback = defaultTimeout): number => o?.timeoutMs ?? fallback;
  const withSeconds = (seconds: number | undefined, o: CriCallOptions | undefined): number =>
    o?.timeoutMs ?? (seconds && seconds > 0 ? seconds * 1000 + defaultTimeout : defaultTimeout);
  const rt = <Res>(rpc: string, req: unknown, timeoutMs: number, o?: CriCallOptions) =>
    call<Res>('RuntimeService', rpc, req, timeoutMs, o?.signal);
  const im = <Res>(rpc: string, req: unknown, timeoutMs: number, o?: CriCallOptions) =>
    call<Res>('ImageService', rpc, req, timeoutMs, o?.signal);

  const runtime: RuntimeService = {
    version: (req = { version: 'v1' }, o) => rt('Version', req, t(o), o),
    runPodSandbox: (req, o) => rt('RunPodSandbox', req, t(o), o),
    stopPodSandbox: (req, o) => rt('StopPodSandbox', req, t(o), o),
    removePodSandbox: (req, o) => rt('RemovePodSandbox', req, t(o), o),
    podSandboxStatus: (req, o) => rt('PodSandboxStatus', req, t(o), o),
    listPodSandbox: (req = {}, o) => rt('ListPodSandbox', req, t(o), o),
    createContainer: (req, o) => rt('CreateContainer', req, t(o), o),
    startContainer: (req, o) => rt('StartContainer', req, t(o), o),
    stopContainer: (req, o) => rt('StopContainer', req, withSeconds(req.timeout, o), o),
    removeContainer: (req, o) => rt('RemoveContainer', req, t(o), o),
    listContainers: (req = {}, o) => rt('ListContainers', req, t(o), o),
    containerStatus: (req, o) => rt('ContainerStatus', req, t(o), o),
    updateContainerResources: (req, o) => rt('UpdateContainerResources', req, t(o), o),
    reopenContainerLog: (req, o) => rt('ReopenContainerLog', req, t(o), o),
    execSync: (req, o) =>
      rt('ExecSync', req, req.timeout && req.timeout > 0 ? withSeconds(req.timeout, o) : t(o, 0), o),
    exec: (req, o) => rt('Exec', req, t(o), o),
    attach: (req, o) => rt('Attach', req, t(o), o),
    portForward: (req, o) => rt('PortForward', req, t(o), o),
    containerStats: (req, o) => rt('ContainerStats', req, t(o), o),
    listContainerStats: (req = {}, o) => rt('ListContainerStats', req, t(o), o),
    podSandboxStats: (req, o) => rt('PodSandboxStats', req, t(o), o),
    listPodSandboxStats: (req = {}, o) => rt('ListPodSandboxStats', req, t(o), o),
    status: (req = {}, o) => rt('Status', req, t(o), o),
  };
  const images: ImageService = {
    listImages: (req = {}, o) => im('ListImages', req, t(o), o),
    imageStatus: (req, o) => im('ImageStatus', req, t(o), o),
    pullImage: (req, o) => im('PullImage', req, t(o, 0), o),
    removeImage: (req, o) => im('RemoveImage', req, t(o), o),
    imageFsInfo: (req = {}, o) => im('ImageFsInfo', req, t(o), o),
  };
  return { runtime, images, target, close: () => channel.close() };
}
