/**
 * A resource's behaviour in the generic store: a small stateless strategy per kind, as upstream's
 * rest.RESTCreateStrategy/RESTUpdateStrategy. The generic store (./store.ts) does everything common to
 * all kinds: names, uid, timestamps, resourceVersion, generation, conflicts, finalizers, ObjectMeta
 * validation. A strategy adds only what is particular to its kind.
 */
import type { UserInfo } from '../auth/types.js';
import type { FieldError } from '../api/errors.js';
import type { KubeObject } from '../api/meta.js';

/** What a strategy may know of the request. */
export interface StrategyContext {
  user: UserInfo;
  /** The request's namespace ('' for cluster-scoped). */
  namespace: string;
  /** The clock: tests inject one. */
  now(): Date;
}

/** How `metadata.name` is validated (upstream's ValidateNameFunc). */
export type NameValidation = 'subdomain' | 'label' | 'path-segment' | 'dns1035';

export interface Strategy {
  /** True when `metadata.generation` is kept: 1 on create, bumped when anything but metadata and status changes. */
  generation?: boolean;
  /** Name rule; defaults to 'subdomain' (DNS-1123 subdomain). */
  nameValidation?: NameValidation;
  /** Update of a missing object creates it (Endpoints, Lease, Event). */
  allowCreateOnUpdate?: boolean;
  /** Updates without metadata.resourceVersion are accepted unconditionally (upstream AllowUnconditionalUpdate). Default true. */
  allowUnconditionalUpdate?: boolean;

  /** Upstream's defaulting (SetDefaults_*), applied to every decoded object: create, update, patch result. */
  defaults?(obj: KubeObject): void;
  /** Before validation on create: e.g. clear status, set initial conditions. */
  prepareForCreate?(obj: KubeObject, ctx: StrategyContext): void;
  /** Before validation on update: e.g. keep status from `old` when the kind has a status subresource. */
  prepareForUpdate?(obj: KubeObject, old: KubeObject, ctx: StrategyContext): void;
  /** Kind-specific validation on create (ObjectMeta is validated by the store). */
  validate(obj: KubeObject, ctx: StrategyContext): FieldError[];
  /** Kind-specific validation on update: immutable fields and transitions, plus what validate() checks. */
  validateUpdate?(obj: KubeObject, old: KubeObject, ctx: StrategyContext): FieldError[];
  /** Warnings (sent as `Warning` headers) for a valid object, e.g. deprecated fields. */
  warnings?(obj: KubeObject, old: KubeObject | undefined): string[];
  /**
   * For kinds with a status subresource: updates through `/status`. prepareForUpdate must keep
   * everything from `old` but status (and metadata the store handles).
   */
  status?: {
    prepareForUpdate(obj: KubeObject, old: KubeObject, ctx: StrategyContext): void;
    validateUpdate(obj: KubeObject, old: KubeObject, ctx: StrategyContext): FieldError[];
  };
  /**
   * Field-selector fields beyond metadata.name and metadata.namespace, which every kind has:
   * e.g. pods give spec.nodeName and status.phase. Values are strings, as upstream compares them.
   */
  selectableFields?(obj: KubeObject): Record<string, string>;
  /**
   * Graceful deletion: the grace period (seconds) this delete should get, or 0 to delete at once.
   * `requested` is DeleteOptions.gracePeriodSeconds when given. Only pods use it upstream.
   */
  gracePeriod?(obj: KubeObject, requested: number | undefined): number;
}

/**
 * A kind that is computed, never stored (SelfSubjectAccessReview, TokenReview …): create answers
 * with the object and its status filled in.
 */
export interface VirtualResource {
  validate?(obj: KubeObject, ctx: StrategyContext): FieldError[];
  create(obj: KubeObject, ctx: StrategyContext): Promise<KubeObject>;
}
