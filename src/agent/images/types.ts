/**
 * Types shared by the image code and the kubelet.
 */

/**
 * Registry credentials for one CRI `PullImage` call: the same fields as CRI's `AuthConfig` message
 * (lowerCamelCase, as the CRI client's types), so a value can be passed as `auth` unchanged.
 */
export interface AuthConfig {
  username?: string;
  password?: string;
  /** base64 of `username:password`. */
  auth?: string;
  /**
   * When set, containerd uses these credentials only for the registry host of this URL
   * (`https://host[:port]`).
   */
  serverAddress?: string;
  identityToken?: string;
  registryToken?: string;
}
