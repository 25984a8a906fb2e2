import { AsyncResource, executionAsyncId } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { withLeanAsyncBind } from './lean-bind.js';

describe('withLeanAsyncBind', () => {
  it('binds like Node does: same this, arguments, result and async scope', () => {
    const nodeBind = AsyncResource.prototype.bind;
    const resource = new AsyncResource('Test');
    function f(this: unknown, a: number, b: number): { self: unknown; sum: number; id: number } {
      return { self: this, sum: a + b, id: executionAsyncId() };
    }
    const [lean, withThis] = withLeanAsyncBind(() => [
      resource.bind(f),
      (resource.bind as (fn: typeof f, thisArg: unknown) => typeof f).call(resource, f, 'that'),
    ]);
    const node = resource.bind(f);
    expect(AsyncResource.prototype.bind).toBe(nodeBind);
    const self = { lean };
    expect(self.lean(1, 2)).toEqual({ self, sum: 3, id: resource.asyncId() });
    expect(node.call(self, 1, 2)).toEqual({ self, sum: 3, id: resource.asyncId() });
    expect(withThis?.(2, 3)).toEqual({ self: 'that', sum: 5, id: resource.asyncId() });
    expect((lean as unknown as { asyncResource: unknown }).asyncResource).toBe(resource);
  });

  it("puts Node's bind back when the call throws", () => {
    const nodeBind = AsyncResource.prototype.bind;
    expect(() =>
      withLeanAsyncBind(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(AsyncResource.prototype.bind).toBe(nodeBind);
  });
});
