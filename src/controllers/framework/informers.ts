/** An {@link InformerFactory} over any {@link Client}: list+watch informers, one per collection. */
import { createInformer } from '../../client/informer.js';
import type { ApiObject, Client, Informer, ResourceRef } from '../../client/types.js';
import type { Logger } from '../../util/log.js';
import type { InformerFactory } from './types.js';

function refKey(ref: ResourceRef): string {
  return `${ref.group}/${ref.version}/${ref.resource}`;
}

export class ClientInformerFactory implements InformerFactory {
  private readonly informers = new Map<string, Informer>();
  private signal: AbortSignal | undefined;

  constructor(
    private readonly client: Client,
    private readonly log: Logger,
  ) {}

  informer<T extends ApiObject = ApiObject>(ref: ResourceRef): Informer<T> {
    const key = refKey(ref);
    let inf = this.informers.get(key);
    if (!inf) {
      inf = createInformer(this.client, ref, { logger: this.log.child({ resource: ref.resource }) });
      this.informers.set(key, inf);
      if (this.signal) inf.start(this.signal);
    }
    return inf as unknown as Informer<T>;
  }

  start(signal: AbortSignal): void {
    if (this.signal) return;
    this.signal = signal;
    for (const inf of this.informers.values()) inf.start(signal);
  }

  async waitForSync(signal: AbortSignal): Promise<void> {
    await Promise.all([...this.informers.values()].map((inf) => inf.waitForSync(signal)));
  }
}
