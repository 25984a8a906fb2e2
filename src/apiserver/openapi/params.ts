/**
 * The request parameters of the API's operations, described once and shared by the OpenAPI v2 and
 * v3 renderers. Names and types follow the Kubernetes API; the descriptions are our own.
 */

/** A parameter carried in the path or the query string. */
export interface SimpleParam {
  in: 'path' | 'query';
  name: string;
  type: 'string' | 'integer' | 'boolean';
  description: string;
  /** Path parameters are always required. */
  required?: boolean;
}

/** The request body, by the definition it holds. */
export interface BodyParam {
  in: 'body';
  /** The definition name, e.g. `io.k8s.api.core.v1.Pod`. */
  ref: string;
  required: boolean;
}

export type Param = SimpleParam | BodyParam;

const q = (name: string, type: SimpleParam['type'], description: string): SimpleParam => ({
  in: 'query',
  name,
  type,
  description,
});

const path = (name: string, description: string): SimpleParam => ({
  in: 'path',
  name,
  type: 'string',
  description,
  required: true,
});

/** Parameters by name. */
export const P = {
  name: path('name', 'Name of the object.'),
  namespace: path('namespace', 'Namespace of the objects; namespaces scope names for teams and projects.'),
  proxyPath: path('path', 'Path to forward the request to.'),
  pretty: q('pretty', 'string', 'If "true", the response is indented for people to read.'),
  allowWatchBookmarks: q(
    'allowWatchBookmarks',
    'boolean',
    'Asks a watch for BOOKMARK events, which carry only a resourceVersion to resume from. The server decides how often to send them. Ignored unless watching.',
  ),
  continue: q(
    'continue',
    'string',
    'The token from a previous paged list, to fetch the next page with the same query. An expired token is answered with 410 Gone. Not allowed with watch.',
  ),
  fieldSelector: q(
    'fieldSelector',
    'string',
    'Limits the answer to objects whose fields match, such as "metadata.name=web". Default: everything.',
  ),
  labelSelector: q(
    'labelSelector',
    'string',
    'Limits the answer to objects whose labels match, such as "app=web,tier!=db". Default: everything.',
  ),
  limit: q(
    'limit',
    'integer',
    'The most items to return. When more remain, metadata.continue holds the token for the next page; pages of one list form one consistent snapshot. Not allowed with watch.',
  ),
  resourceVersion: q(
    'resourceVersion',
    'string',
    'Which version of the data the request may be served from; see the API concepts documentation. Default: unset (the latest).',
  ),
  resourceVersionMatch: q(
    'resourceVersionMatch',
    'string',
    'How resourceVersion applies to a list: "Exact" or "NotOlderThan". Set it whenever resourceVersion is set on a list. Default: unset.',
  ),
  sendInitialEvents: q(
    'sendInitialEvents',
    'boolean',
    'With watch=true, start the stream with ADDED events for the current objects, then a BOOKMARK annotated "k8s.io/initial-events-end". Requires resourceVersionMatch=NotOlderThan.',
  ),
  timeoutSeconds: q(
    'timeoutSeconds',
    'integer',
    'Ends the list or watch call after this many seconds, whatever happens in between.',
  ),
  watch: q(
    'watch',
    'boolean',
    'Stream changes (ADDED, MODIFIED, DELETED) to the selected objects instead of listing them. Start from a resourceVersion.',
  ),
  dryRun: q(
    'dryRun',
    'string',
    'When "All", the request runs every stage (defaulting, validation, admission) but nothing is persisted. Other values are rejected.',
  ),
  fieldManager: q(
    'fieldManager',
    'string',
    'Name of the actor making the change, recorded in managedFields. At most 128 printable characters.',
  ),
  fieldValidation: q(
    'fieldValidation',
    'string',
    'What to do with unknown or duplicate fields in the body: "Ignore" drops them, "Warn" (the default) drops them with a warning header per field, "Strict" fails the request with 400 Bad Request listing them all.',
  ),
  force: q(
    'force',
    'boolean',
    'For apply patches only: take ownership of fields that other managers own instead of failing with a conflict. Must be unset for other patch types.',
  ),
  gracePeriodSeconds: q(
    'gracePeriodSeconds',
    'integer',
    'Seconds the object may take to shut down before it is removed; 0 removes it at once. Default: the per-kind value.',
  ),
  orphanDependents: q(
    'orphanDependents',
    'boolean',
    'Deprecated in favour of propagationPolicy: if true, dependents are orphaned rather than deleted. Set at most one of the two.',
  ),
  propagationPolicy: q(
    'propagationPolicy',
    'string',
    'How dependents are garbage collected: "Orphan" leaves them, "Background" deletes them after the owner, "Foreground" deletes them before the owner. Set at most one of this and orphanDependents.',
  ),
  // pods/log
  container: q('container', 'string', 'The container to use; may be omitted when the pod has only one.'),
  follow: q('follow', 'boolean', 'Keep the stream open and send new log lines as they are written.'),
  insecureSkipTLSVerifyBackend: q(
    'insecureSkipTLSVerifyBackend',
    'boolean',
    'Do not verify the serving certificate of the node agent that holds the logs.',
  ),
  limitBytes: q('limitBytes', 'integer', 'Stop after this many bytes of log output.'),
  previous: q(
    'previous',
    'boolean',
    'Return the logs of the previous, terminated instance of the container.',
  ),
  sinceSeconds: q('sinceSeconds', 'integer', 'Only log lines written in the last this many seconds.'),
  stream: q('stream', 'string', 'Which stream to return: "All" (the default), "Stdout" or "Stderr".'),
  tailLines: q('tailLines', 'integer', 'Only the last this many lines of the log.'),
  timestamps: q('timestamps', 'boolean', 'Prefix every line with its RFC 3339 timestamp.'),
  // pods/exec, pods/attach
  command: q('command', 'string', 'The command to run; repeat the parameter once per argument.'),
  stdin: q('stdin', 'boolean', 'Attach the standard input stream.'),
  stdout: q('stdout', 'boolean', 'Attach the standard output stream.'),
  stderr: q('stderr', 'boolean', 'Attach the standard error stream.'),
  tty: q('tty', 'boolean', 'Allocate a terminal; standard error is then merged into standard output.'),
  // pods/portforward
  ports: q('ports', 'integer', 'Port of the pod to forward to; repeat the parameter for several ports.'),
  // proxy
  proxyQueryPath: q('path', 'string', 'Path to forward the request to.'),
} as const;

/** The body parameter holding a definition. */
export function body(ref: string, required = true): BodyParam {
  return { in: 'body', ref, required };
}

/** Parameters of list and watch calls. */
export const LIST_PARAMS: readonly SimpleParam[] = [
  P.allowWatchBookmarks,
  P.continue,
  P.fieldSelector,
  P.labelSelector,
  P.limit,
  P.resourceVersion,
  P.resourceVersionMatch,
  P.sendInitialEvents,
  P.timeoutSeconds,
  P.watch,
];

/** Parameters of create, update and patch calls. */
export const WRITE_PARAMS: readonly SimpleParam[] = [P.dryRun, P.fieldManager, P.fieldValidation];

/** Parameters of a delete call. */
export const DELETE_PARAMS: readonly SimpleParam[] = [
  P.dryRun,
  P.gracePeriodSeconds,
  P.orphanDependents,
  P.propagationPolicy,
];

/** Parameters of a delete-collection call: the delete options plus the list selection. */
export const DELETE_COLLECTION_PARAMS: readonly SimpleParam[] = [
  ...DELETE_PARAMS,
  ...LIST_PARAMS.filter((p) => p.name !== 'watch' && p.name !== 'allowWatchBookmarks'),
];

/** Parameters of pods/log. */
export const LOG_PARAMS: readonly SimpleParam[] = [
  P.container,
  P.follow,
  P.insecureSkipTLSVerifyBackend,
  P.limitBytes,
  P.previous,
  P.sinceSeconds,
  P.stream,
  P.tailLines,
  P.timestamps,
];

/** Parameters of pods/exec. */
export const EXEC_PARAMS: readonly SimpleParam[] = [
  P.command,
  P.container,
  P.stderr,
  P.stdin,
  P.stdout,
  P.tty,
];

/** Parameters of pods/attach. */
export const ATTACH_PARAMS: readonly SimpleParam[] = [P.container, P.stderr, P.stdin, P.stdout, P.tty];
