/**
 * The node agent's Ingress controller: watches Ingresses, IngressClasses, Services, EndpointSlices
 * and TLS Secrets, computes the data path ({@link buildModel}) after every burst of changes, and
 * hands it to HAProxy ({@link HaproxyProcess}) listening on the node's ports 80 and 443. Problems of
 * one Ingress (missing Service or Secret, bad certificate) become Warning events on that Ingress;
 * every other route keeps working. See README.md for why HAProxy and the routing semantics.
 */
import { availableParallelism } from 'node:os';
import type { Secret, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Ingress, IngressClass } from 'kubernetes-types/networking/v1.js';
import { EventRecorder } from '../../client/events.js';
import { createInformer } from '../../client/informer.js';
import { ENDPOINTSLICES, INGRESSCLASSES, INGRESSES, SECRETS, SERVICES } from '../../client/resources.js';
import type { ApiObject, Client, Informer } from '../../client/types.js';
import type { Logger } from '../../util/log.js';
import { accessLogShape, type AccessLogTarget } from './access-log.js';
import { defaultCertificatePem } from './default-cert.js';
import { renderHaproxyConfig, slotsFor } from './haproxy-config.js';
import { HaproxyProcess } from './haproxy-process.js';
import { buildModel, type IngressModel, type Problem } from './model.js';
import { initialSlots, planRuntimeUpdate, structureKey, type SlotState } from './runtime.js';

/** The objects the controller caches. */
export type IngressObject = Ingress & ApiObject;
/** @see IngressObject */
export type ClassObject = IngressClass & ApiObject;
/** @see IngressObject */
export type ServiceObject = Service & ApiObject;
/** @see IngressObject */
export type SliceObject = EndpointSlice & ApiObject;
/** @see IngressObject */
export type SecretObject = Secret & ApiObject;

/** The Secrets the controller watches (field selector). */
export const TLS_SECRETS = 'type=kubernetes.io/tls';

/** Where the data path listens. */
export interface IngressListen {
  /** Address to bind (default `0.0.0.0`: every address of the node). */
  host?: string;
  httpPort?: number;
  httpsPort?: number;
}

/** Options of {@link IngressController}. */
export interface IngressControllerOptions {
  client: Client;
  nodeName: string;
  listen?: IngressListen;
  logger: Logger;
  /**
   * Runtime directory for HAProxy's configuration, the TLS keys of referenced Secrets and its admin
   * socket (created 0700; default `/run/k8ts/ingress/<nodeName>`). No whitespace or quotes.
   */
  runDir?: string;
  /** The haproxy binary (default `haproxy` on PATH). */
  haproxyBinary?: string;
  /** Quiet time after a change before the data path is recomputed (default 100 ms). */
  debounceMs?: number;
  /**
   * One log line per request (default true), written by HAProxy itself in the shape of `logger`'s
   * lines (none when `logger` does not log `info`).
   */
  accessLog?: boolean;
  /** Where the access-log lines go (default `{ fd: 1 }`: the agent's stdout, as its own lines). */
  accessLogTo?: AccessLogTarget;
  /** Record Warning events on Ingresses with problems (default true). */
  events?: boolean;
  /**
   * HAProxy worker threads (default: half the CPUs, at least one: the node's pods need the rest, and
   * on a busy 2-CPU machine one thread spends less CPU per request than two).
   */
  threads?: number;
  /**
   * Informers shared with other parts of the agent (src/client/shared-informers.ts), each used in
   * place of the controller's own; the Secrets one must select `type=kubernetes.io/tls`, and every
   * transform must keep the fields the data path reads (all but metadata managedFields is safe).
   */
  informers?: Partial<IngressInformers>;
}

/** The collections the Ingress controller watches. */
export interface IngressInformers {
  ingresses: Informer<IngressObject>;
  classes: Informer<ClassObject>;
  services: Informer<ServiceObject>;
  slices: Informer<SliceObject>;
  secrets: Informer<SecretObject>;
}

/** Runs the Ingress data path of one node. */
export class IngressController {
  private readonly abort = new AbortController();
  private readonly ingresses: Informer<IngressObject>;
  private readonly classes: Informer<ClassObject>;
  private readonly services: Informer<ServiceObject>;
  private readonly slices: Informer<SliceObject>;
  private readonly secrets: Informer<SecretObject>;
  private readonly proxy: HaproxyProcess;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly listen: Required<IngressListen>;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private dirty = false;
  private started = false;
  private reported = new Set<string>();
  private lastModel: IngressModel | undefined;
  /** Endpoints in HAProxy's server slots since the last reload (undefined: reload next time). */
  private slots: SlotState | undefined;
  private syncCount = 0;

  constructor(private readonly opts: IngressControllerOptions) {
    this.log = opts.logger;
    this.listen = {
      host: opts.listen?.host ?? '0.0.0.0',
      httpPort: opts.listen?.httpPort ?? 80,
      httpsPort: opts.listen?.httpsPort ?? 443,
    };
    const informerLog = opts.logger;
    const shared = opts.informers ?? {};
    const dropManagedFields = <T extends ApiObject>(o: T): T => {
      delete o.metadata.managedFields;
      return o;
    };
    this.ingresses =
      shared.ingresses ?? createInformer<IngressObject>(opts.client, INGRESSES, { logger: informerLog });
    this.classes =
      shared.classes ?? createInformer<ClassObject>(opts.client, INGRESSCLASSES, { logger: informerLog });
    // Only the ports and type of Services are read.
    this.services =
      shared.services ??
      createInformer<ServiceObject>(opts.client, SERVICES, {
        logger: informerLog,
        transform: dropManagedFields,
      });
    this.slices =
      shared.slices ??
      createInformer<SliceObject>(opts.client, ENDPOINTSLICES, {
        logger: informerLog,
        transform: dropManagedFields,
      });
    this.secrets =
      shared.secrets ??
      createInformer<SecretObject>(opts.client, SECRETS, {
        logger: informerLog,
        fieldSelector: TLS_SECRETS,
        transform: dropManagedFields,
      });
    this.proxy = new HaproxyProcess({
      binary: opts.haproxyBinary,
      dir: opts.runDir ?? `/run/k8ts/ingress/${opts.nodeName}`,
      logger: opts.logger,
      ...(opts.accessLogTo ? { accessLog: opts.accessLogTo } : {}),
    });
    this.proxy.onRestart = () => {
      // A restarted HAProxy runs the file's endpoints: render everything again.
      this.slots = undefined;
      this.schedule();
    };
    this.recorder = new EventRecorder(opts.client, opts.nodeName, opts.logger, undefined, 'k8ts-ingress');
  }

  /** Starts watching, and resolves once the proxy serves the first complete data path. */
  async start(): Promise<void> {
    if (this.started) throw new Error('IngressController already started');
    this.started = true;
    const signal = this.abort.signal;
    const informers: Informer<ApiObject>[] = [
      this.ingresses,
      this.classes,
      this.services,
      this.slices,
      this.secrets,
    ] as Informer<ApiObject>[];
    const certPem = await defaultCertificatePem();
    await this.proxy.prepare(certPem);
    for (const inf of informers) inf.start(signal);
    await Promise.all(informers.map((inf) => inf.waitForSync(signal)));
    await this.sync();
    if (!this.proxy.running())
      throw new Error(
        `ingress proxy did not start on ${this.listen.host} ports ${this.listen.httpPort}/${this.listen.httpsPort} (see the log above)`,
      );
    const onChange = {
      add: () => this.schedule(),
      update: () => this.schedule(),
      delete: () => this.schedule(),
    };
    for (const inf of informers) inf.addHandlers(onChange);
    this.log.info({ ...this.listen }, 'ingress data path serving');
  }

  /** Stops watching and stops the proxy. */
  async stop(): Promise<void> {
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    await this.syncing?.catch(() => undefined);
    await this.proxy.stop();
  }

  /** The data path last applied (tests, diagnostics). */
  model(): IngressModel | undefined {
    return this.lastModel;
  }

  /**
   * True when the data path HAProxy runs sends new requests to `ip`: a server slot enabled for that
   * address (slots in maintenance only finish their open connections), or, before the first runtime
   * update, a server of the configuration last loaded. The kubelet waits for false before it stops a
   * deleted pod.
   */
  routes(ip: string): boolean {
    const prefix = ip.includes(':') ? `[${ip}]:` : `${ip}:`;
    if (this.slots) {
      for (const row of this.slots.slots.values())
        for (const ep of row) if (ep?.startsWith(prefix)) return true;
      return false;
    }
    return this.lastModel?.backends.some((b) => b.servers.some((s) => s.address === ip)) ?? false;
  }

  /** PID of the HAProxy master (benchmarks read its memory). */
  proxyPid(): number | undefined {
    return this.proxy.pid();
  }

  /** Number of data-path computations so far (tests poll it). */
  syncs(): number {
    return this.syncCount;
  }

  private schedule(): void {
    if (this.abort.signal.aborted) return;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runSync();
    }, this.opts.debounceMs ?? 100);
  }

  private async runSync(): Promise<void> {
    if (this.syncing) {
      this.dirty = true;
      return;
    }
    try {
      await this.sync();
    } catch (err) {
      this.log.error({ err }, 'ingress data path sync failed');
    }
    if (this.dirty) {
      this.dirty = false;
      this.schedule();
    }
  }

  private async sync(): Promise<void> {
    const run = async (): Promise<void> => {
      const model = buildModel({
        ingresses: this.ingresses.list(),
        classes: this.classes.list(),
        services: this.services.list(),
        slices: this.slices.list(),
        secret: (key) => this.secrets.get(key),
      });
      this.reportProblems(model.problems);
      const threads = this.opts.threads ?? Math.max(1, Math.floor(availableParallelism() / 2));
      const extra = JSON.stringify([this.listen, threads, this.opts.accessLog]);
      // Endpoint changes only: rewrite server slots through the admin socket, no reload.
      if (this.slots && this.proxy.running()) {
        const counts = new Map([...this.slots.slots].map(([name, row]) => [name, row.length]));
        if (structureKey(model, counts, extra) === this.slots.key) {
          const plan = planRuntimeUpdate(this.slots, model);
          if (plan) {
            try {
              await this.proxy.runtime(plan.commands);
              if (plan.commands.length > 0) this.proxy.invalidate();
              this.slots = plan.next;
              this.lastModel = model;
              this.syncCount++;
              if (plan.commands.length > 0)
                this.log.debug(
                  { commands: plan.commands.length },
                  'ingress endpoints updated without a reload',
                );
              return;
            } catch (err) {
              this.log.warn({ err }, 'updating ingress endpoints through the admin socket failed; reloading');
            }
          }
        }
      }
      const counts = new Map(model.backends.map((b) => [b.name, slotsFor(b.servers.length)]));
      const paths = this.proxy.nextRenderPaths();
      const rendered = renderHaproxyConfig(model, {
        ...this.listen,
        ...paths,
        accessLog: this.opts.accessLog === false ? false : accessLogShape(this.log),
        threads,
        slots: counts,
      });
      const ok = await this.proxy.apply(rendered, paths.dir);
      if (ok) {
        this.lastModel = model;
        this.slots = initialSlots(model, counts, structureKey(model, counts, extra));
      } else {
        this.slots = undefined;
      }
      this.syncCount++;
    };
    this.syncing = run();
    try {
      await this.syncing;
    } finally {
      this.syncing = undefined;
    }
  }

  private reportProblems(problems: Problem[]): void {
    const now = new Set<string>();
    for (const p of problems) {
      const id = `${p.ingress}\0${p.reason}\0${p.message}`;
      now.add(id);
      if (this.reported.has(id)) continue;
      this.log.warn({ ingress: p.ingress, reason: p.reason }, p.message);
      if (this.opts.events === false) continue;
      const [namespace, name] = p.ingress.split('/');
      const ing = this.ingresses.get(p.ingress);
      void this.recorder.record(
        {
          kind: 'Ingress',
          apiVersion: 'networking.k8s.io/v1',
          namespace,
          name: name ?? '',
          uid: ing?.metadata.uid,
        },
        'Warning',
        p.reason,
        p.message,
      );
    }
    this.reported = now;
  }
}
