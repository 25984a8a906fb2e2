/**
 * Small helpers shared by the core/v1 schema modules: definition names, top-level kinds with the
 * standard apiVersion/kind/metadata fields, their List kinds, and the enum value sets used by more
 * than one type.
 */
import type { GroupVersionKind } from '../meta.js';
import { CORE, list, obj, p, t } from '../schema/dsl.js';
import type { ObjOptions } from '../schema/dsl.js';
import type { Definition, Property, Schema } from '../schema/types.js';

/** The full definition name of a core/v1 type: `io.k8s.api.core.v1.<name>`. */
export const c = (name: string): string => CORE + name;

/** A reference to a core/v1 type, for array items and map values. */
export const cref = (name: string): Schema => t.ref(CORE + name);

/** The GVK of a core/v1 kind. */
export const coreGvk = (kind: string): GroupVersionKind => ({ group: '', version: 'v1', kind });

/** A top-level core/v1 kind: apiVersion, kind and metadata come first, then its own fields. */
export function coreKind(
  kind: string,
  description: string,
  properties: Record<string, Property>,
  opts?: ObjOptions,
): Definition {
  return obj(
    c(kind),
    description,
    { apiVersion: p.apiVersion(), kind: p.kind(), metadata: p.metadata(), ...properties },
    { ...opts, gvk: [coreGvk(kind)] },
  );
}

/** The `<Kind>List` kind of a core/v1 kind. */
export function coreList(kind: string, description?: string): Definition {
  return list(c(kind), coreGvk(`${kind}List`), description);
}

/** A map of resource name to Quantity, as `ResourceList` is on the wire. */
export const resourceList = (description: string): Property => p.map(t.quantity, description);

/** Network protocols of ports. */
export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
/** When the kubelet pulls an image. */
export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
/** Effects a taint has on pods that do not tolerate it. */
export const TAINT_EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'] as const;
/** Ways a persistent volume can be mounted. */
export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'] as const;
/** Whether a volume carries a filesystem or is a raw block device. */
export const VOLUME_MODES = ['Block', 'Filesystem'] as const;
/** Policies for taking topology-spread decisions into account. */
export const NODE_INCLUSION_POLICIES = ['Honor', 'Ignore'] as const;

/** Signals a container may be stopped with (Lifecycle.stopSignal). */
export const SIGNALS: readonly string[] = [
  'SIGABRT',
  'SIGALRM',
  'SIGBUS',
  'SIGCHLD',
  'SIGCLD',
  'SIGCONT',
  'SIGFPE',
  'SIGHUP',
  'SIGILL',
  'SIGINT',
  'SIGIO',
  'SIGIOT',
  'SIGKILL',
  'SIGPIPE',
  'SIGPOLL',
  'SIGPROF',
  'SIGPWR',
  'SIGQUIT',
  'SIGSEGV',
  'SIGSTKFLT',
  'SIGSTOP',
  'SIGSYS',
  'SIGTERM',
  'SIGTRAP',
  'SIGTSTP',
  'SIGTTIN',
  'SIGTTOU',
  'SIGURG',
  'SIGUSR1',
  'SIGUSR2',
  'SIGVTALRM',
  'SIGWINCH',
  'SIGXCPU',
  'SIGXFSZ',
  'SIGRTMIN',
  ...Array.from({ length: 15 }, (_, i) => `SIGRTMIN+${i + 1}`),
  ...Array.from({ length: 14 }, (_, i) => `SIGRTMAX-${14 - i}`),
  'SIGRTMAX',
];
