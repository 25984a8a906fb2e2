/**
 * Pod fields that upstream fills in through admission plugins rather than defaulting, reproduced so a
 * created pod looks the same in `kubectl get pod -o yaml`:
 *
 * - ServiceAccount admission: `serviceAccountName: default` and the projected `kube-api-access-*`
 *   token volume mounted in every container (unless automounting is turned off on the pod).
 * (Priority admission, which fills in `priority` and `preemptionPolicy`, needs the PriorityClasses:
 * it is a plugin of the admission chain, src/apiserver/admission/priority.ts. DefaultTolerationSeconds
 * has configurable seconds: src/apiserver/admission/default-toleration-seconds.ts.)
 *
 * Not reproduced: the ServiceAccount plugin's check that the service account exists, and the
 * service account's own `automountServiceAccountToken: false`.
 */
import { randomInt } from 'node:crypto';
import { ensureRec, records, str, type JsonObject } from '../util.js';

/** Where the token volume is mounted. */
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The ConfigMap with the cluster CA that every namespace gets. */
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
/** Built-in priority classes and their values. */
export const SYSTEM_PRIORITY_CLASSES: Readonly<Record<string, number>> = {
  'system-node-critical': 2000001000,
  'system-cluster-critical': 2000000000,
};

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Five random characters from upstream's name-suffix alphabet. */
export function randomSuffix(length = 5): string {
  let s = '';
  for (let i = 0; i < length; i++) s += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)] ?? 'b';
  return s;
}

export interface PodAdmissionOptions {
  /** The suffix of the token volume's name (tests pass a fixed one). */
  suffix?: string;
}

function tokenVolume(name: string): JsonObject {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }],
          },
        },
      ],
    },
  };
}

function mountsToken(c: JsonObject): boolean {
  return records(c['volumeMounts']).some(([m]) => str(m['mountPath']) === SERVICE_ACCOUNT_MOUNT_PATH);
}

/** Applies the admission-time pod fields described above, in place. Idempotent. */
export function admitPod(pod: JsonObject, opts: PodAdmissionOptions = {}): void {
  const spec = ensureRec(pod, 'spec');
  if (str(spec['serviceAccountName']) === '') spec['serviceAccountName'] = 'default';
  spec['serviceAccount'] = spec['serviceAccountName'];

  const containers = [...records(spec['initContainers']), ...records(spec['containers'])].map(([c]) => c);
  if (spec['automountServiceAccountToken'] !== false && !containers.some(mountsToken)) {
    const name = `kube-api-access-${opts.suffix ?? randomSuffix()}`;
    const volumes = Array.isArray(spec['volumes']) ? spec['volumes'] : [];
    volumes.push(tokenVolume(name));
    spec['volumes'] = volumes;
    for (const c of containers) {
      const mounts = Array.isArray(c['volumeMounts']) ? c['volumeMounts'] : [];
      mounts.push({ name, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH });
      c['volumeMounts'] = mounts;
    }
  }
}
