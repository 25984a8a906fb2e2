/**
 * CRI types (see ../types.ts for the conventions): messages of the ImageService calls.
 */
import type { ImageSpec, Int64Value } from './common.js';
import type { PodSandboxConfig } from './runtime.js';
import type { FilesystemUsage } from './stats.js';

// ---- images ---------------------------------------------------------------------------------

/** Selects images by reference. */
export interface ImageFilter {
  image?: ImageSpec;
}

/** Input of ImageService/ListImages. */
export interface ListImagesRequest {
  filter?: ImageFilter;
}

/** An image the runtime holds. */
export interface Image {
  /** `sha256:…` (the image config digest for containerd). */
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  uid?: Int64Value;
  username: string;
  spec?: ImageSpec;
  pinned: boolean;
}

/** Answer of ImageService/ListImages. */
export interface ListImagesResponse {
  images: Image[];
}

/** Input of ImageService/ImageStatus. */
export interface ImageStatusRequest {
  image: ImageSpec;
  verbose?: boolean;
}

/** Answer of ImageService/ImageStatus. */
export interface ImageStatusResponse {
  /** Absent when the runtime does not have the image. */
  image?: Image;
  info: Record<string, string>;
}

/** Registry credentials for one pull. */
export interface AuthConfig {
  username?: string;
  password?: string;
  /** base64 of `user:password`. */
  auth?: string;
  serverAddress?: string;
  identityToken?: string;
  registryToken?: string;
}

/** Input of ImageService/PullImage. */
export interface PullImageRequest {
  image: ImageSpec;
  auth?: AuthConfig;
  sandboxConfig?: PodSandboxConfig;
}

/** Answer of ImageService/PullImage. */
export interface PullImageResponse {
  imageRef: string;
}

/** Input of ImageService/RemoveImage. */
export interface RemoveImageRequest {
  image: ImageSpec;
}

/** Answer of ImageService/RemoveImage. */
export type RemoveImageResponse = Record<string, never>;

/** Input of ImageService/ImageFsInfo. */
export type ImageFsInfoRequest = Record<string, never>;

/** Answer of ImageService/ImageFsInfo. */
export interface ImageFsInfoResponse {
  imageFilesystems: FilesystemUsage[];
  containerFilesystems: FilesystemUsage[];
}
