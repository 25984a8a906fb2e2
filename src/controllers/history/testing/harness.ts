/**
 * A test bench for the StatefulSet and DaemonSet controllers: a FakeClient that behaves a little
 * more like the API server (pods start Pending, objects get a creationTimestamp, workloads a
 * generation) on the shared controller harness, settling until the caches have caught up.
 */
import { FakeClient } from '../../../client/testing/fake-client.js';
import { objectKey, type ApiObject, type ResourceRef } from '../../../client/types.js';
import { isObject, type KubeObject } from '../../../api/meta.js';
import { rfc3339 } from '../../../util/time.js';
import { ControllerHarness } from '../../framework/testing/harness.js';

const TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';

function specOf(o: KubeObject | undefined): unknown {
  return o?.['spec'];
}

function templateOf(o: KubeObject | undefined): unknown {
  const spec = specOf(o);
  return isObject(spec) ? spec['template'] : undefined;
}

/**
 * A FakeClient with the bits of server behaviour the workload controllers depend on: generateName,
 * creationTimestamp, pods starting Pending, generation and the DaemonSet template generation.
 */
export class ServerishFakeClient extends FakeClient {
  private generated = 0;

  constructor(private readonly now: () => Date) {
    super();
  }

  override put(ref: ResourceRef, obj: KubeObject): ApiObject {
    const o = structuredClone(obj) as ApiObject;
    o.metadata ??= {};
    const old = this.stored(ref).find((x) => objectKey(x) === objectKey(o));
    if (!o.metadata.name && o.metadata.generateName)
      o.metadata.name = `${o.metadata.generateName}${(this.generated++).toString(36).padStart(5, 'x')}`;
    o.metadata.creationTimestamp ??= old?.metadata.creationTimestamp ?? rfc3339(this.now());
    if (ref.resource === 'pods') {
      const status = isObject(o['status']) ? o['status'] : {};
      if (!status['phase']) o['status'] = { ...status, phase: 'Pending' };
    }
    if (ref.resource === 'statefulsets' || ref.resource === 'daemonsets') {
      const oldGen = old?.metadata.generation ?? 0;
      const specChanged = !old || JSON.stringify(specOf(old)) !== JSON.stringify(specOf(o));
      o.metadata.generation = specChanged ? oldGen + 1 : oldGen;
      if (ref.resource === 'daemonsets') {
        const oldTg = Number(old?.metadata.annotations?.[TEMPLATE_GENERATION] ?? 0);
        const tplChanged = !old || JSON.stringify(templateOf(old)) !== JSON.stringify(templateOf(o));
        o.metadata.annotations = {
          ...(o.metadata.annotations ?? {}),
          [TEMPLATE_GENERATION]: String(tplChanged ? oldTg + 1 : oldTg),
        };
      }
    }
    return super.put(ref, o);
  }
}

/**
 * The shared {@link ControllerHarness} over a {@link ServerishFakeClient}, where settling means every
 * informer of `refs` holds what the fake stores; the clock moves only by `time.advance`.
 */
export class Harness extends ControllerHarness<ServerishFakeClient> {
  constructor(
    private readonly refs: ResourceRef[],
    start = '2026-11-29T08:00:00Z',
  ) {
    super({ time: start, fake: (clock) => new ServerishFakeClient(clock.now) });
  }

  /** Waits until every informer holds exactly what the fake stores (and pending writes are done). */
  override async settle(): Promise<void> {
    const deadline = Date.now() + 5000;
    for (;;) {
      await new Promise((r) => setImmediate(r));
      if (this.caughtUp()) {
        await new Promise((r) => setImmediate(r));
        if (this.caughtUp()) return;
      }
      if (Date.now() > deadline) throw new Error('informers did not catch up with the fake client');
    }
  }

  private caughtUp(): boolean {
    return this.refs.every((ref) => {
      const want = new Map(this.fake.stored(ref).map((o) => [objectKey(o), o.metadata.resourceVersion]));
      const have = this.informers.informer(ref).list();
      return (
        have.length === want.size && have.every((o) => want.get(objectKey(o)) === o.metadata.resourceVersion)
      );
    });
  }

  /** `reason: message` of every recorded event, by last write. */
  override events(): string[] {
    return super.events({ byLastWrite: true });
  }
}
