/**
 * The admission chain: the extension point between decoding and storage. Mutating plugins may change
 * the object; validating plugins may only refuse it (by throwing an ApiError).
 */
import type { KubeObject } from '../../api/meta.js';
import type { ResourceType } from '../../api/resources.js';
import type { UserInfo } from '../../auth/types.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionAttributes {
  operation: Operation;
  resource: ResourceType;
  subresource: string;
  namespace: string;
  name: string;
  /** The new object (storage version); absent for DELETE. */
  object?: KubeObject;
  /** The stored object for UPDATE and DELETE. */
  oldObject?: KubeObject;
  user: UserInfo;
  dryRun: boolean;
}

export interface AdmissionPlugin {
  readonly name: string;
  /** Mutating phase: may change `attrs.object`. */
  admit?(attrs: AdmissionAttributes): void | Promise<void>;
  /** Validating phase: throws an ApiError to refuse. */
  validate?(attrs: AdmissionAttributes): void | Promise<void>;
}

/**
 * The plugins in order. As upstream, writes run the mutating phase before the object is validated
 * and the validating phase after (so an invalid object is refused before, say, quota is charged);
 * {@link AdmissionChain.run} runs both at once for requests without a validation step (DELETE).
 */
export class AdmissionChain {
  constructor(private readonly plugins: readonly AdmissionPlugin[]) {}

  /** Every plugin's mutating phase, in order. */
  async admit(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) if (p.admit) await p.admit(attrs);
  }

  /** Every plugin's validating phase, in order. */
  async validate(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) if (p.validate) await p.validate(attrs);
  }

  /** Both phases: mutating, then validating. */
  async run(attrs: AdmissionAttributes): Promise<void> {
    await this.admit(attrs);
    await this.validate(attrs);
  }
}
