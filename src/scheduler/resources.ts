/**
 * Resource arithmetic for scheduling: a pod's effective requests (regular containers, init
 * containers' maximum, sidecars, overhead) and a node's allocatable resources, as plain numbers
 * (milli-CPU, bytes, counts) so the per-node filters and scores compare numbers, never quantities.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { Quantity } from '../api/quantity.js';

/** CPU a container without a CPU request counts for in scoring (milli-CPU), as upstream. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** Memory a container without a memory request counts for in scoring (bytes), as upstream. */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** A set of resource amounts: CPU in milli-units, memory and storage in bytes, others as counts. */
export class Resource {
  milliCPU = 0;
  memory = 0;
  ephemeralStorage = 0;
  /** Only meaningful for node allocatable (`pods`). */
  allowedPodNumber = 0;
  /** Extended resources, hugepages and anything else by name. */
  scalar: Map<string, number> | undefined;

  /** Adds a resource list (`{cpu: '100m', memory: '1Gi'}`). */
  addList(list: Record<string, unknown> | undefined): void {
    if (!list) return;
    for (const name of Object.keys(list)) {
      const q = Quantity.tryParse(list[name]);
      if (!q) continue;
      this.addNamed(name, q);
    }
  }

  private addNamed(name: string, q: Quantity): void {
    switch (name) {
      case 'cpu':
        this.milliCPU += Number(q.milliValue());
        break;
      case 'memory':
        this.memory += Number(q.value());
        break;
      case 'ephemeral-storage':
        this.ephemeralStorage += Number(q.value());
        break;
      case 'pods':
        this.allowedPodNumber += Number(q.value());
        break;
      default:
        this.addScalar(name, Number(q.value()));
    }
  }

  addScalar(name: string, v: number): void {
    (this.scalar ??= new Map()).set(name, (this.scalar.get(name) ?? 0) + v);
  }

  add(o: Resource): void {
    this.milliCPU += o.milliCPU;
    this.memory += o.memory;
    this.ephemeralStorage += o.ephemeralStorage;
    this.allowedPodNumber += o.allowedPodNumber;
    if (o.scalar) for (const [k, v] of o.scalar) this.addScalar(k, v);
  }

  sub(o: Resource): void {
    this.milliCPU -= o.milliCPU;
    this.memory -= o.memory;
    this.ephemeralStorage -= o.ephemeralStorage;
    this.allowedPodNumber -= o.allowedPodNumber;
    if (o.scalar) for (const [k, v] of o.scalar) this.addScalar(k, -v);
  }

  /** Each amount becomes the larger of this and `o`. */
  max(o: Resource): void {
    this.milliCPU = Math.max(this.milliCPU, o.milliCPU);
    this.memory = Math.max(this.memory, o.memory);
    this.ephemeralStorage = Math.max(this.ephemeralStorage, o.ephemeralStorage);
    this.allowedPodNumber = Math.max(this.allowedPodNumber, o.allowedPodNumber);
    if (o.scalar)
      for (const [k, v] of o.scalar) {
        const cur = this.scalar?.get(k) ?? 0;
        if (v > cur) (this.scalar ??= new Map()).set(k, v);
      }
  }

  clone(): Resource {
    const r = new Resource();
    r.add(this);
    return r;
  }

  /** The amount of `name` (`cpu` in milli-units). */
  get(name: string): number {
    switch (name) {
      case 'cpu':
        return this.milliCPU;
      case 'memory':
        return this.memory;
      case 'ephemeral-storage':
        return this.ephemeralStorage;
      case 'pods':
        return this.allowedPodNumber;
      default:
        return this.scalar?.get(name) ?? 0;
    }
  }

  isZero(): boolean {
    if (this.milliCPU || this.memory || this.ephemeralStorage) return false;
    if (this.scalar) for (const v of this.scalar.values()) if (v) return false;
    return true;
  }
}

/** The requests of one container, and the same with defaults for missing CPU/memory. */
function containerRequests(c: Container, nonZero: Resource): Resource {
  const r = new Resource();
  const req = c.resources?.requests as Record<string, unknown> | undefined;
  r.addList(req);
  nonZero.milliCPU = req && 'cpu' in req ? r.milliCPU : DEFAULT_MILLI_CPU_REQUEST;
  nonZero.memory = req && 'memory' in req ? r.memory : DEFAULT_MEMORY_REQUEST;
  return r;
}

/** What a pod asks of a node: its effective requests and the non-zero variant scoring uses. */
export interface PodRequests {
  requests: Resource;
  /** CPU and memory with upstream's defaults for containers that request none. */
  nonZeroMilliCPU: number;
  nonZeroMemory: number;
}

/**
 * A pod's effective requests as upstream computes them: the sum of its containers plus running
 * sidecars (init containers with restartPolicy Always), or the largest init container step if that
 * is more (each step counts the sidecars started before it), plus spec.overhead.
 */
export function podRequests(pod: Pod): PodRequests {
  const spec = pod.spec;
  const total = new Resource();
  const totalNonZero = new Resource();
  const nz = new Resource();
  for (const c of spec?.containers ?? []) {
    total.add(containerRequests(c, nz));
    totalNonZero.milliCPU += nz.milliCPU;
    totalNonZero.memory += nz.memory;
  }
  const inits = spec?.initContainers ?? [];
  if (inits.length > 0) {
    const sidecars = new Resource();
    const sidecarsNonZero = new Resource();
    const initMax = new Resource();
    const initMaxNonZero = new Resource();
    for (const c of inits) {
      const r = containerRequests(c, nz);
      const rNonZero = new Resource();
      rNonZero.milliCPU = nz.milliCPU;
      rNonZero.memory = nz.memory;
      if (c.restartPolicy === 'Always') {
        total.add(r);
        totalNonZero.add(rNonZero);
        sidecars.add(r);
        sidecarsNonZero.add(rNonZero);
        initMax.max(sidecars);
        initMaxNonZero.max(sidecarsNonZero);
      } else {
        r.add(sidecars);
        rNonZero.add(sidecarsNonZero);
        initMax.max(r);
        initMaxNonZero.max(rNonZero);
      }
    }
    total.max(initMax);
    totalNonZero.max(initMaxNonZero);
  }
  const overhead = spec?.overhead as Record<string, unknown> | undefined;
  if (overhead) {
    const o = new Resource();
    o.addList(overhead);
    total.add(o);
    totalNonZero.milliCPU += o.milliCPU;
    totalNonZero.memory += o.memory;
  }
  return { requests: total, nonZeroMilliCPU: totalNonZero.milliCPU, nonZeroMemory: totalNonZero.memory };
}

/** A node's allocatable resources (status.allocatable, falling back to capacity). */
export function nodeAllocatable(status: { allocatable?: object; capacity?: object } | undefined): Resource {
  const r = new Resource();
  r.addList((status?.allocatable ?? status?.capacity) as Record<string, unknown> | undefined);
  return r;
}
