/**
 * Small core kinds whose rows are a name, a count or a phase, and an age: Namespace, ConfigMap,
 * Secret, ServiceAccount.
 */
import type { ConfigMap, Namespace, Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { AGE, NAME, ageOf, column, nameOf, printer, view } from '../columns.js';

function count(map: object | null | undefined): number {
  return map ? Object.keys(map).length : 0;
}

/** core/v1 Namespace: STATUS is the phase (Active, Terminating). */
export const namespacePrinter = printer(
  [NAME, column('Status', 'string', 'The phase of the namespace: Active or Terminating.'), AGE],
  (obj, now) => [nameOf(obj), view<Namespace>(obj).status?.phase ?? '', ageOf(obj, now)],
);

/** core/v1 ConfigMap: DATA counts data and binaryData keys. */
export const configMapPrinter = printer(
  [NAME, column('Data', 'string', 'Number of keys in the config map.'), AGE],
  (obj, now) => {
    const cm = view<ConfigMap>(obj);
    return [nameOf(obj), count(cm.data) + count(cm.binaryData), ageOf(obj, now)];
  },
);

/** core/v1 Secret: TYPE and the number of data keys. */
export const secretPrinter = printer(
  [
    NAME,
    column('Type', 'string', 'The kind of secret, which decides the keys it must hold.'),
    column('Data', 'string', 'Number of keys in the secret.'),
    AGE,
  ],
  (obj, now) => {
    const s = view<Secret>(obj);
    // stringData is merged into data on write; count a key given in both once.
    const keys = new Set([...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})]);
    return [nameOf(obj), s.type ?? '', keys.size, ageOf(obj, now)];
  },
);

/** core/v1 ServiceAccount: SECRETS is the number of listed secrets. */
export const serviceAccountPrinter = printer(
  [NAME, column('Secrets', 'string', 'Number of secrets listed on the service account.'), AGE],
  (obj, now) => [nameOf(obj), view<ServiceAccount>(obj).secrets?.length ?? 0, ageOf(obj, now)],
);
