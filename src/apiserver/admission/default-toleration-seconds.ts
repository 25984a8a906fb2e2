/**
 * DefaultTolerationSeconds, as upstream: a new pod that does not tolerate the NoExecute taints
 * node.kubernetes.io/not-ready and node.kubernetes.io/unreachable gets tolerations for them with the
 * configured tolerationSeconds, so its pods leave a failed node after that long (the taint eviction
 * controller deletes them). k8ts's defaults are seconds, not upstream's five minutes (see README).
 */
import { isObject } from '../../api/meta.js';
import type { AdmissionAttributes, AdmissionPlugin } from './types.js';

export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';

/** tolerationSeconds for the two taints. */
export interface DefaultTolerationOptions {
  notReadySeconds: number;
  unreachableSeconds: number;
}

/** True when some toleration covers the NoExecute taint `key` (any key, or that key; NoExecute or any effect). */
function covered(tolerations: readonly unknown[], key: string): boolean {
  return tolerations.some((t) => {
    if (!isObject(t)) return false;
    const k = typeof t['key'] === 'string' ? t['key'] : '';
    const effect = typeof t['effect'] === 'string' ? t['effect'] : '';
    return (k === '' || k === key) && (effect === '' || effect === 'NoExecute');
  });
}

export function defaultTolerationSeconds(opts: DefaultTolerationOptions): AdmissionPlugin {
  return {
    name: 'DefaultTolerationSeconds',
    admit(a: AdmissionAttributes): void {
      if (a.operation !== 'CREATE' || a.subresource !== '') return;
      if (a.resource.group !== '' || a.resource.plural !== 'pods') return;
      const spec = a.object?.['spec'];
      if (!isObject(spec)) return;
      const tolerations: unknown[] = Array.isArray(spec['tolerations'])
        ? [...(spec['tolerations'] as unknown[])]
        : [];
      const before = tolerations.length;
      if (!covered(tolerations, NOT_READY_TAINT))
        tolerations.push({
          key: NOT_READY_TAINT,
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: opts.notReadySeconds,
        });
      if (!covered(tolerations, UNREACHABLE_TAINT))
        tolerations.push({
          key: UNREACHABLE_TAINT,
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: opts.unreachableSeconds,
        });
      if (tolerations.length !== before) spec['tolerations'] = tolerations;
    },
  };
}
