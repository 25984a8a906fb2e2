/**
 * The served HTTP operations, derived from the resource catalog: one {@link PathEntry} per URL
 * template with its operations, parameters and response kinds. The OpenAPI v2 and v3 renderers
 * both read this one model.
 */
import type { GroupVersion, GroupVersionKind } from '../../api/meta.js';
import { RESOURCES, servedGroups, type ResourceType } from '../../api/resources.js';
import { definitions } from '../../api/types/index.js';
import { PATCH_TYPES } from '../handlers/write.js';
import { capitalize, gvDocKey, gvPascal, gvPrefix, gvTag, groupPascal, groupTag } from './names.js';
import {
  ATTACH_PARAMS,
  body,
  DELETE_COLLECTION_PARAMS,
  DELETE_PARAMS,
  EXEC_PARAMS,
  LIST_PARAMS,
  LOG_PARAMS,
  P,
  WRITE_PARAMS,
  type Param,
  type SimpleParam,
} from './params.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const STATUS = META + 'Status';
const DELETE_OPTIONS = META + 'DeleteOptions';
const WATCH_EVENT = META + 'WatchEvent';
const PATCH = META + 'Patch';
const SCALE = 'io.k8s.api.autoscaling.v1.Scale';

export type Method = 'get' | 'put' | 'post' | 'delete' | 'patch' | 'head' | 'options';

/** `x-kubernetes-action`. */
export type Action =
  | 'get'
  | 'list'
  | 'put'
  | 'patch'
  | 'post'
  | 'delete'
  | 'deletecollection'
  | 'watch'
  | 'watchlist'
  | 'connect';

/** A response body: a definition, or plain text. */
export type ResponseBody = { ref: string } | { type: 'string' };

export interface Response {
  code: 200 | 201 | 202 | 401;
  body?: ResponseBody;
}

export interface Operation {
  method: Method;
  operationId: string;
  description: string;
  tag: string;
  action?: Action;
  gvk?: GroupVersionKind;
  /** Every parameter of the operation, before shared ones are moved to the path. */
  params: readonly Param[];
  consumes: readonly string[];
  produces: readonly string[];
  responses: readonly Response[];
}

export interface PathEntry {
  /** The URL template, e.g. `/api/v1/namespaces/{namespace}/pods/{name}`. */
  path: string;
  /** The OpenAPI v3 document this path belongs to: `api/v1`, `apis/apps`, `version`. */
  docKey: string;
  operations: Operation[];
}

/** The description of a response code, as OpenAPI documents spell it. */
export const RESPONSE_TEXT: Record<Response['code'], string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  401: 'Unauthorized',
};

const JSON_YAML = ['application/json', 'application/yaml'] as const;
const WATCHABLE = [...JSON_YAML, 'application/json;stream=watch'] as const;
const ANY = ['*/*'] as const;
const TEXT = ['text/plain', ...JSON_YAML] as const;

const ok = (ref: string): Response[] => [{ code: 200, body: { ref } }, { code: 401 }];
const created = (ref: string): Response[] => [
  { code: 200, body: { ref } },
  { code: 201, body: { ref } },
  { code: 202, body: { ref } },
  { code: 401 },
];
const replaced = (ref: string): Response[] => [
  { code: 200, body: { ref } },
  { code: 201, body: { ref } },
  { code: 401 },
];
const text: Response[] = [{ code: 200, body: { type: 'string' } }, { code: 401 }];

/** Everything an operation builder needs to know about the resource it describes. */
interface Ctx {
  res: ResourceType;
  gv: GroupVersion;
  tag: string;
  /** `CoreV1`. */
  id: string;
  /** `Namespaced` or ''. */
  ns: string;
  gvk: GroupVersionKind;
  def: string;
  docKey: string;
}

function op(c: Ctx, o: Omit<Operation, 'tag'> & { tag?: string }): Operation {
  return { tag: c.tag, ...o };
}

function read(c: Ctx, verbName: string, suffix: string, what: string, ref: string, gvk = c.gvk): Operation {
  return op(c, {
    method: 'get',
    operationId: `${verbName}${c.id}${c.ns}${c.res.kind}${suffix}`,
    description: `Read ${what}.`,
    action: 'get',
    gvk,
    params: [],
    consumes: ANY,
    produces: JSON_YAML,
    responses: ok(ref),
  });
}

function replace(c: Ctx, suffix: string, what: string, ref: string, gvk = c.gvk): Operation {
  return op(c, {
    method: 'put',
    operationId: `replace${c.id}${c.ns}${c.res.kind}${suffix}`,
    description: `Replace ${what}.`,
    action: 'put',
    gvk,
    params: [body(ref), ...WRITE_PARAMS],
    consumes: ANY,
    produces: JSON_YAML,
    responses: replaced(ref),
  });
}

function patch(c: Ctx, suffix: string, what: string, ref: string, gvk = c.gvk): Operation {
  return op(c, {
    method: 'patch',
    operationId: `patch${c.id}${c.ns}${c.res.kind}${suffix}`,
    description: `Partially update ${what} with a JSON patch, merge patch or strategic merge patch.`,
    action: 'patch',
    gvk,
    params: [body(PATCH), ...WRITE_PARAMS, P.force],
    consumes: PATCH_TYPES,
    produces: JSON_YAML,
    responses: replaced(ref),
  });
}

function create(c: Ctx, suffix: string, what: string, ref: string, gvk = c.gvk): Operation {
  return op(c, {
    method: 'post',
    operationId: `create${c.id}${c.ns}${c.res.kind}${suffix}`,
    description: `Create ${what}.`,
    action: 'post',
    gvk,
    params: [body(ref), ...WRITE_PARAMS],
    consumes: ANY,
    produces: JSON_YAML,
    responses: created(ref),
  });
}

function has(res: ResourceType, verb: string): boolean {
  return (res.verbs as readonly string[]).includes(verb);
}

/** The collection, item and watch paths of one resource. */
function mainPaths(c: Ctx): PathEntry[] {
  const { res, gv } = c;
  const prefix = gvPrefix(gv);
  const nsSeg = res.namespaced ? '/namespaces/{namespace}' : '';
  const nsParams: SimpleParam[] = res.namespaced ? [P.namespace] : [];
  const kind = res.kind;
  const out: PathEntry[] = [];
  const collection: Operation[] = [];
  const common = [...nsParams, P.pretty];
  if (has(res, 'deletecollection'))
    collection.push(
      op(c, {
        method: 'delete',
        operationId: `delete${c.id}Collection${c.ns}${kind}`,
        description: `Delete a collection of ${kind} objects.`,
        action: 'deletecollection',
        gvk: c.gvk,
        params: [...common, body(DELETE_OPTIONS, false), ...DELETE_COLLECTION_PARAMS],
        consumes: ANY,
        produces: JSON_YAML,
        responses: ok(STATUS),
      }),
    );
  if (has(res, 'list'))
    collection.push(
      op(c, {
        method: 'get',
        operationId: `list${c.id}${c.ns}${kind}`,
        description: `List or watch ${kind} objects.`,
        action: 'list',
        gvk: c.gvk,
        params: [...common, ...LIST_PARAMS],
        consumes: ANY,
        produces: WATCHABLE,
        responses: ok(`${c.def}List`),
      }),
    );
  if (has(res, 'create')) {
    const o = create(c, '', `a ${kind}`, c.def);
    collection.push({ ...o, params: [...common, ...o.params] });
  }
  if (collection.length)
    out.push({ path: `${prefix}${nsSeg}/${res.plural}`, docKey: c.docKey, operations: collection });

  const item: Operation[] = [];
  const itemCommon = [P.name, ...nsParams, P.pretty];
  const withItem = (o: Operation): Operation => ({ ...o, params: [...itemCommon, ...o.params] });
  if (has(res, 'delete'))
    item.push(
      op(c, {
        method: 'delete',
        operationId: `delete${c.id}${c.ns}${kind}`,
        description: `Delete a ${kind}.`,
        action: 'delete',
        gvk: c.gvk,
        params: [...itemCommon, body(DELETE_OPTIONS, false), ...DELETE_PARAMS],
        consumes: ANY,
        produces: JSON_YAML,
        responses: [{ code: 200, body: { ref: STATUS } }, { code: 202, body: { ref: c.def } }, { code: 401 }],
      }),
    );
  if (has(res, 'get')) item.push(withItem(read(c, 'read', '', `the named ${kind}`, c.def)));
  if (has(res, 'patch')) item.push(withItem(patch(c, '', `the named ${kind}`, c.def)));
  if (has(res, 'update')) item.push(withItem(replace(c, '', `the named ${kind}`, c.def)));
  if (item.length)
    out.push({ path: `${prefix}${nsSeg}/${res.plural}/{name}`, docKey: c.docKey, operations: item });

  if (res.namespaced && has(res, 'list'))
    out.push({
      path: `${prefix}/${res.plural}`,
      docKey: c.docKey,
      operations: [
        op(c, {
          method: 'get',
          operationId: `list${c.id}${kind}ForAllNamespaces`,
          description: `List or watch ${kind} objects across all namespaces.`,
          action: 'list',
          gvk: c.gvk,
          params: [P.pretty, ...LIST_PARAMS],
          consumes: ANY,
          produces: WATCHABLE,
          responses: ok(`${c.def}List`),
        }),
      ],
    });

  if (has(res, 'watch')) {
    const watch = (path: string, operationId: string, action: Action, description: string, params: Param[]) =>
      out.push({
        path,
        docKey: c.docKey,
        operations: [
          op(c, {
            method: 'get',
            operationId,
            description,
            action,
            gvk: c.gvk,
            params: [...params, P.pretty, ...LIST_PARAMS],
            consumes: ANY,
            produces: WATCHABLE,
            responses: ok(WATCH_EVENT),
          }),
        ],
      });
    const old = 'Deprecated: use the watch parameter of the list operation instead';
    watch(
      `${prefix}/watch${nsSeg}/${res.plural}`,
      `watch${c.id}${c.ns}${kind}List`,
      'watchlist',
      `Watch changes to ${kind} objects. ${old}.`,
      nsParams,
    );
    watch(
      `${prefix}/watch${nsSeg}/${res.plural}/{name}`,
      `watch${c.id}${c.ns}${kind}`,
      'watch',
      `Watch changes to one ${kind}. ${old}, with a fieldSelector on metadata.name.`,
      [P.name, ...nsParams],
    );
    if (res.namespaced)
      watch(
        `${prefix}/watch/${res.plural}`,
        `watch${c.id}${kind}ListForAllNamespaces`,
        'watchlist',
        `Watch changes to ${kind} objects across all namespaces. ${old}.`,
        [],
      );
  }
  return out;
}

const METHOD_OF_VERB: Record<string, Method> = {
  create: 'post',
  delete: 'delete',
  get: 'get',
  patch: 'patch',
  update: 'put',
};

/** The `/{name}/{sub}` paths of one resource: status, scale and the catalog's subresources. */
function subresourcePaths(c: Ctx): PathEntry[] {
  const { res, gv } = c;
  const prefix = gvPrefix(gv);
  const nsSeg = res.namespaced ? '/namespaces/{namespace}' : '';
  const item = `${prefix}${nsSeg}/${res.plural}/{name}`;
  const common: SimpleParam[] = [P.name, ...(res.namespaced ? [P.namespace] : []), P.pretty];
  const withCommon = (o: Operation): Operation => ({ ...o, params: [...common, ...o.params] });
  const out: PathEntry[] = [];
  const add = (sub: string, ops: Operation[]): void => {
    if (ops.length) out.push({ path: `${item}/${sub}`, docKey: c.docKey, operations: ops.map(withCommon) });
  };
  const kind = res.kind;
  if (res.status)
    add('status', [
      read(c, 'read', 'Status', `the status of the named ${kind}`, c.def),
      patch(c, 'Status', `the status of the named ${kind}`, c.def),
      replace(c, 'Status', `the status of the named ${kind}`, c.def),
    ]);
  if (res.scale) {
    const scaleGvk = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
    add('scale', [
      read(c, 'read', 'Scale', `the scale of the named ${kind}`, SCALE, scaleGvk),
      patch(c, 'Scale', `the scale of the named ${kind}`, SCALE, scaleGvk),
      replace(c, 'Scale', `the scale of the named ${kind}`, SCALE, scaleGvk),
    ]);
  }
  for (const [sub, s] of Object.entries(res.subresources ?? {})) {
    const gvk = { group: s.group ?? res.group, version: s.version ?? res.version, kind: s.kind };
    const suffix = capitalize(sub);
    if (sub === 'log') {
      add(sub, [
        op(c, {
          method: 'get',
          operationId: `read${c.id}${c.ns}${kind}Log`,
          description: `Read the log of a container of the named ${kind}.`,
          action: 'get',
          gvk,
          params: LOG_PARAMS,
          consumes: ANY,
          produces: TEXT,
          responses: text,
        }),
      ]);
      continue;
    }
    if (s.kind.endsWith('Options')) {
      // Streaming and proxy subresources: the request is handed to a connection, not decoded.
      const params = sub === 'exec' ? EXEC_PARAMS : sub === 'attach' ? ATTACH_PARAMS : [];
      const connect = (m: Method, withPath: boolean): Operation =>
        op(c, {
          method: m,
          operationId: `connect${c.id}${capitalize(m)}${c.ns}${kind}${suffix}${withPath ? 'WithPath' : ''}`,
          description: `Connect ${m.toUpperCase()} requests to the ${sub} subresource of the named ${kind}.`,
          action: 'connect',
          gvk,
          params:
            sub === 'portforward'
              ? [P.ports]
              : sub === 'proxy'
                ? withPath
                  ? [P.proxyPath, P.proxyQueryPath]
                  : [P.proxyQueryPath]
                : params,
          consumes: ANY,
          produces: ANY,
          responses: text,
        });
      const methods = [...new Set(s.verbs.map((v) => METHOD_OF_VERB[v]).filter((m) => m !== undefined))];
      const plain = methods.map((m) => connect(m, false));
      // Connect operations carry no `pretty`.
      if (plain.length)
        out.push({
          path: `${item}/${sub}`,
          docKey: c.docKey,
          operations: plain.map((o) => ({
            ...o,
            params: [...common.filter((p) => p !== P.pretty), ...o.params],
          })),
        });
      if (sub === 'proxy' && methods.length)
        out.push({
          path: `${item}/${sub}/{path}`,
          docKey: c.docKey,
          operations: methods.map((m) => {
            const o = connect(m, true);
            return { ...o, params: [...common.filter((p) => p !== P.pretty), ...o.params] };
          }),
        });
      continue;
    }
    const def = definitions.forKind(gvk)?.name;
    if (!def) continue;
    const what = `the ${sub} of the named ${kind}`;
    const ops: Operation[] = [];
    for (const v of s.verbs) {
      if (v === 'get') ops.push(read(c, 'read', suffix, what, def, gvk));
      else if (v === 'patch') ops.push(patch(c, suffix, what, def, gvk));
      else if (v === 'update') ops.push(replace(c, suffix, what, def, gvk));
      else if (v === 'create') ops.push(create(c, suffix, `a ${sub} of a ${kind}`, def, gvk));
    }
    add(sub, ops);
  }
  return out;
}

function contextOf(res: ResourceType): Ctx {
  const gv = { group: res.group, version: res.version };
  return {
    res,
    gv,
    tag: gvTag(gv),
    id: gvPascal(gv),
    ns: res.namespaced ? 'Namespaced' : '',
    gvk: { group: res.group, version: res.version, kind: res.kind },
    def: res.definition,
    docKey: gvDocKey(gv),
  };
}

/** The discovery endpoints: `/api/`, `/apis/`, each group's and each group version's, and `/version/`. */
function discoveryPaths(): PathEntry[] {
  const simple = (
    path: string,
    docKey: string,
    operationId: string,
    description: string,
    tag: string,
    ref: string,
  ) => ({
    path,
    docKey,
    operations: [
      {
        method: 'get' as const,
        operationId,
        description,
        tag,
        params: [],
        consumes: ['application/json', 'application/yaml'],
        produces: JSON_YAML,
        responses: ok(ref),
      },
    ],
  });
  const out: PathEntry[] = [
    simple(
      '/api/',
      'api',
      'getCoreAPIVersions',
      'List the versions of the core API.',
      'core',
      META + 'APIVersions',
    ),
    simple(
      '/apis/',
      'apis',
      'getAPIVersions',
      'List the API groups and their versions.',
      'apis',
      META + 'APIGroupList',
    ),
    simple(
      '/version/',
      'version',
      'getCodeVersion',
      'Read the version of the server.',
      'version',
      'io.k8s.apimachinery.pkg.version.Info',
    ),
  ];
  for (const { group, versions } of servedGroups()) {
    if (group !== '')
      out.push(
        simple(
          `/apis/${group}/`,
          `apis/${group}`,
          `get${groupPascal(group)}APIGroup`,
          `Describe the ${group} API group.`,
          groupTag(group),
          META + 'APIGroup',
        ),
      );
    for (const version of versions) {
      const gv = { group, version };
      out.push(
        simple(
          `${gvPrefix(gv)}/`,
          gvDocKey(gv),
          `get${gvPascal(gv)}APIResources`,
          `List the resources of ${group === '' ? version : `${group}/${version}`}.`,
          gvTag(gv),
          META + 'APIResourceList',
        ),
      );
    }
  }
  return out;
}

/** Every served path, sorted by URL template. */
export function apiPaths(): PathEntry[] {
  const out = discoveryPaths();
  for (const res of RESOURCES) {
    const c = contextOf(res);
    out.push(...mainPaths(c), ...subresourcePaths(c));
  }
  const seen = new Set<string>();
  for (const p of out) {
    if (seen.has(p.path)) throw new Error(`OpenAPI: path ${p.path} generated twice`);
    seen.add(p.path);
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The key of a parameter: where it is and its name. */
export function paramKey(p: Param): string {
  return p.in === 'body' ? 'body' : `${p.in}:${p.name}`;
}

/**
 * Splits the parameters of a path's operations as upstream does: those every operation has (except
 * the body) move to the path; the rest stay with their operation. Both lists are sorted by name.
 */
export function splitParams(entry: PathEntry): { shared: Param[]; perOperation: Param[][] } {
  const counts = new Map<string, number>();
  for (const o of entry.operations)
    for (const p of new Set(o.params.map(paramKey))) counts.set(p, (counts.get(p) ?? 0) + 1);
  const n = entry.operations.length;
  const isShared = (p: Param): boolean => p.in !== 'body' && counts.get(paramKey(p)) === n;
  const byName = (a: Param, b: Param): number => {
    const an = a.in === 'body' ? 'body' : a.name;
    const bn = b.in === 'body' ? 'body' : b.name;
    return an < bn ? -1 : an > bn ? 1 : a.in < b.in ? -1 : a.in > b.in ? 1 : 0;
  };
  const first = entry.operations[0];
  const shared = first ? first.params.filter(isShared).sort(byName) : [];
  const perOperation = entry.operations.map((o) => o.params.filter((p) => !isShared(p)).sort(byName));
  return { shared, perOperation };
}

/** Definition names a schema reference set starts from: every body and response of the given paths. */
export function referencedDefinitions(paths: readonly PathEntry[]): Set<string> {
  const out = new Set<string>();
  for (const e of paths)
    for (const o of e.operations) {
      for (const p of o.params) if (p.in === 'body') out.add(p.ref);
      for (const r of o.responses) if (r.body && 'ref' in r.body) out.add(r.body.ref);
    }
  return out;
}
