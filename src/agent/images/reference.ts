/**
 * Image references, normalised the way Docker and containerd do (`busybox` means
 * `docker.io/library/busybox:latest`), and the default `imagePullPolicy` that follows from the tag.
 */

/** Docker Hub's canonical registry name. */
export const DOCKER_HUB = 'docker.io';
/** Docker Hub's legacy name, accepted and rewritten to {@link DOCKER_HUB}. */
const DOCKER_HUB_LEGACY = 'index.docker.io';

/** The parts of an image reference. */
export interface ImageRef {
  /** Registry host with optional port (`docker.io`, `127.0.0.1:5000`). */
  registry: string;
  /** Repository path inside the registry (`library/busybox`). */
  repository: string;
  /** The tag written in the reference, if any. */
  tag?: string;
  /** The digest written in the reference, if any (`sha256:…`). */
  digest?: string;
  /** `registry/repository` (what credentials are matched against). */
  name: string;
  /**
   * Fully qualified reference: `name:tag`, `name@digest` or `name:tag@digest`, with tag `latest`
   * when the reference had neither tag nor digest.
   */
  normalized: string;
}

/** A reference that cannot be parsed; the message follows Docker's wording. */
export class InvalidImageRefError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidImageRefError';
  }
}

// The reference grammar of the distribution project (facts: which characters go where).
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN = `(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const REPOSITORY = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(?:(${DOMAIN})/)?(${REPOSITORY})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_ID = /^[a-f0-9]{64}$/;
const MAX_NAME = 255;

/** Splits the first path element off when it names a registry (has `.` or `:`, or is localhost). */
function splitDomain(name: string): [string, string] {
  const i = name.indexOf('/');
  const first = i < 0 ? '' : name.slice(0, i);
  if (i < 0 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first))
    return [DOCKER_HUB, name];
  return [first, name.slice(i + 1)];
}

/**
 * Parses and normalises an image reference. Throws {@link InvalidImageRefError} with Docker's
 * wording (`invalid reference format`, `… must be lowercase`) for a bad one.
 */
export function parseImageRef(image: string): ImageRef {
  if (image === '') throw new InvalidImageRefError('invalid reference format');
  if (ANCHORED_ID.test(image))
    throw new InvalidImageRefError(
      `invalid repository name (${image}), cannot specify 64-byte hexadecimal strings`,
    );
  // Separate the digest and tag from the name before deciding on the registry.
  const at = image.indexOf('@');
  const beforeDigest = at < 0 ? image : image.slice(0, at);
  const lastSlash = beforeDigest.lastIndexOf('/');
  const colon = beforeDigest.lastIndexOf(':');
  const nameOnly = colon > lastSlash ? beforeDigest.slice(0, colon) : beforeDigest;
  let [registry, remote] = splitDomain(nameOnly);
  if (remote.toLowerCase() !== remote)
    throw new InvalidImageRefError(`invalid reference format: repository name (${remote}) must be lowercase`);
  if (registry === DOCKER_HUB_LEGACY) registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !remote.includes('/')) remote = `library/${remote}`;

  const rest = image.slice(nameOnly.length);
  const m = REFERENCE.exec(`${registry}/${remote}${rest}`);
  if (!m) throw new InvalidImageRefError('invalid reference format');
  const name = `${registry}/${remote}`;
  if (name.length > MAX_NAME)
    throw new InvalidImageRefError(
      `invalid reference format: repository name must not be more than ${MAX_NAME} characters`,
    );
  const tag = m[3];
  const digest = m[4];
  if (digest?.startsWith('sha256:') && digest.length !== 'sha256:'.length + 64)
    throw new InvalidImageRefError('invalid checksum digest length');
  const normalized =
    name + (tag ? `:${tag}` : '') + (digest ? `@${digest}` : '') + (!tag && !digest ? ':latest' : '');
  return {
    registry,
    repository: remote,
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
    name,
    normalized,
  };
}

/**
 * The `imagePullPolicy` a container gets when it sets none: Always for the tag `latest` (written or
 * implied by the lack of both tag and digest), IfNotPresent otherwise. An unparsable reference gets
 * IfNotPresent (the pull reports the bad name).
 */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  let ref: ImageRef;
  try {
    ref = parseImageRef(image);
  } catch {
    return 'IfNotPresent';
  }
  const tag = ref.tag ?? (ref.digest ? undefined : 'latest');
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}
