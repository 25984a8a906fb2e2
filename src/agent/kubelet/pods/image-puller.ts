/**
 * Makes sure a container's image is on the node, per its imagePullPolicy, with upstream's waiting
 * reasons (ErrImagePull, then ImagePullBackOff while backing off; ErrImageNeverPull) and events (each
 * failure also gives a Warning `Failed` event `Error: <reason>`, as upstream's container start).
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { ImageService } from '../../cri/client.js';
import type { AuthConfig } from '../../cri/types.js';

/** Why an image is not there (becomes the container's waiting reason). */
export class ImageError extends Error {
  constructor(
    readonly reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName',
    message: string,
  ) {
    super(message);
  }
}

/** Emits an event about the pod's container. */
export type ContainerEventSink = (type: 'Normal' | 'Warning', reason: string, message: string) => void;

/** The image policy upstream defaults: Always for `:latest` or no tag, else IfNotPresent. */
export function pullPolicy(c: Container): string {
  if (c.imagePullPolicy) return c.imagePullPolicy;
  const image = c.image ?? '';
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

export interface ImagePullerOptions {
  images: ImageService;
  /** Credentials to try for an image (pull secrets, registries file); empty = anonymous. */
  credentials(pod: Pod, image: string): Promise<AuthConfig[]>;
  now?(): number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export class ImagePuller {
  private readonly failures = new Map<string, { delayMs: number; until: number; error: string }>();
  private readonly now: () => number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly opts: ImagePullerOptions) {
    this.now = opts.now ?? Date.now;
    this.initialBackoffMs = opts.initialBackoffMs ?? 10_000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 300_000;
  }

  /** Resolves with the image reference to run (the runtime's image ID), or throws {@link ImageError}. */
  async ensure(
    pod: Pod,
    c: Container,
    emit: ContainerEventSink,
  ): Promise<{ imageRef: string; uid?: number; username?: string }> {
    const image = c.image ?? '';
    if (!image.trim()) {
      emit(
        'Warning',
        'InspectFailed',
        `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`,
      );
      emit('Warning', 'Failed', 'Error: InvalidImageName');
      throw new ImageError(
        'InvalidImageName',
        `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`,
      );
    }
    const policy = pullPolicy(c);
    const present = policy === 'Always' ? undefined : await this.present(image);
    if (present) {
      emit('Normal', 'Pulled', `Container image "${image}" already present on machine`);
      return present;
    }
    if (policy === 'Never') {
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      emit('Warning', 'ErrImageNeverPull', msg);
      emit('Warning', 'Failed', 'Error: ErrImageNeverPull');
      throw new ImageError('ErrImageNeverPull', msg);
    }
    const key = `${pod.metadata?.uid ?? ''}/${image}`;
    const failed = this.failures.get(key);
    if (failed && this.now() < failed.until) {
      const msg = `Back-off pulling image "${image}"`;
      emit('Normal', 'BackOff', msg);
      emit('Warning', 'Failed', 'Error: ImagePullBackOff');
      // The waiting message also says why the last pull failed (upstream since 1.30).
      throw new ImageError('ImagePullBackOff', `${msg}: ErrImagePull: ${failed.error}`);
    }
    emit('Normal', 'Pulling', `Pulling image "${image}"`);
    const started = this.now();
    const auths = await this.opts.credentials(pod, image);
    let lastErr: unknown;
    for (const auth of auths.length ? auths : [undefined]) {
      try {
        const res = await this.opts.images.pullImage({ image: { image }, ...(auth ? { auth } : {}) });
        const secs = ((this.now() - started) / 1000).toFixed(3);
        const status = await this.present(image);
        emit(
          'Normal',
          'Pulled',
          `Successfully pulled image "${image}" in ${secs}s (${secs}s including waiting). Image size: ${status?.size ?? 0} bytes.`,
        );
        this.failures.delete(key);
        return {
          imageRef: res.imageRef || status?.imageRef || image,
          ...(status?.uid !== undefined ? { uid: status.uid } : {}),
          ...(status?.username ? { username: status.username } : {}),
        };
      } catch (err) {
        lastErr = err;
      }
    }
    const failure = lastErr instanceof Error ? lastErr.message : String(lastErr);
    // Each failure doubles the wait before the next pull (10 s up to 5 min), as upstream.
    const delayMs = failed ? Math.min(this.maxBackoffMs, failed.delayMs * 2) : this.initialBackoffMs;
    this.failures.set(key, { delayMs, until: this.now() + delayMs, error: failure });
    emit('Warning', 'Failed', `Failed to pull image "${image}": ${failure}`);
    emit('Warning', 'Failed', 'Error: ErrImagePull');
    throw new ImageError('ErrImagePull', failure);
  }

  /** Forgets a pod's pull failures. */
  forget(podUid: string): void {
    for (const k of this.failures.keys()) if (k.startsWith(`${podUid}/`)) this.failures.delete(k);
  }

  private async present(
    image: string,
  ): Promise<{ imageRef: string; uid?: number; username?: string; size: number } | undefined> {
    const res = await this.opts.images.imageStatus({ image: { image } });
    const img = res.image;
    if (!img?.id) return undefined;
    return {
      imageRef: img.id,
      size: img.size ?? 0,
      ...(img.uid ? { uid: img.uid.value } : {}),
      ...(img.username ? { username: img.username } : {}),
    };
  }
}
