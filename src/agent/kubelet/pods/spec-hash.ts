/**
 * A hash of the parts of a container spec that, when changed, require a new container (the image is
 * the one the API lets users change on a running pod).
 */
import { createHash } from 'node:crypto';
import type { Container } from 'kubernetes-types/core/v1.js';

export function containerSpecHash(c: Container): string {
  const relevant = {
    name: c.name,
    image: c.image,
    command: c.command,
    args: c.args,
    workingDir: c.workingDir,
    env: c.env,
    envFrom: c.envFrom,
    ports: c.ports,
    volumeMounts: c.volumeMounts,
    securityContext: c.securityContext,
    stdin: c.stdin,
    tty: c.tty,
  };
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 16);
}
