/**
 * A workaround for a cost inside Node 20's HTTP/2 client: every `ClientHttp2Session.request()`
 * creates an `AsyncResource` and calls its `bind()`, and Node 20's `bind()` wraps the getter and
 * setter of the bound function's deprecated `asyncResource` property in two fresh `util.deprecate()`
 * wrappers. Each of those sets a new function's prototype to another new function, which makes V8
 * build new hidden classes every time: about 12 µs per request on the build VM (53k of the ~600k
 * instructions an etcd-backed create costs), for a property nothing reads.
 *
 * {@link withLeanAsyncBind} runs a synchronous call (our own `session.request()`) with
 * `AsyncResource.prototype.bind` replaced by an equivalent without the deprecation wrappers, and
 * puts Node's own back before returning (or throwing). The bound function calls `fn` through
 * `resource.runInAsyncScope` with the same `this` and arguments, and its `asyncResource` property is
 * the resource (a plain property, without Node's one-time deprecation warning); unlike Node's, its
 * `length` is 0 (defining it cost 9k instructions a request, and `request()` only calls the bound
 * function). Nothing outside the call sees the replacement: JavaScript does not run anything else
 * during a synchronous call.
 */
import { AsyncResource } from 'node:async_hooks';

type Bind = AsyncResource['bind'];

function leanBind(this: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg?: unknown) {
  return bindTo(this, fn, thisArg);
}

function bindTo(resource: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg: unknown) {
  const bound: ((...args: unknown[]) => unknown) & { asyncResource?: AsyncResource } =
    thisArg === undefined
      ? function (this: unknown, ...args: unknown[]): unknown {
          return resource.runInAsyncScope(fn, this, ...args);
        }
      : resource.runInAsyncScope.bind(resource, fn, thisArg);
  bound.asyncResource = resource;
  return bound;
}

/** Runs `call` with the lean `AsyncResource.prototype.bind` described above; Node's is restored after. */
export function withLeanAsyncBind<T>(call: () => T): T {
  const proto = AsyncResource.prototype as { bind: Bind };
  const nodeBind = proto.bind;
  proto.bind = leanBind as unknown as Bind;
  try {
    return call();
  } finally {
    proto.bind = nodeBind;
  }
}
