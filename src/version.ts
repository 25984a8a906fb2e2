/**
 * The version k8ts reports on /version. It speaks the Kubernetes 1.33 API, so it reports a 1.33
 * gitVersion with a +k8ts suffix (as k3s reports v1.33.x+k3s1).
 */
export const VERSION = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0+k8ts.0.1.0',
  gitCommit: process.env['K8TS_GIT_COMMIT'] ?? 'unknown',
  gitTreeState: 'clean',
  buildDate: '2026-11-29T00:00:00Z',
  goVersion: `node${process.versions.node}`,
  compiler: 'tsc',
  platform: `${process.platform === 'win32' ? 'windows' : process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
} as const;
