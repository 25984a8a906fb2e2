/**
 * Setting up and reading objects over the REST API directly (JSON, admin client certificate), for
 * test fixtures that are not themselves under test, and for checks kubectl would hide.
 */
import { jsonOf, type ApiResponse } from './api.js';
import { preview } from './poll.js';
import { resourceOf, type Obj } from './manifests.js';
import type { TestServer } from './server.js';

/** The collection path of an object's kind, e.g. `/apis/apps/v1/namespaces/ns/deployments`. */
export function collectionPath(apiVersion: string, kind: string, namespace?: string): string {
  const plural = resourceOf(apiVersion, kind).split('.')[0] ?? '';
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return namespace ? `${base}/namespaces/${namespace}/${plural}` : `${base}/${plural}`;
}

/** The path of one object. */
export function objectPath(obj: Obj): string {
  const m = obj['metadata'] as { name: string; namespace?: string };
  return `${collectionPath(String(obj['apiVersion']), String(obj['kind']), m.namespace)}/${m.name}`;
}

function expectStatus(what: string, res: ApiResponse, ...ok: number[]): void {
  if (!ok.includes(res.status)) throw new Error(`${what}: HTTP ${res.status}: ${preview(res.body, 1500)}`);
}

/** POSTs an object; throws unless 201; returns the stored object. */
export async function create<T = Obj>(server: TestServer, obj: Obj): Promise<T> {
  const m = obj['metadata'] as { namespace?: string };
  const path = collectionPath(String(obj['apiVersion']), String(obj['kind']), m.namespace);
  const res = await server.admin.request('POST', path, obj);
  expectStatus(`POST ${path}`, res, 201);
  return jsonOf<T>(res);
}

/** Creates objects in order. */
export async function createAll(server: TestServer, objects: Obj[]): Promise<void> {
  for (const o of objects) await create(server, o);
}

/** Creates a namespace and returns its name. */
export async function createNamespace(server: TestServer, name: string): Promise<string> {
  await create(server, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

/** GETs an object by path; undefined on 404; throws on other errors. */
export async function getPath<T = Obj>(server: TestServer, path: string): Promise<T | undefined> {
  const res = await server.admin.request('GET', path);
  if (res.status === 404) return undefined;
  expectStatus(`GET ${path}`, res, 200);
  return jsonOf<T>(res);
}

/** Sends a merge patch to an object path (or a subresource path); returns the result. */
export async function mergePatch<T = Obj>(server: TestServer, path: string, patch: Obj): Promise<T> {
  const res = await server.admin.request('PATCH', path, patch, {
    contentType: 'application/merge-patch+json',
  });
  expectStatus(`PATCH ${path}`, res, 200);
  return jsonOf<T>(res);
}

/** DELETEs an object path with optional DeleteOptions; accepts 200 and 202. */
export async function remove(server: TestServer, path: string, options?: Obj): Promise<void> {
  const res = await server.admin.request('DELETE', path, options);
  expectStatus(`DELETE ${path}`, res, 200, 202);
}
