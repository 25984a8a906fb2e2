/**
 * The node agent's image duties in two calls, with the agent data-dir layout:
 *
 * 1. {@link prepareRegistries} (any time; containerd reads the hosts files at each pull): reads
 *    `<data-dir>/agent/etc/registries.yaml` and writes `<data-dir>/agent/etc/certs.d/` (the CRI
 *    plugin's `registry.config_path`). Keep the returned config for {@link pullCredentials}.
 * 2. {@link prepareImages} (once containerd answers, before the first RunPodSandbox): makes sure the
 *    pause image is there and imports the airgap images directory `<data-dir>/agent/images/`.
 *
 * Then, for each PullImage, {@link pullCredentials} gives the credentials to try in order.
 */
import path from 'node:path';
import type { Logger } from '../../util/log.js';
import { importAirgapDir, type AirgapResult } from './airgap.js';
import { CRI_NAMESPACE, type CtrOptions } from './ctr.js';
import { writeHostsDir } from './hosts-toml.js';
import { ensurePauseImage, type EnsurePauseResult, type PauseBuildOptions } from './pause.js';
import { credentialsFromSecrets, type PullSecret } from './pull-secrets.js';
import { credentialsFor, loadRegistriesFile, type RegistriesConfig } from './registries.js';
import type { AuthConfig } from './types.js';

/** Image-related paths under the agent's data dir. */
export interface NodeImagePaths {
  /** containerd's socket. */
  containerdSocket: string;
  /** Airgap image archives, imported at start. */
  imagesDir: string;
  /** The registries file (mirrors, TLS, credentials). */
  registriesFile: string;
  /** Generated containerd registry host directories (`registry.config_path`). */
  certsDir: string;
}

/** The paths of {@link NodeImagePaths} for a data dir. */
export function nodeImagePaths(dataDir: string): NodeImagePaths {
  const agent = path.join(dataDir, 'agent');
  return {
    containerdSocket: path.join(agent, 'containerd', 'containerd.sock'),
    imagesDir: path.join(agent, 'images'),
    registriesFile: path.join(agent, 'etc', 'registries.yaml'),
    certsDir: path.join(agent, 'etc', 'certs.d'),
  };
}

/**
 * Reads the registries file (absent: no mirrors, no credentials) and regenerates the hosts
 * directory from it. Throws with the file and field named when the file does not validate.
 */
export async function prepareRegistries(
  paths: Pick<NodeImagePaths, 'registriesFile' | 'certsDir'>,
  log?: Logger,
): Promise<RegistriesConfig | undefined> {
  const config = await loadRegistriesFile(paths.registriesFile);
  const written = await writeHostsDir(paths.certsDir, config);
  if (config) log?.info({ file: paths.registriesFile, hosts: written }, 'registries file applied');
  return config;
}

/** What {@link prepareImages} did. */
export interface PrepareImagesResult {
  pause: EnsurePauseResult;
  airgap: AirgapResult;
}

/**
 * Ensures the pause image and imports the airgap directory into the containerd at `socket` (CRI's
 * `k8s.io` namespace). A missing pause image that cannot be built is an error (no pod could start);
 * a bad airgap archive is only logged (and retried at the next start).
 */
export async function prepareImages(
  opts: { socket: string; imagesDir: string; pause?: PauseBuildOptions; ctrPath?: string },
  log?: Logger,
): Promise<PrepareImagesResult> {
  const ctr: CtrOptions = {
    socket: opts.socket,
    namespace: CRI_NAMESPACE,
    ...(opts.ctrPath ? { ctrPath: opts.ctrPath } : {}),
  };
  const pause = await ensurePauseImage(ctr, opts.pause);
  if (pause.imported) log?.info({ image: pause.image }, 'built and imported the pause image');
  const airgap = await importAirgapDir(opts.imagesDir, ctr);
  for (const r of airgap.imported) {
    if (r.error) log?.warn({ file: r.file }, `airgap image import failed: ${r.error}`);
    else log?.info({ file: r.file, images: r.images.map((i) => i.name) }, 'airgap images imported');
  }
  return { pause, airgap };
}

/**
 * The credentials to try, in order, for one PullImage: the pod's pull Secrets first, then the
 * registries file's (each bound to its host), like the kubelet's pod keyring before its node keyring.
 * Empty: pull anonymously. Otherwise try each until one pull succeeds; when all fail, report the
 * errors. Throws for an unparsable image or a broken Secret (the pull fails with that message).
 */
export function pullCredentials(
  image: string,
  secrets: PullSecret[],
  registries: RegistriesConfig | undefined,
): AuthConfig[] {
  return [...credentialsFromSecrets(image, secrets), ...credentialsFor(registries, image)];
}
