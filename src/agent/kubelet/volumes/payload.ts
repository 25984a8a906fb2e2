/**
 * The files of configMap, secret, downwardAPI and projected volumes, computed from the objects they
 * project. Missing objects and keys fail with upstream's messages unless the source is optional.
 */
import type {
  ConfigMapProjection,
  ConfigMapVolumeSource,
  DownwardAPIVolumeFile,
  KeyToPath,
  Pod,
  ProjectedVolumeSource,
  SecretProjection,
  SecretVolumeSource,
} from 'kubernetes-types/core/v1.js';
import { resourceFieldValue } from '../pods/env.js';
import type { Payload } from './atomic-writer.js';
import { volumeFieldValue } from './downward.js';
import type { TokenCache } from './tokens.js';
import type { VolumeContext, VolumeSources } from './types.js';

/** Mode of projected files when the volume sets no defaultMode (upstream's default, 0644). */
export const DEFAULT_MODE = 0o644;

/** What payload builders need besides the volume source. */
export interface PayloadContext {
  pod: Pod;
  sources: VolumeSources;
  volumeCtx: VolumeContext;
  tokens: TokenCache;
}

/** Several errors reported as one, formatted like upstream's aggregate errors. */
export function aggregate(errors: Error[]): Error | undefined {
  if (errors.length === 0) return undefined;
  if (errors.length === 1) return errors[0];
  return new Error(`[${errors.map((e) => e.message).join(', ')}]`);
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

const namespaceOf = (pod: Pod): string => pod.metadata?.namespace ?? 'default';

type CmSource = Pick<ConfigMapVolumeSource | ConfigMapProjection, 'name' | 'items' | 'optional'>;
type SecretSource = { name?: string; items?: KeyToPath[]; optional?: boolean };

/** Files from a ConfigMap (all keys, or the listed items). */
export async function configMapPayload(
  src: CmSource,
  defaultMode: number,
  ctx: PayloadContext,
): Promise<Payload> {
  const name = src.name ?? '';
  const optional = src.optional === true;
  const cm = await ctx.sources.configMap(namespaceOf(ctx.pod), name);
  if (!cm && !optional) throw new Error(`configmap "${name}" not found`);
  const data = cm?.data ?? {};
  const binary = cm?.binaryData ?? {};
  const out: Payload = new Map();
  if (!src.items || src.items.length === 0) {
    for (const [k, v] of Object.entries(data))
      out.set(k, { data: Buffer.from(v, 'utf8'), mode: defaultMode });
    for (const [k, v] of Object.entries(binary)) out.set(k, { data: v, mode: defaultMode });
    return out;
  }
  for (const item of src.items) {
    let content: Buffer;
    const text = data[item.key];
    const bin = binary[item.key];
    if (text !== undefined) content = Buffer.from(text, 'utf8');
    else if (bin !== undefined) content = bin;
    else if (optional) continue;
    else throw new Error(`configmap references non-existent config key: ${item.key}`);
    out.set(item.path, { data: content, mode: item.mode ?? defaultMode });
  }
  return out;
}

/** Files from a Secret (all keys, or the listed items). */
export async function secretPayload(
  src: SecretSource,
  defaultMode: number,
  ctx: PayloadContext,
): Promise<Payload> {
  const name = src.name ?? '';
  const optional = src.optional === true;
  const secret = await ctx.sources.secret(namespaceOf(ctx.pod), name);
  if (!secret && !optional) throw new Error(`secret "${name}" not found`);
  const data = secret?.data ?? {};
  const out: Payload = new Map();
  if (!src.items || src.items.length === 0) {
    for (const [k, v] of Object.entries(data)) out.set(k, { data: v, mode: defaultMode });
    return out;
  }
  for (const item of src.items) {
    const content = data[item.key];
    if (content === undefined) {
      if (optional) continue;
      throw new Error(`references non-existent secret key: ${item.key}`);
    }
    out.set(item.path, { data: content, mode: item.mode ?? defaultMode });
  }
  return out;
}

/** Files of a downward API item list (fieldRef metadata fields, resourceFieldRef with divisor). */
export function downwardPayload(
  items: DownwardAPIVolumeFile[],
  defaultMode: number,
  ctx: PayloadContext,
): Payload {
  const out: Payload = new Map();
  const errors: Error[] = [];
  for (const item of items) {
    let value = '';
    try {
      if (item.fieldRef) {
        value = volumeFieldValue(ctx.pod, item.fieldRef.fieldPath);
      } else if (item.resourceFieldRef) {
        const ref = item.resourceFieldRef;
        const name = ref.containerName ?? '';
        const container = [...(ctx.pod.spec?.containers ?? []), ...(ctx.pod.spec?.initContainers ?? [])].find(
          (c) => c.name === name,
        );
        if (!container) throw new Error(`container ${name} not found`);
        const divisor = ref.divisor === undefined ? undefined : String(ref.divisor);
        value = resourceFieldValue(container, ref.resource, divisor, ctx.volumeCtx);
      }
    } catch (err) {
      errors.push(toError(err));
    }
    out.set(item.path, { data: Buffer.from(value, 'utf8'), mode: item.mode ?? defaultMode });
  }
  const err = aggregate(errors);
  if (err) throw err;
  return out;
}

/** Files of a projected volume: its sources (read in parallel) merged in order. */
export async function projectedPayload(src: ProjectedVolumeSource, ctx: PayloadContext): Promise<Payload> {
  const defaultMode = src.defaultMode ?? DEFAULT_MODE;
  const parts = await Promise.allSettled(
    (src.sources ?? []).map(async (s): Promise<Payload | undefined> => {
      if (s.secret) return secretPayload(s.secret satisfies SecretProjection, defaultMode, ctx);
      if (s.configMap) return configMapPayload(s.configMap, defaultMode, ctx);
      if (s.downwardAPI) return downwardPayload(s.downwardAPI.items ?? [], defaultMode, ctx);
      if (s.serviceAccountToken) {
        const tp = s.serviceAccountToken;
        const token = await ctx.tokens.get(ctx.sources, {
          podUid: ctx.pod.metadata?.uid ?? '',
          podName: ctx.pod.metadata?.name ?? '',
          namespace: namespaceOf(ctx.pod),
          serviceAccount: ctx.pod.spec?.serviceAccountName || 'default',
          audience: tp.audience ?? '',
          expirationSeconds: tp.expirationSeconds ?? 3600,
        });
        return new Map([[tp.path, { data: Buffer.from(token, 'utf8'), mode: defaultMode }]]);
      }
      if (s.clusterTrustBundle) {
        throw new Error('clusterTrustBundle projections are not supported by this node agent');
      }
      return undefined;
    }),
  );
  const out: Payload = new Map();
  const errors: Error[] = [];
  for (const r of parts) {
    if (r.status === 'rejected') errors.push(toError(r.reason));
    else for (const [k, v] of r.value ?? []) out.set(k, v);
  }
  const err = aggregate(errors);
  if (err) throw err;
  return out;
}

/** Files of a secret volume. */
export function secretVolumePayload(src: SecretVolumeSource, ctx: PayloadContext): Promise<Payload> {
  return secretPayload(
    { name: src.secretName, items: src.items, optional: src.optional },
    src.defaultMode ?? DEFAULT_MODE,
    ctx,
  );
}
