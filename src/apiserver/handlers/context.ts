/**
 * What resource handlers share: the served resources, the admission chain, the clock, and the
 * pluggable schema-driven steps (structural checks, patch application).
 */
import type { KubeObject } from '../../api/meta.js';
import type { TokenRequestDeps } from '../../registry/serviceaccount-token.js';
import type { Clock } from '../../util/time.js';
import type { Logger } from '../../util/log.js';
import type { AdmissionChain } from '../admission/types.js';
import type { ServedResources, ServedResource } from '../served.js';
import type { KubeletClientConfig } from '../streaming/kubelet.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Result of checking a decoded object against its kind's schema. */
export interface StructuralReport {
  /** Unknown field paths, e.g. `spec.containers[0].imagee`. */
  unknownFields: string[];
  /** Type errors, worded for the user. */
  typeErrors: string[];
  /** Duplicate field paths (only computed in Strict/Warn when the raw text is given). */
  duplicateFields: string[];
}

/** Schema-driven operations, supplied by the API layer (src/api). */
export interface SchemaOps {
  /** Checks an object of a served kind; drops unknown fields in place. */
  check(
    served: ServedResource,
    obj: KubeObject,
    rawJson: string | undefined,
    mode: FieldValidation,
  ): StructuralReport;
  /** Applies a patch of a content type to an object of a served kind (served version). */
  applyPatch(served: ServedResource, current: KubeObject, patch: Buffer, contentType: string): KubeObject;
  /** Strict-decoding problems of a patch body itself (duplicate fields, unknown JSON patch members). */
  patchIssues(contentType: string, patch: Buffer): string[];
}

export interface HandlerDeps {
  served: ServedResources;
  admission: AdmissionChain;
  clock: Clock;
  log: Logger;
  schema: SchemaOps;
  /** How to reach kubelets (logs, exec, attach, port-forward, nodes/proxy); absent: those answer 404. */
  kubelet?: KubeletClientConfig;
  /** Issues service-account tokens (`serviceaccounts/token`); absent: the subresource is not served. */
  serviceAccountTokens?: TokenRequestDeps;
}
